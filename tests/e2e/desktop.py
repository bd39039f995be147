"""A throwaway headless desktop for end-to-end tests and benchmarks.

``HeadlessDesktop`` starts, as its own child processes:

* ``Xvfb`` on a free display (``-displayfd``: the server picks the number and reports it once it accepts
  connections);
* a private ``dbus-daemon`` session bus with **no service activation** (no ``<servicedir>``), so nothing is
  ever auto-started behind a test's back (no stray notification daemon, no keyring password prompt);
* a notification *monitor* on that bus (a small jeepney script turned into a D-Bus monitor with
  ``BecomeMonitor``) that writes every ``org.freedesktop.Notifications.Notify`` call, its reply (the
  notification id) and the ``NotificationClosed`` / ``ActionInvoked`` signals to a JSON-lines file -- this is
  what :meth:`HeadlessDesktop.notifications` reads;
* ``openbox`` (window manager), ``tint2`` (or ``trayer``) as the XEmbed system-tray host, ``dunst`` as the
  notification daemon, and optionally ``gnome-keyring-daemon`` with an unlocked login collection.

Everything lives in one private temporary folder (``XDG_RUNTIME_DIR``, ``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``,
``XDG_CACHE_HOME``, all mode 0700, plus logs and configs). :attr:`HeadlessDesktop.env` is the environment to
give the processes under test. Teardown signals exactly the PIDs this object started (never by name),
waits, then escalates to SIGKILL.

Facts this relies on (verified on Debian 12, Qt 6): offscreen Qt has no tray; Qt uses the XEmbed tray only
when no ``org.kde.StatusNotifierWatcher`` is on the session bus (our private bus has none); with a display but
no ``DBUS_SESSION_BUS_ADDRESS`` Qt would start a stray bus; dunst stacks identical notifications, so tests
should use unique titles.

This module is test tooling: it imports neither Qt nor the application. It needs ``jeepney`` (installed with
``keyring`` on Linux) and ``psutil`` only for the keyring daemon if that ever forks.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

__all__ = [
    "DesktopError",
    "DesktopUnavailable",
    "HeadlessDesktop",
    "TrayIcon",
    "XWindow",
    "missing_programs",
    "wait_for",
]

T = TypeVar("T")

# program -> Debian package that provides it
PACKAGES = {
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus",
    "dbus-send": "dbus",
    "openbox": "openbox",
    "tint2": "tint2",
    "trayer": "trayer",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "gnome-keyring-daemon": "gnome-keyring",
    "notify-send": "libnotify-bin",
    "import": "imagemagick",
}

TRAY_SELECTION = "_NET_SYSTEM_TRAY_S0"
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
SECRETS_NAME = "org.freedesktop.secrets"
SNI_WATCHER_NAME = "org.kde.StatusNotifierWatcher"


class DesktopError(RuntimeError):
    """The desktop could not be started or queried."""


class DesktopUnavailable(DesktopError):
    """Programs the desktop needs are not installed."""


def missing_programs(
    tray: str = "tint2", wm: bool = True, dunst: bool = True, keyring: bool = False, extra: tuple[str, ...] = ()
) -> dict[str, str]:
    """Programs (-> Debian package) that :meth:`HeadlessDesktop.start` with these options would need but lacks."""
    needed = ["Xvfb", "dbus-daemon", "dbus-send"]
    if wm:
        needed.append("openbox")
    if tray != "none":
        needed.append(tray)
    if dunst:
        needed += ["dunst", "dunstctl"]
    if keyring:
        needed.append("gnome-keyring-daemon")
    needed += list(extra)
    missing = {p: PACKAGES.get(p, p) for p in needed if shutil.which(p) is None}
    if ctypes.util.find_library("X11") is None:
        missing["libX11.so.6"] = "libx11-6"
    try:
        import jeepney  # noqa: F401
    except ImportError:
        missing["python module jeepney"] = "pip install jeepney (comes with keyring)"
    return missing


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, message: str = "") -> T:
    """Call ``predicate`` until it returns something truthy and return that; raise TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(message or f"timed out after {timeout:g} s waiting for {predicate!r}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------------------
# Xlib through ctypes (no python-xlib dependency). Each query opens its own short connection, installs a no-op
# error handler for its duration (windows can vanish between calls: BadWindow must not abort the process) and
# restores the previous handler afterwards, so nothing else in the process is affected.

_ANY_PROPERTY_TYPE = 0
_IS_VIEWABLE = 2


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong), ("c_class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p),
    ]


