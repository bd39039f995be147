"""Linux: which apps record from a microphone, from PulseAudio or PipeWire (through pipewire-pulse).

A thread of its own connects through ``companion.calls.libpulse`` (a minimal ctypes binding, imported when the
backend starts; ``pulsectl`` cost 2.3 MB more RSS), subscribes to
source-output events and sleeps in libpulse's poll until the server says something changed (no polling
loop, no timeout): then it lists the source outputs (the capture streams) and reports the apps behind those
on a real source. Streams on a ``.monitor`` source (recording what the speakers play) and paused (corked)
streams are not "using the microphone".

It only reads stream metadata (the stream list and each stream's properties: application name, program file,
process id). It never creates a stream, so it cannot record or read audio (the binding declares no stream
call at all).

When the server is absent or goes away (a restart mid-shift) it reports "unavailable" and tries again after
1, 2, 4 ... 60 s; autospawn is off, so it never starts a sound server itself.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from companion.calls.mic import Backoff, MicUser, StatusCallback, UsersCallback, app_key

log = logging.getLogger(__name__)

CLIENT_NAME = "Agent Companion call detection"


def mic_users(pulse: Any) -> list[MicUser]:
    """The apps with an uncorked capture stream on a real (non-monitor) source, one entry per app."""
    sources = {s.index: s.name for s in pulse.source_list()}
    users: dict[str, MicUser] = {}
    for stream in pulse.source_output_list():
        source = sources.get(stream.source, "")
        if not source or source.endswith(".monitor") or stream.corked:
            continue
        props = stream.proplist
        binary = props.get("application.process.binary", "") or ""
        name = props.get("application.name", "") or binary or stream.name or ""
        try:
            pid: int | None = int(props.get("application.process.id", ""))
        except ValueError:
            pid = None
        key = app_key(binary, name)
        if key and key not in users:
            users[key] = MicUser(key, name, binary, pid)
    return sorted(users.values(), key=lambda u: u.key)


class PulseBackend:
    name = "pulse"

    def __init__(self, libpulse_module: Any = None, backoff: Backoff | None = None) -> None:
        self._libpulse = libpulse_module
        self._backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pulse: Any = None

    def start(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        if self._libpulse is None:
            try:
                from companion.calls import libpulse

                libpulse.load()
            except OSError as exc:  # libpulse.so.0 missing
                on_status(False, f"libpulse not available: {exc}")
                return
            self._libpulse = libpulse
        self._thread = threading.Thread(target=self._run, args=(on_users, on_status), name="call-detection",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 6.0) -> None:
        """Stop the thread: it leaves libpulse's poll at once (or, mid-connect, within the connect timeout;
        after ``timeout`` it is left to die with the process: it is a daemon thread)."""
        import time

        self._stop.set()
        thread = self._thread
        deadline = time.monotonic() + timeout
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            pulse = self._pulse
            if pulse is not None:
                pulse.wakeup()  # repeat until the thread is out (it may be between two waits)
            thread.join(0.05)
        self._thread = None

    def _run(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        libpulse = self._libpulse
        available: bool | None = None
        while not self._stop.is_set():
            pulse = None
            try:
                pulse = libpulse.Connection(CLIENT_NAME)
                pulse.connect(timeout=5)
                self._pulse = pulse
                server_name, server_version = pulse.server_info()
                on_status(True, f"{server_name} {server_version}".strip())
                if available is False:
                    log.info("call detection: sound server back (%s)", server_name)
                available = True
                self._backoff.reset()
                last = None
                while not self._stop.is_set():
                    pulse.changed = False
                    users = mic_users(pulse)
                    if users != last:
                        on_users(users)
                        last = users
                    pulse.wait()  # sleeps in poll until an event (or stop, or the server going away)
            except Exception as exc:  # noqa: BLE001 - whatever happens, detection must carry on
                gone = isinstance(exc, libpulse.PulseError)
                if gone and str(exc).startswith("cannot connect"):
                    reason = "cannot connect"
                elif gone:
                    reason = "connection lost"
                else:
                    reason = str(exc) or type(exc).__name__
                if not gone:
                    log.exception("call detection: unexpected failure")
                elif available is not False:
                    log.warning("call detection: sound server unavailable (%s: %s); retrying", reason, exc)
                available = False
                self._pulse = None
                on_status(False, f"no sound server ({reason})" if gone else f"error: {exc}")
            finally:
                self._pulse = None
                if pulse is not None:
                    pulse.close()
            if not self._stop.is_set():
                self._stop.wait(self._backoff.next())
