"""The AT-SPI accessibility tree of a running app, read over D-Bus the way a screen reader (Orca) reads it.

:class:`AtspiBus` starts ``at-spi-bus-launcher`` (Debian package at-spi2-core) on a HeadlessDesktop's private
session bus -- that bus has no service activation, so nothing would start it otherwise -- and connects to the
accessibility bus it announces (``org.a11y.Bus.GetAddress``). Qt apps started with
``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1`` register there. :meth:`AtspiBus.app` finds one app by its PID,
:meth:`AtspiBus.tree` reads a subtree (role, name, description, states, children) into :class:`Node` objects,
:meth:`AtspiBus.do_action` runs a node's Action (``Toggle``/``Press``) as assistive technology does, and
:meth:`AtspiBus.listen` collects the app's announcements and name changes.

Only ``jeepney`` is needed (no pyatspi / PyGObject). This module is test tooling: it imports neither Qt nor
the application.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, Properties, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

LAUNCHER_PATHS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher",
                  "/usr/lib/x86_64-linux-gnu/at-spi-bus-launcher")
ACCESSIBLE = "org.a11y.atspi.Accessible"
ACTION = "org.a11y.atspi.Action"
REGISTRY = "org.a11y.atspi.Registry"
ROOT = "/org/a11y/atspi/accessible/root"
NULL_PATH = "/org/a11y/atspi/null"

# Roles a person operates (AT-SPI role names as GetRoleName says them). Each must have a name that says
# what it is. "text" is an editable field in Qt's mapping (a QLabel is "label").
INTERACTIVE_ROLES = frozenset({
    "push button", "toggle button", "check box", "radio button", "combo box", "text", "entry",
    "password text", "spin button", "list", "list box", "table", "tree", "tree table", "menu item",
    "check menu item", "radio menu item", "slider", "page tab", "dial",
})
# AT-SPI state bits (atspi-constants.h, AtspiStateType) this module reads.
STATES = {"checked": 4, "editable": 7, "enabled": 8, "focusable": 11, "focused": 12, "pressed": 20, "sensitive": 24,
          "showing": 25, "visible": 30}


def find_launcher() -> str | None:
    return next((p for p in LAUNCHER_PATHS if os.access(p, os.X_OK)), None)


@dataclass
class Node:
    """One accessible object: where it lives on the bus and what a screen reader would say about it."""

    bus: str
    path: str
    role: str
    name: str
    description: str
    states: frozenset[str]
    children: list["Node"] = field(default_factory=list)

    def walk(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def interactive(self) -> bool:
        return self.role in INTERACTIVE_ROLES

    @property
    def checked(self) -> bool:
        return "checked" in self.states

    def find(self, role: str | None = None, name: str | re.Pattern[str] | None = None) -> list["Node"]:
        def matches(node: Node) -> bool:
            if role is not None and node.role != role:
                return False
            if isinstance(name, str):
                return node.name == name
            if name is not None:
                return bool(name.search(node.name))
            return True

        return [n for n in self.walk() if matches(n)]

    def dump(self, depth: int = 0) -> str:
        lines = ["  " * depth + f"[{self.role}] {self.name!r}" + (" (checked)" if self.checked else "")]
        lines += [child.dump(depth + 1) for child in self.children]
        return "\n".join(lines)


def problems(window: Node) -> list[str]:
    """What a screen-reader user would trip over in this window, one line per problem (empty: none).

    * an interactive node without a name, or with a name that says nothing (no letter: "1", "…", "+");
    * an exclusive choice presented as toggle buttons or check boxes: a row of two or more sibling toggle
      buttons (or check boxes) of which exactly one is on and that the app keeps exclusive is not told
      apart by AT-SPI, so the walk flags toggle-button rows with exactly one on; exclusive choices must be
      radio buttons (their role says "one of").
    """
    found = []
    for node in window.walk():
        if node.interactive and "showing" in node.states:
            if not node.name.strip():
                found.append(f"unnamed {node.role} (description {node.description!r}) at {node.path}")
            elif not re.search(r"[^\W\d_]", node.name):
                found.append(f"{node.role} named {node.name!r} says nothing about what it is")
        toggles = [c for c in node.children if c.role == "toggle button" and "showing" in c.states]
        if len(toggles) >= 2 and sum(c.checked for c in toggles) == 1:
            found.append("an exclusive choice shown as toggle buttons (use radio buttons): "
                         + ", ".join(repr(c.name) for c in toggles))
    return found


class AtspiBus:
    """The accessibility bus of a HeadlessDesktop: ``with AtspiBus(desktop.env) as bus: ...``."""

    def __init__(self, env: dict[str, str], log: Path | None = None) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.conn: DBusConnection | None = None
        self.address: str | None = None

    def __enter__(self) -> "AtspiBus":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self, timeout: float = 20.0) -> "AtspiBus":
        launcher = find_launcher()
        if launcher is None:
            raise RuntimeError("at-spi-bus-launcher not found: install the Debian package at-spi2-core "
                               "(scripts/setup does)")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        try:
            # its own process group: stop() ends the launcher and the bus it started, and nothing else
            self.proc = subprocess.Popen([launcher, "--launch-immediately", "--a11y=1"], env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        session = open_dbus_connection(bus=self.env["DBUS_SESSION_BUS_ADDRESS"])
        try:
            launcher_addr = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
            deadline = time.monotonic() + timeout
            while True:
                reply = session.send_and_get_reply(new_method_call(launcher_addr, "GetAddress"), timeout=5)
                if reply.header.message_type == MessageType.method_return and reply.body[0]:
                    self.address = reply.body[0]
                    break  # else: not on the bus yet (org.freedesktop.DBus.Error.ServiceUnknown)
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"at-spi-bus-launcher did not come up (exit {self.proc.poll()})")
                time.sleep(0.1)
        finally:
            session.close()
        self.conn = open_dbus_connection(bus=self.address)
        return self

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the launcher's own group (start_new_session)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    # -- queries ---------------------------------------------------------------------------------------------
    def _call(self, bus: str, path: str, interface: str, method: str, signature: str | None = None,
              body: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        assert self.conn is not None, "not started"
        msg = new_method_call(DBusAddress(path, bus_name=bus, interface=interface), method, signature, body)
        reply = self.conn.send_and_get_reply(msg, timeout=10)
        if reply.header.message_type == MessageType.error:
            raise RuntimeError(f"{interface}.{method} on {bus}{path}: {reply.body}")
        return reply.body

    def _prop(self, bus: str, path: str, name: str, interface: str = ACCESSIBLE) -> Any:
        assert self.conn is not None, "not started"
        reply = self.conn.send_and_get_reply(Properties(DBusAddress(path, bus_name=bus, interface=interface))
                                             .get(name), timeout=10)
        if reply.header.message_type == MessageType.error:
            raise RuntimeError(f"{interface}.{name} on {bus}{path}: {reply.body}")
        return reply.body[0][1]

    def apps(self) -> list[tuple[str, str]]:
        return [tuple(a) for a in self._call(REGISTRY, ROOT, ACCESSIBLE, "GetChildren")[0]]

    def pid_of(self, bus: str) -> int | None:
        try:
            return int(self.conn.send_and_get_reply(  # type: ignore[union-attr]
                message_bus.GetConnectionUnixProcessID(bus), timeout=5).body[0])
        except Exception:
            return None

    def app(self, pid: int, timeout: float = 20.0) -> tuple[str, str]:
        """The (bus name, path) of the application object of process ``pid``, once it registered."""
        deadline = time.monotonic() + timeout
        while True:
            for bus, path in self.apps():
                if self.pid_of(bus) == pid:
                    return bus, path
            if time.monotonic() > deadline:
                raise TimeoutError(f"process {pid} never appeared on the accessibility bus; apps: {self.apps()}")
            time.sleep(0.2)

    def node(self, bus: str, path: str, depth: int = 60) -> Node:
        """Read the subtree at (bus, path)."""
        role = self._call(bus, path, ACCESSIBLE, "GetRoleName")[0]
        bits = self._call(bus, path, ACCESSIBLE, "GetState")[0]
        mask = bits[0] | (bits[1] << 32)
        states = frozenset(k for k, bit in STATES.items() if mask >> bit & 1)
        node = Node(bus, path, role, self._prop(bus, path, "Name") or "", self._prop(bus, path, "Description") or "",
                    states)
        if depth > 0:
            for child_bus, child_path in self._call(bus, path, ACCESSIBLE, "GetChildren")[0]:
                if child_path != NULL_PATH:
                    node.children.append(self.node(child_bus, child_path, depth - 1))
        return node

    def tree(self, pid: int) -> Node:
        """The whole tree of process ``pid``: the application, its windows, their controls."""
        return self.node(*self.app(pid))

    def windows(self, pid: int) -> list[Node]:
        """The app's top-level windows (the application node's children), with their subtrees."""
        return self.tree(pid).children

    def window(self, pid: int, title: str | re.Pattern[str], timeout: float = 20.0) -> Node:
        """Wait for the app's showing window whose name (title) is ``title`` (or matches the pattern)."""
        deadline = time.monotonic() + timeout
        while True:
            bus, path = self.app(pid)
            for child_bus, child_path in self._call(bus, path, ACCESSIBLE, "GetChildren")[0]:
                name = self._prop(child_bus, child_path, "Name") or ""
                hit = name == title if isinstance(title, str) else bool(title.search(name))
                if hit:
                    node = self.node(child_bus, child_path)
                    if "showing" in node.states or node.role == "menu":
                        return node
            if time.monotonic() > deadline:
                names = [self._prop(b, p, "Name") for b, p in self._call(bus, path, ACCESSIBLE, "GetChildren")[0]]
                raise TimeoutError(f"no window {title!r} on the accessibility bus; windows: {names}")
            time.sleep(0.2)

    # -- actions, as assistive technology does them -------------------------------------------------------------
    def actions(self, node: Node) -> list[str]:
        count = self._prop(node.bus, node.path, "NActions", ACTION)
        return [self._call(node.bus, node.path, ACTION, "GetName", "i", (i,))[0] for i in range(count)]

    def do_action(self, node: Node, name: str) -> bool:
        names = self.actions(node)
        if name not in names:
            raise AssertionError(f"{node.role} {node.name!r} offers no {name!r} action, only {names}")
        return bool(self._call(node.bus, node.path, ACTION, "DoAction", "i", (names.index(name),))[0])

    def set_text(self, node: Node, text: str) -> None:
        """Replace an editable field's text (EditableText.SetTextContents), as dictation or a braille display
        would."""
        ok = self._call(node.bus, node.path, "org.a11y.atspi.EditableText", "SetTextContents", "s", (text,))[0]
        assert ok, f"{node.role} {node.name!r} refused its new text"

    def press_or_toggle(self, node: Node) -> None:
        names = self.actions(node)
        self.do_action(node, next((n for n in ("Toggle", "Press") if n in names), names[0] if names else "Press"))

    def exclusive_choices(self, window: Node) -> list[str]:
        """Rows of check boxes or toggle buttons that behave as an exclusive choice (radio buttons in disguise:
        a screen reader would not say "1 of 3"). Found the way a tester finds them: in a row of two or more
        sibling check boxes / toggle buttons with exactly one on, one that is off is turned on through AT-SPI;
        if the one that was on goes off, the row is exclusive. Whatever was turned is turned back."""
        found = []
        for node in window.walk():
            row = [c for c in node.children if c.role in ("check box", "toggle button") and "showing" in c.states
                   and "enabled" in c.states]
            on = [c for c in row if c.checked]
            if len(row) < 2 or len(on) != 1:
                continue
            off = next(c for c in row if not c.checked)
            self.press_or_toggle(off)
            time.sleep(0.3)
            if not self.refreshed(on[0]).checked:
                found.append("an exclusive choice shown as " + node.children[0].role + "es (use radio buttons): "
                             + ", ".join(repr(c.name) for c in row))
                self.press_or_toggle(on[0])
            elif self.refreshed(off).checked:
                self.press_or_toggle(off)
        return found

    def parent(self, bus: str, path: str) -> tuple[str, str]:
        return tuple(self._prop(bus, path, "Parent"))  # type: ignore[return-value]

    def refreshed_tree(self, node: Node) -> Node:
        """``node`` and its subtree read again (after a step changed what shows)."""
        return self.node(node.bus, node.path)

    def refreshed(self, node: Node) -> Node:
        return self.node(node.bus, node.path, depth=0)