class _XDisplayHead(ctypes.Structure):
    """The public head of Xlib's Display (``_XPrivDisplay`` in Xlib.h); private3/4 are resource base/mask."""

    _fields_ = [
        ("ext_data", ctypes.c_void_p), ("private1", ctypes.c_void_p), ("fd", ctypes.c_int),
        ("private2", ctypes.c_int), ("proto_major_version", ctypes.c_int), ("proto_minor_version", ctypes.c_int),
        ("vendor", ctypes.c_char_p), ("resource_base", ctypes.c_ulong), ("resource_mask", ctypes.c_ulong),
    ]


_X_ERROR_HANDLER_TYPE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_X_IGNORE_ERRORS = _X_ERROR_HANDLER_TYPE(lambda _display, _event: 0)
_libx11: Any = None


def _load_libx11() -> Any:
    global _libx11
    if _libx11 is not None:
        return _libx11
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    lib = ctypes.CDLL(name)
    p, ul, i = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
    sigs: dict[str, tuple[Any, list[Any]]] = {
        "XOpenDisplay": (p, [ctypes.c_char_p]),
        "XCloseDisplay": (i, [p]),
        "XSetErrorHandler": (p, [p]),
        "XDefaultRootWindow": (ul, [p]),
        "XInternAtom": (ul, [p, ctypes.c_char_p, i]),
        "XGetSelectionOwner": (ul, [p, ul]),
        "XQueryTree": (i, [p, ul, ctypes.POINTER(ul), ctypes.POINTER(ul), ctypes.POINTER(ctypes.POINTER(ul)),
                           ctypes.POINTER(ctypes.c_uint)]),
        "XGetWindowProperty": (i, [p, ul, ul, ctypes.c_long, ctypes.c_long, i, ul, ctypes.POINTER(ul),
                                   ctypes.POINTER(i), ctypes.POINTER(ul), ctypes.POINTER(ul),
                                   ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]),
        "XGetWindowAttributes": (i, [p, ul, ctypes.POINTER(_XWindowAttributes)]),
        "XFree": (i, [p]),
        "XSync": (i, [p, i]),
    }
    for fname, (restype, argtypes) in sigs.items():
        fn = getattr(lib, fname)
        fn.restype, fn.argtypes = restype, argtypes
    _libx11 = lib
    return lib


class _XConnection:
    def __init__(self, display: str):
        self.display = display
        self.lib = _load_libx11()
        self.dpy: int | None = None
        self._old_handler: int | None = None

    def __enter__(self) -> "_XConnection":
        self._old_handler = self.lib.XSetErrorHandler(ctypes.cast(_X_IGNORE_ERRORS, ctypes.c_void_p))
        self.dpy = self.lib.XOpenDisplay(self.display.encode())
        if not self.dpy:
            self.lib.XSetErrorHandler(self._old_handler)
            raise DesktopError(f"cannot open X display {self.display}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.lib.XCloseDisplay(self.dpy)  # flushes; late errors still go to the no-op handler
        self.lib.XSetErrorHandler(self._old_handler)
        self.dpy = None

    @property
    def root(self) -> int:
        return int(self.lib.XDefaultRootWindow(self.dpy))

    @property
    def resource_mask(self) -> int:
        """Bits of an XID that a client chooses; the rest identify the client that created the resource."""
        return int(ctypes.cast(self.dpy, ctypes.POINTER(_XDisplayHead)).contents.resource_mask)

    def atom(self, name: str) -> int:
        return int(self.lib.XInternAtom(self.dpy, name.encode(), 0))

    def selection_owner(self, selection: str) -> int:
        return int(self.lib.XGetSelectionOwner(self.dpy, self.atom(selection)))

    def query_tree(self, window: int) -> tuple[int, list[int]] | None:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        n = ctypes.c_uint()
        if not self.lib.XQueryTree(self.dpy, window, ctypes.byref(root), ctypes.byref(parent),
                                   ctypes.byref(children), ctypes.byref(n)):
            return None
        kids = [int(children[k]) for k in range(n.value)]
        if children:
            self.lib.XFree(children)
        return int(parent.value), kids

    def cardinals(self, window: int, prop: str) -> list[int] | None:
        """A 32-bit-format property as a list of ints (Xlib hands them out as C longs), or None if unset."""
        actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
        nitems, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        status = self.lib.XGetWindowProperty(self.dpy, window, self.atom(prop), 0, 64, 0, _ANY_PROPERTY_TYPE,
                                             ctypes.byref(actual_type), ctypes.byref(actual_format),
                                             ctypes.byref(nitems), ctypes.byref(after), ctypes.byref(data))
        try:
            if status != 0 or actual_type.value == 0 or actual_format.value != 32:
                return None
            longs = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))
            return [int(longs[k]) & 0xFFFFFFFF for k in range(nitems.value)]
        finally:
            if data:
                self.lib.XFree(data)

    def map_state(self, window: int) -> int | None:
        attrs = _XWindowAttributes()
        if not self.lib.XGetWindowAttributes(self.dpy, window, ctypes.byref(attrs)):
            return None
        return int(attrs.map_state)

    def geometry(self, window: int) -> tuple[int, int] | None:
        attrs = _XWindowAttributes()
        if not self.lib.XGetWindowAttributes(self.dpy, window, ctypes.byref(attrs)):
            return None
        return int(attrs.width), int(attrs.height)


