"""What every microphone backend shares: who holds the mic (MicUser), how a backend reports, its retry backoff,
and the choice of backend by operating system.

A backend watches the OS on a thread of its own, event-driven (no polling loop), and reports through two
callbacks, from that thread:

- ``on_users(users)``: the full list of apps holding a microphone now (a snapshot, after every change);
- ``on_status(available, detail)``: the OS source can (or cannot, with a reason) be watched. While it cannot,
  the backend retries with ``Backoff``.

Backends only read metadata (which app has a capture stream open); none opens a recording stream or reads
audio. Heavy or OS-only modules (pulsectl, winreg, CoreAudio) are imported when a backend starts.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Protocol

UsersCallback = Callable[[list["MicUser"]], None]
StatusCallback = Callable[[bool, str], None]


@dataclass(frozen=True)
class MicUser:
    """One app holding a microphone. ``key`` identifies the app across runs (what the agent ticks in
    Settings); ``name`` is what the agent reads; ``binary`` and ``pid`` name the process when the OS says."""

    key: str
    name: str
    binary: str = ""
    pid: int | None = None


def app_key(binary: str, name: str) -> str:
    """The remembered identity of an app: its program file and its application name (one program file can
    serve several apps: Electron, Python, ``pacat`` behind ``parecord``), or whichever of them is known.
    Case-insensitive."""
    binary, name = binary.strip().lower(), name.strip().lower()
    if binary and name and binary != name:
        return f"{binary}:{name}"
    return binary or name


class Backend(Protocol):
    name: str

    def start(self, on_users: UsersCallback, on_status: StatusCallback) -> None: ...

    def stop(self) -> None: ...


class Backoff:
    """Retry delays: ``first`` seconds, doubling up to ``limit``; ``reset`` after a success."""

    def __init__(self, first: float = 1.0, limit: float = 60.0) -> None:
        self.first, self.limit = first, limit
        self._next = first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.limit)
        return delay

    def reset(self) -> None:
        self._next = self.first


class NoBackend:
    """This OS has no way to tell: detection stays unavailable (nothing runs)."""

    name = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def start(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        on_status(False, self.reason)

    def stop(self) -> None:
        pass


def for_platform(platform: str | None = None) -> Backend:
    """The backend for this OS, chosen at start-up."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        from companion.calls.mic_linux import PulseBackend

        return PulseBackend()
    if platform == "win32":
        from companion.calls.mic_windows import ConsentStoreBackend

        return ConsentStoreBackend()
    if platform == "darwin":
        from companion.calls.mic_macos import CoreAudioBackend

        return CoreAudioBackend()
    return NoBackend(f"call detection is not available on {platform}")
