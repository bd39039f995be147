"""Windows: which apps use the microphone, from the privacy settings' consent store (Windows 10 1903 and later).

Windows records each app's microphone use under
``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore\\microphone``: one
subkey per packaged (Store) app, named by its package family, and under ``NonPackaged`` one per desktop
program, named by its path with ``#`` for ``\\``. Each has ``LastUsedTimeStart`` and ``LastUsedTimeStop``
(FILETIME, QWORD); ``LastUsedTimeStop == 0`` after a start means "using the microphone now". This is what the
taskbar's microphone icon shows; nothing here touches audio.

A thread of its own reads the keys with the standard library ``winreg`` and sleeps in
``WaitForMultipleObjects`` on an event that ``RegNotifyChangeKeyValue`` (advapi32, through ctypes) signals when
anything under the key changes, or on the stop event: no polling. The registry functions and the two DLLs are
injected so the tests run them against faithful fakes (tests/core/test_mic_windows.py).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from companion.calls.mic import Backoff, MicUser, StatusCallback, UsersCallback, app_key

log = logging.getLogger(__name__)

CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\microphone"
NON_PACKAGED = "NonPackaged"

REG_NOTIFY_CHANGE_NAME = 0x00000001
REG_NOTIFY_CHANGE_LAST_SET = 0x00000004
REG_NOTIFY_THREAD_AGNOSTIC = 0x10000000
NOTIFY_FILTER = REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET | REG_NOTIFY_THREAD_AGNOSTIC
ERROR_SUCCESS = 0
WAIT_OBJECT_0 = 0
WAIT_TIMEOUT = 0x102
INFINITE = 0xFFFFFFFF


def _subkeys(winreg: Any, key: Any) -> list[str]:
    names, i = [], 0
    while True:
        try:
            names.append(winreg.EnumKey(key, i))
        except OSError:  # ERROR_NO_MORE_ITEMS
            return names
        i += 1


def _in_use(winreg: Any, parent: Any, name: str) -> bool:
    try:
        with winreg.OpenKey(parent, name, 0, winreg.KEY_READ) as key:
            stop, _ = winreg.QueryValueEx(key, "LastUsedTimeStop")
            try:
                start, _ = winreg.QueryValueEx(key, "LastUsedTimeStart")
            except FileNotFoundError:
                start = 1
    except FileNotFoundError:  # no use recorded yet, or the key went away while we read
        return False
    return stop == 0 and start != 0


def describe_packaged(family: str) -> MicUser:
    """``Microsoft.WindowsSoundRecorder_8wekyb3d8bbwe`` -> WindowsSoundRecorder."""
    name = family.split("_", 1)[0].rsplit(".", 1)[-1] or family
    return MicUser(app_key(family, name), name, family, None)


def describe_program(key_name: str) -> MicUser:
    """``C:#Program Files#Zoiper5#Zoiper5.exe`` -> Zoiper5 (Zoiper5.exe)."""
    path = key_name.replace("#", "\\")
    binary = path.rsplit("\\", 1)[-1]
    name = binary[:-4] if binary.lower().endswith(".exe") else binary
    return MicUser(app_key(binary, name), name or binary, binary, None)


def mic_users(winreg: Any, root: Any) -> list[MicUser]:
    users: dict[str, MicUser] = {}
    for name in _subkeys(winreg, root):
        if name == NON_PACKAGED:
            try:
                with winreg.OpenKey(root, NON_PACKAGED, 0, winreg.KEY_READ) as programs:
                    for program in _subkeys(winreg, programs):
                        if _in_use(winreg, programs, program):
                            user = describe_program(program)
                            users.setdefault(user.key, user)
            except FileNotFoundError:
                continue
        elif _in_use(winreg, root, name):
            user = describe_packaged(name)
            users.setdefault(user.key, user)
    return sorted(users.values(), key=lambda u: u.key)


