"""The Windows backend against faithful fakes of ``winreg`` and the advapi32/kernel32 calls it makes: a registry
tree whose changes signal the events registered with RegNotifyChangeKeyValue (one-shot, as on Windows), and
kernel events that WaitForMultipleObjects really blocks on."""
from __future__ import annotations

import queue
import threading
import time

import pytest

from companion.calls.mic import Backoff
from companion.calls.mic_windows import (
    CONSENT_STORE,
    REG_NOTIFY_CHANGE_LAST_SET,
    REG_NOTIFY_CHANGE_NAME,
    ConsentStoreBackend,
    describe_packaged,
    describe_program,
)

HKCU = "HKEY_CURRENT_USER"
NP = CONSENT_STORE + r"\NonPackaged"
ZOIPER = NP + r"\C:#Program Files#Zoiper5#Zoiper5.exe"
TEAMS = CONSENT_STORE + r"\MSTeams_8wekyb3d8bbwe"
FILETIME = 133_700_000_000_000_000


class FakeRegistry:
    """HKCU as a tree of keys with values; change notifications as Windows gives them."""

    def __init__(self):
        self.keys: dict[str, dict[str, int]] = {}  # lower-case path -> values (names are case-insensitive)
        self.spelling: dict[str, str] = {}         # lower-case path -> its last segment as written
        self.lock = threading.Lock()
        self.watchers: list[tuple[str, bool, int]] = []  # path, subtree, event handle
        self.kernel32: FakeKernel32 | None = None
        self.handles: dict[int, FakeHKEY] = {}
        self.next_handle = 0x100
        self.open_handles = 0

    def _exists(self, path):
        p = path.lower()
        return p == "" or any(k == p or k.startswith(p + "\\") for k in self.keys)

    def set_value(self, path, name, value):
        with self.lock:
            parts = path.split("\\")
            for i in range(1, len(parts) + 1):
                self.keys.setdefault("\\".join(parts[:i]).lower(), {})
                self.spelling.setdefault("\\".join(parts[:i]).lower(), parts[i - 1])
            self.keys[path.lower()][name] = value
        self._notify(path)

    def _notify(self, path):
        with self.lock:
            fired = [w for w in self.watchers if path.lower() == w[0] or (w[1] and path.lower().startswith(w[0] + "\\"))]
            self.watchers = [w for w in self.watchers if w not in fired]
        for _, _, event in fired:
            self.kernel32.SetEvent(event)


class FakeHKEY:
    def __init__(self, registry, path):
        self.registry, self.path, self.closed = registry, path, False
        registry.next_handle += 4
        self.handle = registry.next_handle
        registry.handles[self.handle] = self
        registry.open_handles += 1

    def __int__(self):
        return self.handle

    def Close(self):
        if not self.closed:
            self.closed = True
            self.registry.open_handles -= 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.Close()


class FakeWinreg:
    """The parts of the stdlib ``winreg`` module the backend uses, with its error behaviour."""

    KEY_READ = 0x20019
    KEY_NOTIFY = 0x0010
    REG_QWORD = 11

    def __init__(self, registry):
        self.registry = registry
        self.HKEY_CURRENT_USER = FakeHKEY(registry, "")
        registry.open_handles -= 1  # the predefined key is never closed

    def OpenKey(self, key, sub_key, reserved=0, access=KEY_READ):
        path = f"{key.path}\\{sub_key}" if key.path else sub_key
        with self.registry.lock:
            if not self.registry._exists(path):
                raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeHKEY(self.registry, path.lower())

    def EnumKey(self, key, index):
        assert not key.closed
        prefix = key.path + "\\" if key.path else ""
        with self.registry.lock:
            children = sorted({k[len(prefix):].split("\\")[0] for k in self.registry.keys
                               if k.startswith(prefix) and k != key.path})
        if index >= len(children):
            raise OSError(22, "No more data is available")  # winreg: [WinError 259]
        return self.registry.spelling[prefix + children[index]]  # case-preserving, as the registry is

    def QueryValueEx(self, key, name):
        assert not key.closed
        with self.registry.lock:
            values = self.registry.keys.get(key.path, {})
            if name not in values:
                raise FileNotFoundError(2, "The system cannot find the file specified")
            return values[name], self.REG_QWORD


class FakeKernel32:
    def __init__(self):
        self.cond = threading.Condition()
        self.events: dict[int, list[bool]] = {}  # handle -> [signalled, manual_reset]
        self.next = 0x500
        self.waits = 0

    def CreateEventW(self, attrs, manual_reset, initial, name):
        with self.cond:
            self.next += 4
            self.events[self.next] = [bool(initial), bool(manual_reset)]
            return self.next

    def SetEvent(self, handle):
        with self.cond:
            self.events[handle][0] = True
            self.cond.notify_all()
        return 1

    def CloseHandle(self, handle):
        with self.cond:
            del self.events[handle]
        return 1

    def _take(self, handles):
        for i, h in enumerate(handles):
            state = self.events.get(h)
            if state and state[0]:
                if not state[1]:
                    state[0] = False
                return i
        return None

    def WaitForSingleObject(self, handle, ms):
        return 0 if self._wait([handle], ms) == 0 else 0x102

    def WaitForMultipleObjects(self, count, handles, wait_all, ms):
        assert not wait_all and count == 2
        return self._wait([handles[i] for i in range(count)], ms)

    def _wait(self, handles, ms):
        deadline = None if ms == 0xFFFFFFFF else time.monotonic() + ms / 1000
        with self.cond:
            self.waits += 1
            while True:
                got = self._take(handles)
                if got is not None:
                    return got
                if deadline is not None and time.monotonic() >= deadline:
                    return 0x102
                self.cond.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))