@dataclass(frozen=True)
class Event:
    """One accessibility event: its kind (Announcement, PropertyChange, StateChanged, Focus ...), detail
    ("accessible-name", "focused" ...), detail1 (1/0 for a state), data (the new name, the announced text)
    and the object it came from (bus name, path)."""

    member: str
    detail: str
    detail1: int
    data: Any
    bus: str
    path: str


class EventListener:
    """Collects the accessibility events an app sends, on its own connection to the accessibility bus, so the
    queries on the main connection never swallow them. Qt only sends events someone registered for with the
    registry, so the listener registers as a screen reader does."""

    EVENTS = ("object:announcement", "object:property-change", "object:state-changed", "focus:")

    def __init__(self, address: str) -> None:
        self.conn = open_dbus_connection(bus=address)
        for interface in ("org.a11y.atspi.Event.Object", "org.a11y.atspi.Event.Focus"):
            self.conn.send_and_get_reply(message_bus.AddMatch(MatchRule(type="signal", interface=interface)),
                                         timeout=10)
        registry = DBusAddress("/org/a11y/atspi/registry", bus_name=REGISTRY, interface="org.a11y.atspi.Registry")
        for event in self.EVENTS:
            self.conn.send_and_get_reply(new_method_call(registry, "RegisterEvent", "s", (event,)), timeout=10)
        self.events: list[Event] = []

    def poll(self, timeout: float = 0.0) -> list[Event]:
        """Read what arrived within ``timeout`` seconds; returns every event so far."""
        deadline = time.monotonic() + timeout
        while True:
            # jeepney's receive, not select() on the socket: messages already read into its buffer count too
            try:
                msg = self.conn.receive(timeout=max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                return self.events
            if msg.header.message_type != MessageType.signal:
                continue
            fields, body = msg.header.fields, msg.body
            data: Any = None
            if len(body) >= 4:  # (detail, detail1, detail2, variant data, ...)
                data = body[3][1] if isinstance(body[3], tuple) and len(body[3]) == 2 else body[3]
            self.events.append(Event(fields.get(HeaderFields.member, ""), body[0] if body else "",
                                     body[1] if len(body) > 1 else 0, data,
                                     fields.get(HeaderFields.sender, ""), fields.get(HeaderFields.path, "")))

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 10.0, since: int = 0) -> Event:
        """The first event (from index ``since`` on) that matches; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for event in self.events[seen:]:
                if predicate(event):
                    return event
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no such accessibility event within {timeout:g} s; the last ones: "
                                   f"{self.events[-15:]}")
            self.poll(0.2)

    def close(self) -> None:
        self.conn.close()