@dataclass(frozen=True)
class XWindow:
    """A window on the test display and its size."""

    id: int
    width: int
    height: int


@dataclass(frozen=True)
class TrayIcon:
    """A window embedded (reparented) into the tray host."""

    window: int  # X window id of the icon (the client's window, not the host's wrapper)
    pid: int | None  # _NET_WM_PID of that window (set by Qt, GTK, ...), None if the client did not set it
    viewable: bool  # mapped, and all its ancestors mapped
    size: tuple[int, int] | None


# --------------------------------------------------------------------------------------------------------------
# The notification monitor: runs as `python -c _MONITOR_SRC <bus address> <jsonl file>`.

_MONITOR_SRC = r'''
import json, sys, time
from jeepney import MessageType, HeaderFields
from jeepney.bus_messages import MatchRule, Monitoring
from jeepney.io.blocking import open_dbus_connection

address, out_path = sys.argv[1], sys.argv[2]
IFACE = "org.freedesktop.Notifications"

def plain(v):
    if isinstance(v, (bytes, bytearray)):
        return "<%d bytes>" % len(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v

out = open(out_path, "a", buffering=1, encoding="utf-8")
def emit(**event):
    event["time"] = time.time()
    out.write(json.dumps(event, default=repr) + "\n")

conn = open_dbus_connection(bus=address)
rules = [
    MatchRule(type="method_call", interface=IFACE, member="Notify").serialise(),
    MatchRule(type="signal", interface=IFACE).serialise(),
    MatchRule(type="method_return").serialise(),
    MatchRule(type="error").serialise(),
]
conn.send_and_get_reply(Monitoring().BecomeMonitor(rules), timeout=10)
emit(event="ready")
pending = {}  # (sender, serial) -> True for Notify calls still waiting for their reply
while True:
    try:
        msg = conn.receive()
    except (ConnectionError, OSError, EOFError):
        break
    except Exception as exc:  # an unparseable message must not end the monitor
        emit(event="monitor-error", error=repr(exc))
        continue
    h = msg.header
    f = h.fields
    kind = h.message_type
    if kind == MessageType.method_call and f.get(HeaderFields.member) == "Notify":
        body = msg.body
        if len(body) != 8:
            emit(event="notify-bad", body=plain(list(body)))
            continue
        app, replaces, icon, summary, text, actions, hints, timeout = body
        sender = f.get(HeaderFields.sender)
        pending[(sender, h.serial)] = True
        hints = {str(k): plain(v[1]) for k, v in hints.items()}  # a{sv}: each value is (signature, value)
        emit(event="notify", sender=sender, serial=h.serial, appname=app, replaces_id=replaces, icon=icon,
             summary=summary, body=text, actions=list(actions), hints=hints, timeout=timeout)
    elif kind in (MessageType.method_return, MessageType.error):
        key = (f.get(HeaderFields.destination), f.get(HeaderFields.reply_serial))
        if pending.pop(key, None):
            if kind == MessageType.method_return:
                emit(event="reply", to=key[0], reply_serial=key[1], id=msg.body[0] if msg.body else None)
            else:
                emit(event="error", to=key[0], reply_serial=key[1], name=f.get(HeaderFields.error_name),
                     detail=plain(list(msg.body)))
    elif kind == MessageType.signal and f.get(HeaderFields.interface) == IFACE:
        member = f.get(HeaderFields.member)
        if member == "NotificationClosed":
            emit(event="closed", id=msg.body[0], reason=msg.body[1])
        elif member == "ActionInvoked":
            emit(event="action", id=msg.body[0], action=msg.body[1])
        else:
            emit(event="signal", member=member, body=plain(list(msg.body)))
'''

# --------------------------------------------------------------------------------------------------------------

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A private session bus WITHOUT <servicedir>: no D-Bus activation, nothing is ever auto-started. -->
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir={runtime}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