class FakeAdvapi32:
    def __init__(self, registry):
        self.registry = registry
        self.calls = []

    def RegNotifyChangeKeyValue(self, hkey, subtree, notify_filter, event, asynchronous):
        self.calls.append((hkey, subtree, notify_filter, asynchronous))
        key = self.registry.handles[hkey]
        assert not key.closed and asynchronous
        with self.registry.lock:
            self.registry.watchers.append((key.path, bool(subtree), event))
        return 0


class Reports:
    def __init__(self):
        self.q = queue.Queue()

    def users(self, users):
        self.q.put(("users", [(u.key, u.name) for u in users]))

    def status(self, available, detail):
        self.q.put(("status", available))

    def next(self, timeout=5.0):
        return self.q.get(timeout=timeout)


@pytest.fixture
def win():
    registry = FakeRegistry()
    kernel32 = FakeKernel32()
    registry.kernel32 = kernel32
    advapi32 = FakeAdvapi32(registry)
    reports = Reports()
    backend = ConsentStoreBackend(FakeWinreg(registry), advapi32, kernel32, Backoff(first=0.05, limit=0.05))
    yield registry, backend, reports, advapi32, kernel32
    backend.stop()
    assert kernel32.events == {}  # every event handle closed
    assert registry.open_handles == 0  # every registry key closed


def test_a_desktop_program_starting_and_stopping_to_use_the_mic(win):
    registry, backend, reports, advapi32, _ = win
    registry.set_value(ZOIPER, "LastUsedTimeStart", FILETIME)
    registry.set_value(ZOIPER, "LastUsedTimeStop", FILETIME + 10)
    backend.start(reports.users, reports.status)
    assert reports.next() == ("status", True)
    assert reports.next() == ("users", [])
    registry.set_value(ZOIPER, "LastUsedTimeStart", FILETIME + 100)
    registry.set_value(ZOIPER, "LastUsedTimeStop", 0)  # in use now
    item = reports.next()
    while item == ("users", []):  # the first change (Start) alone may be seen before Stop is 0
        item = reports.next()
    assert item == ("users", [("zoiper5.exe:zoiper5", "Zoiper5")])
    registry.set_value(ZOIPER, "LastUsedTimeStop", FILETIME + 200)
    assert reports.next() == ("users", [])
    hkey, subtree, notify_filter, asynchronous = advapi32.calls[0]
    assert subtree and asynchronous and notify_filter & REG_NOTIFY_CHANGE_LAST_SET \
        and notify_filter & REG_NOTIFY_CHANGE_NAME


def test_a_packaged_app_in_use_is_named_from_its_package_family(win):
    registry, backend, reports, _, _ = win
    registry.set_value(TEAMS, "LastUsedTimeStart", FILETIME)
    registry.set_value(TEAMS, "LastUsedTimeStop", 0)
    backend.start(reports.users, reports.status)
    assert reports.next() == ("status", True)
    assert reports.next() == ("users", [("msteams_8wekyb3d8bbwe:msteams", "MSTeams")])


def test_no_consent_store_is_unavailable_and_retried_until_it_appears(win):
    registry, backend, reports, _, _ = win
    backend.start(reports.users, reports.status)
    assert reports.next() == ("status", False)
    registry.set_value(ZOIPER, "LastUsedTimeStart", FILETIME)
    registry.set_value(ZOIPER, "LastUsedTimeStop", 0)
    item = reports.next()
    while item == ("status", False):
        item = reports.next()
    assert item == ("status", True)
    assert reports.next() == ("users", [("zoiper5.exe:zoiper5", "Zoiper5")])


def test_it_sleeps_between_changes_instead_of_polling(win):
    registry, backend, reports, _, kernel32 = win
    registry.set_value(ZOIPER, "LastUsedTimeStop", 5)
    backend.start(reports.users, reports.status)
    reports.next(), reports.next()
    time.sleep(0.5)
    assert kernel32.waits <= 2  # the stop check and one blocking wait; nothing wakes it up for nothing


def test_names_from_key_names():
    assert describe_program(r"C:#Program Files (x86)#MicroSIP#microsip.exe").name == "microsip"
    assert describe_packaged("Microsoft.WindowsSoundRecorder_8wekyb3d8bbwe").name == "WindowsSoundRecorder"
