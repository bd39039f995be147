"""macOS: is a microphone in use, from CoreAudio (pyobjc-framework-CoreAudio, an optional dependency on macOS).

For every audio device with input streams, ``kAudioDevicePropertyDeviceIsRunningSomewhere`` says whether any
process is doing I/O on it; a property listener block (``AudioObjectAddPropertyListenerBlock`` with no
dispatch queue: CoreAudio calls it on a thread of its own) reports each change, and one on the system object's
device list follows microphones being plugged in or out. No polling, no thread of ours except a short-lived
one that retries with backoff when CoreAudio cannot be read. Nothing opens an audio stream.

CoreAudio tells that a microphone runs, not which app runs it: each running input device is reported as one
"app" named after the microphone (e.g. "Microphone: MacBook Pro Microphone"); the agent ticks it as the
softphone in Settings like any app. The CoreAudio module is injected so the tests run against a faithful fake
(tests/core/test_mic_macos.py).
"""
from __future__ import annotations

import logging
import struct
import threading
from typing import Any

from companion.calls.mic import Backoff, MicUser, StatusCallback, UsersCallback

log = logging.getLogger(__name__)

ELEMENT_MAIN = 0  # kAudioObjectPropertyElementMain (formerly ...Master)
NAME_BYTES = 256


class CoreAudioError(OSError):
    pass


class CoreAudioBackend:
    name = "coreaudio"

    def __init__(self, coreaudio: Any = None, backoff: Backoff | None = None) -> None:
        self._ca = coreaudio
        self._backoff = backoff or Backoff()
        self._lock = threading.Lock()
        self._listening: list[tuple[int, Any]] = []  # (object id, address) with our block
        self._block: Any = None
        self._stopped = threading.Event()
        self._retry: threading.Thread | None = None
        self._on_users: UsersCallback | None = None
        self._on_status: StatusCallback | None = None
        self._last: list[MicUser] | None = None

    # -- CoreAudio calls ------------------------------------------------------------------------------
    def _address(self, selector: int, scope: int | None = None) -> Any:
        ca = self._ca
        return ca.AudioObjectPropertyAddress(selector, ca.kAudioObjectPropertyScopeGlobal if scope is None
                                             else scope, ELEMENT_MAIN)

    def _get(self, obj: int, address: Any, size: int) -> bytes:
        status, got, data = self._ca.AudioObjectGetPropertyData(obj, address, 0, None, size, None)
        if status != 0:
            raise CoreAudioError(status, f"AudioObjectGetPropertyData failed ({status})")
        return bytes(data)[:got]

    def _size(self, obj: int, address: Any) -> int:
        status, size = self._ca.AudioObjectGetPropertyDataSize(obj, address, 0, None, None)
        if status != 0:
            raise CoreAudioError(status, f"AudioObjectGetPropertyDataSize failed ({status})")
        return size

    def input_devices(self) -> list[int]:
        ca = self._ca
        devices_addr = self._address(ca.kAudioHardwarePropertyDevices)
        size = self._size(ca.kAudioObjectSystemObject, devices_addr)
        raw = self._get(ca.kAudioObjectSystemObject, devices_addr, size)
        ids = struct.unpack(f"={len(raw) // 4}I", raw[: len(raw) // 4 * 4])
        streams = self._address(ca.kAudioDevicePropertyStreams, ca.kAudioObjectPropertyScopeInput)
        return [d for d in ids if self._size(d, streams) > 0]

    def device_name(self, device: int) -> str:
        raw = self._get(device, self._address(self._ca.kAudioDevicePropertyDeviceName), NAME_BYTES)
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace") or f"input device {device}"

    def is_running(self, device: int) -> bool:
        raw = self._get(device, self._address(self._ca.kAudioDevicePropertyDeviceIsRunningSomewhere), 4)
        return struct.unpack("=I", raw[:4])[0] != 0

    def mic_users(self, devices: list[int]) -> list[MicUser]:
        users = []
        for device in devices:
            if self.is_running(device):
                name = self.device_name(device)
                users.append(MicUser(f"macos-input:{name.lower()}", f"Microphone: {name}", "", None))
        return sorted(users, key=lambda u: u.key)

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self, on_users: UsersCallback, on_status: StatusCallback) -> None:
        if self._ca is None:
            try:
                import CoreAudio  # pyobjc-framework-CoreAudio
            except ImportError as exc:
                on_status(False, f"pyobjc-framework-CoreAudio is not installed ({exc})")
                return
            self._ca = CoreAudio
        self._on_users, self._on_status = on_users, on_status

        def changed(_count: int, _addresses: Any) -> None:  # CoreAudio's listener thread
            self._changed()

        self._block = changed
        self._setup_or_retry()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._remove_listeners()
        if self._retry is not None:
            self._retry.join(5)
            self._retry = None

    def _remove_listeners(self) -> None:
        for obj, address in self._listening:
            self._ca.AudioObjectRemovePropertyListenerBlock(obj, address, None, self._block)
        self._listening = []

    def _listen(self, obj: int, address: Any) -> None:
        status = self._ca.AudioObjectAddPropertyListenerBlock(obj, address, None, self._block)
        if status != 0:
            raise CoreAudioError(status, f"AudioObjectAddPropertyListenerBlock failed ({status})")
        self._listening.append((obj, address))

    def _setup(self) -> None:
        """(Re)register the listeners on the device list and on each input device, then report."""
        ca = self._ca
        with self._lock:
            if self._stopped.is_set():
                return
            self._remove_listeners()
            self._listen(ca.kAudioObjectSystemObject, self._address(ca.kAudioHardwarePropertyDevices))
            devices = self.input_devices()
            for device in devices:
                self._listen(device, self._address(ca.kAudioDevicePropertyDeviceIsRunningSomewhere))
            self._devices = devices
            users = self.mic_users(devices)
        self._on_status(True, "CoreAudio")
        self._report(users)

    def _report(self, users: list[MicUser]) -> None:
        if users != self._last:
            self._last = users
            self._on_users(users)

    def _changed(self) -> None:
        """A listener fired: a device started or stopped, or the device list changed."""
        try:
            with self._lock:
                if self._stopped.is_set():
                    return
                devices = self.input_devices()
                fresh = devices != getattr(self, "_devices", None)
            if fresh:
                self._setup()
            else:
                with self._lock:
                    users = self.mic_users(devices)
                self._report(users)
        except CoreAudioError as exc:
            self._failed(exc)

    def _setup_or_retry(self) -> None:
        try:
            self._setup()
            self._backoff.reset()
        except CoreAudioError as exc:
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        log.warning("call detection: CoreAudio cannot be read (%s); retrying", exc)
        with self._lock:
            try:
                self._remove_listeners()
            except Exception:  # noqa: BLE001 - the listeners may already be gone with the device
                self._listening = []
        self._last = None
        self._on_status(False, f"CoreAudio cannot be read ({exc})")
        if self._stopped.is_set() or (self._retry is not None and self._retry.is_alive()):
            return

        def retry() -> None:
            while not self._stopped.wait(self._backoff.next()):
                try:
                    self._setup()
                    self._backoff.reset()
                    return
                except CoreAudioError as again:
                    self._on_status(False, f"CoreAudio cannot be read ({again})")

        self._retry = threading.Thread(target=retry, name="call-detection-retry", daemon=True)
        self._retry.start()