_TINT2RC = """# tint2 for tests: a bottom panel with a task bar and the XEmbed system tray; no clock (no repaint churn).
rounded = 0
border_width = 0
background_color = #202020 100
border_color = #202020 100

panel_items = TS
panel_size = 100% 30
panel_margin = 0 0
panel_padding = 2 0 2
panel_background_id = 1
panel_position = bottom center horizontal
panel_layer = top
panel_monitor = all
panel_dock = 0
wm_menu = 0
strut_policy = follow_size
panel_window_name = tint2
disable_transparency = 1
mouse_effects = 0
autohide = 0

taskbar_mode = single_desktop
taskbar_name = 0
task_text = 1
task_icon = 1
task_maximum_size = 150 26
task_font_color = #ffffff 100
task_tooltip = 0

systray_padding = 4 2 4
systray_background_id = 0
systray_sort = ascending
systray_icon_size = 24
systray_icon_asb = 100 0 0
systray_monitor = 1
"""

_DUNSTRC = """# dunst for tests: every notification shown (no stacking of duplicates), long history, no idle handling.
[global]
    monitor = 0
    follow = none
    width = 320
    height = 300
    origin = top-right
    offset = 10x10
    notification_limit = 0
    indicate_hidden = yes
    stack_duplicates = false
    sticky_history = yes
    history_length = 1000
    idle_threshold = 0
    show_age_threshold = -1
    font = DejaVu Sans 9
    markup = full
    format = "<b>%s</b>\\n%b"
    ignore_dbusclose = false
    frame_width = 2
    frame_color = "#aaaaaa"
    mouse_left_click = close_current
    mouse_middle_click = do_action, close_current
    mouse_right_click = close_all

[urgency_low]
    background = "#222222"
    foreground = "#cccccc"
    timeout = 10

[urgency_normal]
    background = "#285577"
    foreground = "#ffffff"
    timeout = 10

[urgency_critical]
    background = "#900000"
    foreground = "#ffffff"
    frame_color = "#ff0000"
    timeout = 0
"""

# Variables of the caller's own session that must not leak into the test desktop.
_SESSION_VARS = (
    "QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "SESSION_MANAGER", "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP",
    "DESKTOP_SESSION", "GNOME_KEYRING_CONTROL", "DBUS_SESSION_BUS_PID", "DBUS_SESSION_BUS_WINDOWID",
    "XAUTHORITY", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
)


