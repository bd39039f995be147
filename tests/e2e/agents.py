"""Real `companion` instances on one HeadlessDesktop, driven the way a person drives them.

Each :class:`Agent` is its own process with its own data folder (so two agents can share a desktop, as two
members of one team in the tests), found by its own tray icon in tint2 (by PID), clicked with xdotool. The
menus are worked with the keyboard: the app reports each menu it opens to its COMPANION_READY_FILE
(``menu-shown {"menu": ..., "entries": [...]}``, see ui/ready.py), so an entry is picked by its text and the
harness knows the menu is really open before it takes a screenshot. Windows are found by title among the
windows of that instance's X client (two instances show windows with the same titles), and screenshotted
one by one; :func:`check_picture` says whether a screenshot shows real content rather than a blank area.

Builds on tests/e2e/desktop.py (the desktop, the X queries) and tests/process.py (the app command, the
ready-file wait); it adds no second way of doing either.
"""
from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.desktop import HeadlessDesktop, TrayIcon, XWindow, wait_for
from tests.process import COMPANION, wait_for_line

MENU_LINE = "menu-shown "


@dataclass(frozen=True)
class OpenMenu:
    """A menu the app reported as open: its title ("tray" for the top level), its choosable entries and (for
    the tray menu opened by a click) its popup window."""

    name: str
    entries: list[str]
    window: XWindow | None = None