def _win32() -> tuple[Any, Any]:
    """advapi32 and kernel32 with the signatures used here."""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32.RegNotifyChangeKeyValue.argtypes = [wintypes.HKEY, wintypes.BOOL, wintypes.DWORD, wintypes.HANDLE,
                                                 wintypes.BOOL]
    advapi32.RegNotifyChangeKeyValue.restype = wintypes.LONG
    kernel32.CreateEventW.argtypes = [wintypes.LPVOID, wintypes.BOOL, wintypes.BOOL, wintypes.LPCWSTR]
    kernel32.CreateEventW.restype = wintypes.HANDLE
    kernel32.SetEvent.argtypes = [wintypes.HANDLE]
    kernel32.SetEvent.restype = wintypes.BOOL
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    kernel32.CloseHandle.restype = wintypes.BOOL
    kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    kernel32.WaitForSingleObject.restype = wintypes.DWORD
    kernel32.WaitForMultipleObjects.argtypes = [wintypes.DWORD, ctypes.POINTER(wintypes.HANDLE), wintypes.BOOL,
                                                wintypes.DWORD]
    kernel32.WaitForMultipleObjects.restype = wintypes.DWORD
    return advapi32, kernel32


class ConsentStoreBackend:
    name = "windows-consent-store"

    def __init__(self, winreg_module: Any = None, advapi32: Any = None, kernel32: Any = None,
                 backoff: Backoff | None = None) -> None:
        self._winreg = winreg_module
        self._advapi32, self._kernel32 = advapi32, kernel32
        self._backoff = backoff or Backoff()
        self._thread: threading.Thread | None = None
        self._stop_event: Any = None

    def start(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        try:
            if self._winreg is None:
                import winreg

                self._winreg = winreg
            if self._kernel32 is None:
                self._advapi32, self._kernel32 = _win32()
        except (ImportError, OSError, AttributeError) as exc:
            on_status(False, f"the Windows registry cannot be watched here: {exc}")
            return
        self._stop_event = self._kernel32.CreateEventW(None, True, False, None)  # manual reset: stays set
        self._thread = threading.Thread(target=self._run, args=(on_users, on_status), name="call-detection",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._kernel32.SetEvent(self._stop_event)
        self._thread.join(5)
        self._thread = None
        self._kernel32.CloseHandle(self._stop_event)
        self._stop_event = None

    def _stopped(self, wait_seconds: float = 0) -> bool:
        ms = int(wait_seconds * 1000)
        return self._kernel32.WaitForSingleObject(self._stop_event, ms) == WAIT_OBJECT_0

    def _run(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        import ctypes
        from ctypes import wintypes

        winreg, advapi32, kernel32 = self._winreg, self._advapi32, self._kernel32
        changed = kernel32.CreateEventW(None, False, False, None)  # auto reset
        handles = (wintypes.HANDLE * 2)(changed, self._stop_event)
        try:
            while not self._stopped():
                try:
                    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, CONSENT_STORE, 0,
                                        winreg.KEY_READ | winreg.KEY_NOTIFY) as root:
                        on_status(True, "Windows privacy settings")
                        self._backoff.reset()
                        last = None
                        while True:
                            # Arm first, then read: a change between the two still signals the event.
                            rc = advapi32.RegNotifyChangeKeyValue(int(root), True, NOTIFY_FILTER, changed, True)
                            if rc != ERROR_SUCCESS:
                                raise OSError(rc, f"RegNotifyChangeKeyValue failed ({rc})")
                            users = mic_users(winreg, root)
                            if users != last:
                                on_users(users)
                                last = users
                            woke = kernel32.WaitForMultipleObjects(2, handles, False, INFINITE)
                            if woke != WAIT_OBJECT_0:  # the stop event, or a failed wait
                                if woke == WAIT_OBJECT_0 + 1:
                                    return
                                raise OSError(ctypes.get_last_error() if hasattr(ctypes, "get_last_error")
                                              else 0, f"WaitForMultipleObjects returned {woke:#x}")
                except OSError as exc:  # the key is missing (older Windows, policy) or cannot be watched
                    log.warning("call detection: the microphone consent store cannot be read (%s)", exc)
                    on_status(False, f"the microphone privacy settings cannot be read ({exc.strerror or exc})")
                if self._stopped(self._backoff.next()):
                    return
        finally:
            kernel32.CloseHandle(changed)