class HeadlessDesktop:
    """Xvfb + private D-Bus + openbox + XEmbed tray host + dunst (+ unlocked gnome-keyring), torn down by PID.

    Use as a context manager (``with HeadlessDesktop() as d:`` starts with the defaults) or call
    :meth:`start` / :meth:`stop`. Give :attr:`env` to every process that should run on this desktop.
    """

    def __init__(self, size: tuple[int, int] = (1280, 800), keep_dir: bool | None = None):
        self.size = size
        # Keep the temp folder (logs, configs) after stop(): argument, or E2E_KEEP_DIR=1 in the environment.
        self.keep_dir = bool(os.environ.get("E2E_KEEP_DIR")) if keep_dir is None else keep_dir
        self.dir: Path | None = None
        self.display: str | None = None
        self.bus_address: str | None = None
        self.env: dict[str, str] = {}
        self.tray: str = "none"
        self.keyring_password: str | None = None
        self._procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._foreign: list[tuple[str, Any]] = []  # psutil.Process of daemons that forked away from us
        self._logs: list[Any] = []
        self._tray_pid: int | None = None
        self._started = False
        self.notifications_file: Path | None = None

    # ---------------------------------------------------------------------------------------------- lifecycle
    def __enter__(self) -> "HeadlessDesktop":
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, tray: str = "tint2", wm: bool = True, dunst: bool = True,
              keyring_password: str | None = None) -> "HeadlessDesktop":
        """Start the desktop. ``tray``: "tint2", "trayer" or "none". Returns self.

        Raises DesktopUnavailable (naming the Debian packages) when programs are missing, DesktopError (with
        the tail of the relevant logs) when something does not come up in time.
        """
        if self._started:
            raise DesktopError("desktop already started")
        if tray not in ("tint2", "trayer", "none"):
            raise ValueError(f"tray must be 'tint2', 'trayer' or 'none', not {tray!r}")
        if tray == "tint2" and not wm:
            # Seen with tint2 17.0.1: without a window manager its systray never takes _NET_SYSTEM_TRAY_S0.
            raise ValueError("tint2's system tray does not come up without a window manager: use wm=True "
                             "or tray='trayer'")
        missing = missing_programs(tray=tray, wm=wm, dunst=dunst, keyring=keyring_password is not None)
        if missing:
            pkgs = sorted(set(missing.values()))
            raise DesktopUnavailable(
                "headless desktop needs: " + ", ".join(f"{prog} ({pkg})" for prog, pkg in missing.items())
                + f". Install with `sudo apt-get install {' '.join(pkgs)}` or run scripts/setup."
            )
        self._started = True
        self.tray = tray
        self.keyring_password = keyring_password
        atexit.register(self.stop)
        try:
            self._start(tray, wm, dunst, keyring_password)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, tray: str, wm: bool, dunst: bool, keyring_password: str | None) -> None:
        d = self.dir = Path(tempfile.mkdtemp(prefix="e2e-desktop."))
        os.chmod(d, 0o700)
        for sub in ("runtime", "data", "config", "cache", "state", "home", "logs"):
            (d / sub).mkdir(mode=0o700)
            os.chmod(d / sub, 0o700)
        env = dict(os.environ)
        for var in _SESSION_VARS:
            env.pop(var, None)
        env.update(
            XDG_RUNTIME_DIR=str(d / "runtime"), XDG_DATA_HOME=str(d / "data"),
            XDG_CONFIG_HOME=str(d / "config"), XDG_CACHE_HOME=str(d / "cache"), XDG_STATE_HOME=str(d / "state"),
            HOME=str(d / "home"), XDG_SESSION_TYPE="x11",
        )
        self.env = env

        # 1) X server on a free display; it writes the display number to the fd once it accepts connections.
        r, w = os.pipe()
        try:
            w_, h_ = self.size
            self._spawn("xvfb", ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{w_}x{h_}x24",
                                 "-nolisten", "tcp", "-noreset"], pass_fds=(w,))
            os.close(w)
            w = -1
            number = self._read_line(r, 15.0, "xvfb", "Xvfb to report its display number")
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)
        self.display = f":{int(number)}"
        env["DISPLAY"] = self.display

        # 2) Private session bus without activation.
        conf = d / "session.conf"
        conf.write_text(_BUS_CONFIG.format(runtime=d / "runtime"))
        r, w = os.pipe()
        try:
            self._spawn("dbus", ["dbus-daemon", f"--config-file={conf}", "--nofork", "--nosyslog",
                                 f"--print-address={w}"], pass_fds=(w,))
            os.close(w)
            w = -1
            self.bus_address = self._read_line(r, 10.0, "dbus", "dbus-daemon to print its address")
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

        # 3) Notification monitor first, so that no Notify call can slip past it.
        self.notifications_file = d / "notifications.jsonl"
        self.notifications_file.touch()
        self._spawn("monitor", [sys.executable, "-c", _MONITOR_SRC, self.bus_address, str(self.notifications_file)])
        self._wait("monitor", lambda: '"ready"' in self.notifications_file.read_text(), 15.0,
                   "the D-Bus notification monitor")

        # 4) Window manager.
        if wm:
            self._spawn("openbox", ["openbox", "--sm-disable"])
            self._wait("openbox", self._wm_running, 10.0, "openbox to set _NET_SUPPORTING_WM_CHECK")

        # 5) XEmbed tray host.
        if tray == "tint2":
            rc = d / "tint2rc"
            rc.write_text(_TINT2RC)
            self._tray_pid = self._spawn("tray", ["tint2", "-c", str(rc)]).pid
        elif tray == "trayer":
            self._tray_pid = self._spawn("tray", [
                "trayer", "--edge", "bottom", "--align", "right", "--widthtype", "request", "--height", "24",
                "--SetDockType", "true", "--transparent", "false"]).pid
        if tray != "none":
            self._wait("tray", self.tray_owned, 15.0, f"{tray} to own {TRAY_SELECTION}")

        # 6) Notification daemon.
        if dunst:
            rc = d / "dunstrc"
            rc.write_text(_DUNSTRC)
            self._spawn("dunst", ["dunst", "-config", str(rc)])
            self._wait("dunst", lambda: self.bus_name_owned(NOTIFICATIONS_NAME), 15.0,
                       f"dunst to own {NOTIFICATIONS_NAME}")

        # 7) Secret Service with an unlocked login collection (created with this password on first use).
        if keyring_password is not None:
            proc = self._spawn("keyring", ["gnome-keyring-daemon", "--foreground", "--unlock",
                                           "--components=secrets"], stdin=subprocess.PIPE)
            assert proc.stdin is not None
            proc.stdin.write(keyring_password.encode())
            proc.stdin.close()
            self._wait("keyring", lambda: self.bus_name_owned(SECRETS_NAME), 15.0,
                       f"gnome-keyring-daemon to own {SECRETS_NAME}")
            owner = self.bus_name_pid(SECRETS_NAME)
            if owner is not None and owner != proc.pid:  # it daemonized after all: track that PID too
                import psutil

                self._foreign.append(("keyring-daemon", psutil.Process(owner)))

    def stop(self) -> None:
        """Stop everything this desktop started (newest first), by PID only; SIGKILL after ~2 s. Idempotent."""
        atexit.unregister(self.stop)
        procs, self._procs = self._procs, []
        foreign, self._foreign = self._foreign, []
        for _name, ps in reversed(foreign):
            try:
                ps.terminate()  # psutil checks that the PID still belongs to the same process
                ps.wait(2)
            except Exception:
                try:
                    ps.kill()
                except Exception:
                    pass
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _name, proc in reversed(procs):
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for fh in self._logs:
            fh.close()
        self._logs = []
        if self.dir is not None and not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        self._started = False

    @property
    def pids(self) -> dict[str, int]:
        """PIDs of the helper processes this desktop started, by role (xvfb, dbus, monitor, openbox, ...)."""
        out = {name: p.pid for name, p in self._procs}
        out.update({name: ps.pid for name, ps in self._foreign})
        return out

    def check_alive(self) -> None:
        """Raise DesktopError if a helper process has died."""
        dead = [f"{name} (exit {p.returncode})" for name, p in self._procs if p.poll() is not None]
        if dead:
            raise DesktopError("desktop helper(s) died: " + ", ".join(dead) + "\n" + self.logs_tail())

    # ---------------------------------------------------------------------------------------------- helpers
    def _spawn(self, name: str, argv: list[str], **kw: Any) -> subprocess.Popen[bytes]:
        assert self.dir is not None
        log = open(self.dir / "logs" / f"{name}.log", "ab")
        self._logs.append(log)
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=kw.pop("stdin", subprocess.DEVNULL), cwd=self.dir,
                                start_new_session=True, **kw)
        self._procs.append((name, proc))
        return proc

    def _proc(self, name: str) -> subprocess.Popen[bytes] | None:
        return next((p for n, p in self._procs if n == name), None)

    def _read_line(self, fd: int, timeout: float, name: str, what: str) -> str:
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DesktopError(f"timed out waiting for {what}\n" + self.logs_tail(name))
            ready, _, _ = select.select([fd], [], [], min(left, 0.1))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise DesktopError(f"{name} exited before {what}\n" + self.logs_tail(name))
                buf += chunk
        return buf.split(b"\n", 1)[0].decode().strip()

    def _wait(self, name: str, predicate: Callable[[], Any], timeout: float, what: str) -> None:
        proc = self._proc(name)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if predicate():
                    return
            except DesktopError:
                pass
            if proc is not None and proc.poll() is not None and name != "keyring":
                raise DesktopError(f"{name} exited with {proc.returncode} while waiting for {what}\n"
                                   + self.logs_tail(name))
            if time.monotonic() >= deadline:
                raise DesktopError(f"timed out after {timeout:g} s waiting for {what}\n" + self.logs_tail(name))
            time.sleep(0.05)

    def log_path(self, name: str) -> Path:
        assert self.dir is not None
        return self.dir / "logs" / f"{name}.log"

    def logs_tail(self, *names: str, lines: int = 20) -> str:
        """The last lines of the helpers' logs (all helpers when no names are given), for error messages."""
        if self.dir is None:
            return ""
        out = []
        for path in sorted((self.dir / "logs").glob("*.log")):
            if names and path.stem not in names:
                continue
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(out)

    def run(self, argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        """subprocess.run on this desktop (env=self.env, text mode, output captured unless overridden)."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 30)
        return subprocess.run(argv, env=kw.pop("env", self.env), **kw)

    @staticmethod
    def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05,
                 message: str = "") -> T:
        """See module-level :func:`wait_for`."""
        return wait_for(predicate, timeout, interval, message)

    # ---------------------------------------------------------------------------------------------- D-Bus
    def _dbus_call(self, method: str, arg: str) -> str | None:
        res = self.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus", f"org.freedesktop.DBus.{method}", f"string:{arg}"], timeout=10)
        return res.stdout if res.returncode == 0 else None

    def bus_name_owned(self, name: str) -> bool:
        """Does some connection own ``name`` on the private session bus (checked with dbus-send)?"""
        out = self._dbus_call("NameHasOwner", name)
        return out is not None and "boolean true" in out

    def bus_name_pid(self, name: str) -> int | None:
        out = self._dbus_call("GetConnectionUnixProcessID", name)
        if not out:
            return None
        for token in out.split():
            if token.isdigit():
                return int(token)
        return None

    # ---------------------------------------------------------------------------------------------- X11
    def _x(self) -> _XConnection:
        if self.display is None:
            raise DesktopError("desktop not started")
        xvfb = self._proc("xvfb")
        if xvfb is None or xvfb.poll() is not None:
            raise DesktopError("Xvfb is not running")
        return _XConnection(self.display)

    def _wm_running(self) -> bool:
        with self._x() as x:
            check = x.cardinals(x.root, "_NET_SUPPORTING_WM_CHECK")
            return bool(check and check[0])

    def tray_owned(self) -> bool:
        """Does some client own the XEmbed tray selection _NET_SYSTEM_TRAY_S0?"""
        with self._x() as x:
            return x.selection_owner(TRAY_SELECTION) != 0

    def tray_icons(self) -> list[TrayIcon]:
        """Windows embedded in the tray host.

        The tray host is the X client that owns ``_NET_SYSTEM_TRAY_S0``. An XID's high bits (outside the
        connection's resource mask) identify the client that created it, so an embedded icon is a window
        created by another client whose ancestors include a window created by the tray host (for tint2:
        panel -> per-icon wrapper -> icon window). The WM's frames are created by the WM, so a top-level
        window never counts. The icon's owner is its ``_NET_WM_PID`` (Qt sets it on every window).
        """
        icons: list[TrayIcon] = []
        with self._x() as x:
            owner = x.selection_owner(TRAY_SELECTION)
            if not owner:
                return icons
            mask = x.resource_mask
            host = owner & ~mask

            def is_host(window: int) -> bool:
                if window & ~mask == host:
                    return True
                pid = x.cardinals(window, "_NET_WM_PID")
                return bool(self._tray_pid and pid and pid[0] == self._tray_pid)

            stack: list[tuple[int, bool]] = [(x.root, False)]  # (window, has a tray-host ancestor)
            while stack:
                window, inside_host = stack.pop()
                tree = x.query_tree(window)
                if tree is None:
                    continue
                for child in tree[1]:
                    child_is_host = is_host(child)
                    if inside_host and not child_is_host:
                        pid = x.cardinals(child, "_NET_WM_PID")
                        icons.append(TrayIcon(window=child, pid=pid[0] if pid else None,
                                              viewable=x.map_state(child) == _IS_VIEWABLE,
                                              size=x.geometry(child)))
                        continue  # the icon's own children are its business
                    stack.append((child, inside_host or child_is_host))
        return icons

    def tray_icon_pids(self) -> set[int]:
        """PIDs owning a viewable window embedded in the tray host."""
        return {icon.pid for icon in self.tray_icons() if icon.viewable and icon.pid is not None}

    def has_tray_icon(self, pid: int) -> bool:
        """Is a window of process ``pid`` embedded (and viewable) in the tray host?"""
        return pid in self.tray_icon_pids()

    def sni_watcher_present(self) -> bool:
        """True if a StatusNotifierWatcher is on the bus (then Qt would use SNI instead of XEmbed)."""
        return self.bus_name_owned(SNI_WATCHER_NAME)

    def client_windows(self, window: int) -> list[XWindow]:
        """Viewable windows created by the same X client as ``window`` (e.g. a tray icon), at any depth: an
        app's popup menus (override-redirect, children of the root) and its framed top-level windows alike.
        Parents come before their children; the WM's frames belong to the WM and are not listed."""
        found: list[XWindow] = []
        with self._x() as x:
            mask = x.resource_mask
            client = window & ~mask
            stack = [x.root]
            while stack:
                tree = x.query_tree(stack.pop())
                if tree is None:
                    continue
                for child in tree[1]:
                    if child & ~mask == client and x.map_state(child) == _IS_VIEWABLE:
                        geometry = x.geometry(child)
                        if geometry is not None:
                            found.append(XWindow(child, *geometry))
                        continue  # its own children are its business
                    stack.append(child)
        return found

    def toplevel(self, window: int) -> int:
        """The child of the root window that holds ``window``: the WM's frame of a managed window, the window
        itself for an override-redirect one (a menu, a toast)."""
        with self._x() as x:
            root = x.root
            while True:
                tree = x.query_tree(window)
                if tree is None or tree[0] in (0, root):
                    return window
                window = tree[0]

    def screenshot_window(self, window: int, path: str | os.PathLike[str]) -> Path:
        """Save one window (its own pixels, no WM frame) as PNG with ImageMagick's ``import``."""
        if shutil.which("import") is None:
            raise DesktopUnavailable("screenshot needs `import` (apt package imagemagick)")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        res = self.run(["import", "-display", str(self.display), "-window", str(window), f"png:{path}"], timeout=30)
        if res.returncode != 0 or not path.exists():
            raise DesktopError(f"screenshot of window {window} failed ({res.returncode}): {res.stderr.strip()}")
        return path

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the whole screen (root window) as PNG with ImageMagick's ``import``; returns the path."""
        if shutil.which("import") is None:
            raise DesktopUnavailable("screenshot needs `import` (apt package imagemagick)")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        res = self.run(["import", "-display", str(self.display), "-window", "root", f"png:{path}"], timeout=30)
        if res.returncode != 0 or not path.exists():
            raise DesktopError(f"screenshot failed ({res.returncode}): {res.stderr.strip()}")
        return path

    # ---------------------------------------------------------------------------------------------- notifications
    def notifications(self) -> list[dict[str, Any]]:
        """Every Notify call sent on the bus since start, oldest first.

        Each dict has summary, body, appname, icon, actions, hints, timeout, replaces_id, sender, time, and
        ``id`` (the daemon's reply; None while unanswered), ``error`` (D-Bus error name if the call failed),
        ``closed_reason`` (1 expired, 2 dismissed, 3 closed by call, 4 undefined; None while open) and
        ``actions_invoked`` (action keys the user clicked).
        """
        notes: list[dict[str, Any]] = []
        by_call: dict[tuple[Any, Any], dict[str, Any]] = {}
        by_id: dict[Any, dict[str, Any]] = {}
        if self.notifications_file is None:
            raise DesktopError("desktop not started")
        text = self.notifications_file.read_text(encoding="utf-8")
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                break  # partly written
            ev = json.loads(line)
            kind = ev.pop("event")
            if kind == "notify":
                note = {**ev, "id": None, "error": None, "closed_reason": None, "actions_invoked": []}
                notes.append(note)
                by_call[(ev["sender"], ev["serial"])] = note
            elif kind in ("reply", "error"):
                note = by_call.get((ev["to"], ev["reply_serial"]))
                if note is not None:
                    if kind == "reply":
                        note["id"] = ev["id"]
                        by_id[ev["id"]] = note
                    else:
                        note["error"] = ev["name"]
            elif kind == "closed" and ev["id"] in by_id:
                by_id[ev["id"]]["closed_reason"] = ev["reason"]
            elif kind == "action" and ev["id"] in by_id:
                by_id[ev["id"]]["actions_invoked"].append(ev["action"])
        return notes

    def wait_for_notification(self, summary: str | None = None, timeout: float = 10.0,
                              predicate: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """Wait until a notification (with this summary / matching predicate) was sent and answered by the
        daemon; return it."""
        def find() -> dict[str, Any] | None:
            for note in reversed(self.notifications()):
                if summary is not None and note["summary"] != summary:
                    continue
                if predicate is not None and not predicate(note):
                    continue
                if note["id"] is not None or note["error"] is not None:
                    return note
            return None

        return wait_for(find, timeout, message=f"no notification {summary!r} within {timeout:g} s; "
                        f"seen: {[n['summary'] for n in self.notifications()]}")

    def dunst_history(self) -> list[dict[str, Any]]:
        """dunst's own history (only notifications that were closed/expired), newest first."""
        res = self.run(["dunstctl", "history"], timeout=10)
        if res.returncode != 0:
            raise DesktopError(f"dunstctl history failed: {res.stderr.strip()}")
        data = json.loads(res.stdout)["data"]
        items = data[0] if data else []
        return [{k: v.get("data") if isinstance(v, dict) else v for k, v in item.items()} for item in items]

    def close_all_notifications(self) -> None:
        """Close every notification dunst shows (they move to dunst's history)."""
        self.run(["dunstctl", "close-all"], timeout=10, check=True)


if __name__ == "__main__":  # python tests/e2e/desktop.py [seconds]: start a desktop, print env, keep it up
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3600.0
    with HeadlessDesktop() as desk:
        print(f"DISPLAY={desk.display}\nDBUS_SESSION_BUS_ADDRESS={desk.bus_address}\ndir={desk.dir}", flush=True)
        try:
            time.sleep(secs)
        except KeyboardInterrupt:
            pass