class Agent:
    """One running Agent Companion: ``Agent(desktop, folder, "A").start()``; ``stop()`` at the end."""

    def __init__(self, desktop: HeadlessDesktop, folder: Path, name: str) -> None:
        self.desktop = desktop
        self.name = name
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.data = folder / "data"
        self.ready = folder / "ready"
        self.output = folder / "output.log"
        self.env = {**desktop.env, "COMPANION_READY_FILE": str(self.ready)}
        self.proc: subprocess.Popen[bytes] | None = None
        self._open: OpenMenu | None = None  # the tray menu opened by open_tray_menu, until choose() uses it

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> "Agent":
        with open(self.output, "wb") as log:
            self.proc = subprocess.Popen([COMPANION, "--data-dir", str(self.data)], env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for_line(self.ready, "services-ready", timeout)
        self.desktop.wait_for(lambda: self.desktop.has_tray_icon(self.pid), timeout=15,
                              message=f"agent {self.name}: no tray icon in the tray host")
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (a clean quit), then SIGKILL if it hangs. Returns the exit status."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def output_text(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    # -- the command line and the database ----------------------------------------------------------------------
    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([COMPANION, *args, "--data-dir", str(self.data)], env=self.env, capture_output=True,
                              text=True, timeout=30, input=input)

    def status(self) -> str:
        return self.cli("status").stdout.strip()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the agent's database (read-only, alongside the running app: SQLite WAL allows it)."""
        con = sqlite3.connect(f"file:{self.data / 'companion.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    # -- the tray ---------------------------------------------------------------------------------------------
    def tray_icon(self) -> TrayIcon:
        icons = [i for i in self.desktop.tray_icons() if i.pid == self.pid and i.viewable]
        if len(icons) != 1:
            raise AssertionError(f"agent {self.name}: expected one tray icon, found {icons}")
        return icons[0]

    def click_tray_icon(self, button: int = 3) -> None:
        """Click the middle of this agent's icon in tint2 (3 = right button: the context menu)."""
        icon = self.tray_icon()
        w, h = icon.size or (24, 24)
        self._xdotool("mousemove", "--window", str(icon.window), str(w // 2), str(h // 2), "click", str(button))

    def open_tray_menu(self, button: int = 3, timeout: float = 10.0) -> OpenMenu:
        """Click the icon and wait until the app says the tray menu is open and its popup window is mapped."""
        seen = len(self._menu_lines())
        before = {w.id for w in self.windows()}
        self.click_tray_icon(button)
        menu = self._wait_menu("tray", seen, timeout)

        def popup() -> XWindow | None:
            return next((w for w in self.windows() if w.id not in before), None)

        window = self.desktop.wait_for(popup, timeout=timeout, message=f"agent {self.name}: the tray menu was "
                                       "reported open but no popup window is mapped")
        self._open = OpenMenu(menu.name, menu.entries, window)
        return self._open

    def choose(self, *path: str, timeout: float = 10.0) -> None:
        """Pick an entry of the open tray menu by its text, through submenus: choose("Reset", "1-minute breath").

        Keyboard only, as a person with a keyboard would: Down to the entry (the first Down selects the first
        entry; in a submenu opened with Right the first entry is already selected), Right into a submenu,
        Return on the last one.
        """
        menu = self._open or self.open_tray_menu(timeout=timeout)
        self._open = None  # whatever happens next, that menu will have closed
        for depth, text in enumerate(path):
            if text not in menu.entries:
                raise AssertionError(f"agent {self.name}: {text!r} is not a choosable entry of menu {menu.name!r}; "
                                     f"it offers {menu.entries}")
            downs = menu.entries.index(text) + (1 if depth == 0 else 0)
            if downs:
                self._xdotool("key", "--delay", "60", *(["Down"] * downs))
            if depth == len(path) - 1:
                self._xdotool("key", "Return")
            else:
                seen = len(self._menu_lines())
                self._xdotool("key", "Right")
                menu = self._wait_menu(text, seen, timeout)

    # -- windows --------------------------------------------------------------------------------------------------
    def windows(self) -> list[XWindow]:
        """This instance's viewable windows (menus, toasts, top-level windows), without the tray icon."""
        icon = self.tray_icon()
        return [w for w in self.desktop.client_windows(icon.window) if w.id != icon.window]

    def windows_titled(self, pattern: str) -> list[int]:
        """This instance's viewable windows whose title matches the regular expression, now."""
        res = self.desktop.run(["xdotool", "search", "--onlyvisible", "--name", pattern])
        mine = {w.id for w in self.desktop.client_windows(self.tray_icon().window)}
        return [int(w) for w in res.stdout.split() if int(w) in mine]

    def window_titled(self, pattern: str, timeout: float = 10.0) -> int:
        """Wait for a viewable window of THIS instance whose title matches the regular expression."""
        return wait_for(lambda: next(iter(self.windows_titled(pattern)), None), timeout,
                        message=f"agent {self.name}: no window titled {pattern!r}")

    def screenshot(self, window: int | XWindow, path: Path, steady: bool = True, timeout: float = 5.0) -> Path:
        """Bring the window to the top (two instances' toasts share a corner, and one agent's windows may
        cover another's on this one screen; a window that stays on top still wins) and save it. ``steady``:
        capture again until two captures in a row are the same picture, so a window that is still painting
        is not saved half-drawn (turn it off for a window that animates)."""
        wid = window.id if isinstance(window, XWindow) else window
        if self.desktop.toplevel(wid) == wid:  # override-redirect (a menu, a toast): raise it ourselves
            self.desktop.run(["xdotool", "windowraise", str(wid)])
        else:  # managed: only the window manager restacks its frame
            self.desktop.run(["xdotool", "windowactivate", str(wid)])
        deadline = time.monotonic() + timeout
        previous = None
        while True:
            self.desktop.screenshot_window(wid, path)
            if not steady:
                return path
            current = pixel_signature(path)
            if current == previous or time.monotonic() > deadline:
                return path
            previous = current
            time.sleep(0.2)

    def screenshot_titled(self, pattern: str, path: Path, timeout: float = 10.0, steady: bool = True) -> Path:
        """Wait for this instance's window titled like ``pattern`` and save a screenshot of it."""
        return self.screenshot(self.window_titled(pattern, timeout), path, steady=steady)

    def click(self, window: int, x: int, y: int, button: int = 1) -> None:
        """Click at (x, y) inside one of this instance's windows (e.g. a toast's button)."""
        self._xdotool("mousemove", "--window", str(window), str(x), str(y), "click", str(button))

    def geometry(self, window: int) -> XWindow:
        """Where one of this instance's windows is on the screen and how big it is."""
        found = next((w for w in self.windows() if w.id == window), None)
        if found is None:
            raise AssertionError(f"agent {self.name}: window {window} is not (or no longer) shown")
        return found

    # -- the keyboard ---------------------------------------------------------------------------------------------
    def press(self, *keys: str, window: int | None = None) -> None:
        """Press keys (xdotool names: Return, Escape, Down, ctrl+k ...), in the focused window or ``window``."""
        target = ["--window", str(window)] if window is not None else []
        self._xdotool("key", "--delay", "60", *target, *keys)

    # -- internals ----------------------------------------------------------------------------------------------
    def _xdotool(self, *args: str) -> None:
        res = self.desktop.run(["xdotool", *args])
        if res.returncode != 0:
            raise AssertionError(f"xdotool {' '.join(args)} failed: {res.stderr.strip()}")

    def _menu_lines(self) -> list[OpenMenu]:
        text = self.ready.read_text(encoding="utf-8") if self.ready.exists() else ""
        menus = []
        for line in text.splitlines():
            if line.startswith(MENU_LINE):
                data = json.loads(line[len(MENU_LINE):])
                menus.append(OpenMenu(data["menu"], data["entries"]))
        return menus

    def _wait_menu(self, name: str, seen: int, timeout: float) -> OpenMenu:
        def new_menu() -> OpenMenu | None:
            return next((m for m in self._menu_lines()[seen:] if m.name == name), None)

        return wait_for(new_menu, timeout, message=f"agent {self.name}: menu {name!r} did not open")


# -- screenshots ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    stddev: float      # of the grey levels, 0..1: 0 is a single flat colour
    dark: float        # fraction of pixels darker than 50 % grey
    colours: int       # distinct colours


def picture(path: Path) -> Picture:
    fmt = "%w %h %[fx:standard_deviation] %k"
    out = subprocess.run(["convert", str(path), "-format", fmt, "info:"], capture_output=True, text=True,
                         timeout=30, check=True).stdout.split()
    dark = subprocess.run(["convert", str(path), "-colorspace", "Gray", "-threshold", "50%", "-format",
                           "%[fx:1-mean]", "info:"], capture_output=True, text=True, timeout=30, check=True).stdout
    return Picture(int(out[0]), int(out[1]), float(out[2]), float(dark), int(out[3]))


def check_picture(path: Path, min_size: tuple[int, int] = (80, 60)) -> Picture:
    """Assert that a screenshot shows real content: big enough, not one flat colour, and with both ink and
    background (text on a light surface, or the other way round), i.e. neither blank nor all black."""
    pic = picture(path)
    assert pic.width >= min_size[0] and pic.height >= min_size[1], f"{path}: too small ({pic})"
    assert pic.colours >= 16 and pic.stddev > 0.05, f"{path}: almost a flat colour ({pic})"
    assert 0.005 < pic.dark < 0.995, f"{path}: no text or shapes to be seen ({pic})"
    return pic


def pixel_signature(path: Path) -> str:
    """A hash of the picture's pixels (not of the file, which carries a timestamp)."""
    return subprocess.run(["identify", "-format", "%#", str(path)], capture_output=True, text=True, timeout=30,
                          check=True).stdout.strip()


def artefact_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def settle(seconds: float = 0.3) -> None:
    """Let the X server finish painting before a screenshot (a mapped window may not have drawn yet)."""
    time.sleep(seconds)
