"""The macOS backend against a faithful fake of the pyobjc CoreAudio calls it makes (PyObjC's calling convention:
output arguments passed as None and returned after the OSStatus; listener blocks called on CoreAudio's own
thread with the number of addresses and the addresses)."""
from __future__ import annotations

import queue
import struct
import threading

import pytest

from companion.calls.mic import Backoff
from companion.calls.mic_macos import CoreAudioBackend


def fourcc(code: bytes) -> int:
    return struct.unpack(">I", code)[0]


class AudioObjectPropertyAddress:
    """A PyObjC struct wrapper: positional fields, compared by value."""

    def __init__(self, mSelector=0, mScope=0, mElement=0):
        self.mSelector, self.mScope, self.mElement = mSelector, mScope, mElement

    def __eq__(self, other):
        return (self.mSelector, self.mScope, self.mElement) == (other.mSelector, other.mScope, other.mElement)

    def __hash__(self):
        return hash((self.mSelector, self.mScope, self.mElement))


class FakeCoreAudio:
    kAudioObjectSystemObject = 1
    kAudioObjectPropertyScopeGlobal = fourcc(b"glob")
    kAudioObjectPropertyScopeInput = fourcc(b"inpt")
    kAudioHardwarePropertyDevices = fourcc(b"dev#")
    kAudioDevicePropertyStreams = fourcc(b"stm#")
    kAudioDevicePropertyDeviceName = fourcc(b"name")
    kAudioDevicePropertyDeviceIsRunningSomewhere = fourcc(b"gone")
    kAudioHardwareBadObjectError = fourcc(b"!obj")
    AudioObjectPropertyAddress = AudioObjectPropertyAddress

    def __init__(self):
        self.lock = threading.Lock()
        self.devices = {}  # id -> dict(name, inputs, running)
        self.listeners = []  # (object id, address, block)
        self.broken = False

    def add_device(self, device, name, inputs, running=False):
        with self.lock:
            self.devices[device] = {"name": name, "inputs": inputs, "running": running}
        self._fire(self.kAudioObjectSystemObject, self.kAudioHardwarePropertyDevices)

    def set_running(self, device, running):
        with self.lock:
            self.devices[device]["running"] = running
        self._fire(device, self.kAudioDevicePropertyDeviceIsRunningSomewhere)

    def _fire(self, obj, selector):
        with self.lock:
            blocks = [(a, b) for o, a, b in self.listeners if o == obj and a.mSelector == selector]
        for address, block in blocks:  # CoreAudio calls listener blocks on a thread of its own
            t = threading.Thread(target=block, args=(1, [address]))
            t.start()
            t.join()

    def _data(self, obj, address):
        if self.broken:
            return None
        if obj == self.kAudioObjectSystemObject and address.mSelector == self.kAudioHardwarePropertyDevices:
            ids = sorted(self.devices)
            return struct.pack(f"={len(ids)}I", *ids)
        device = self.devices.get(obj)
        if device is None:
            return None
        if address.mSelector == self.kAudioDevicePropertyStreams:
            if address.mScope == self.kAudioObjectPropertyScopeInput:
                return struct.pack(f"={device['inputs']}I", *range(100, 100 + device["inputs"]))
            return b""
        if address.mSelector == self.kAudioDevicePropertyDeviceName:
            return device["name"].encode() + b"\0"
        if address.mSelector == self.kAudioDevicePropertyDeviceIsRunningSomewhere:
            return struct.pack("=I", 1 if device["running"] else 0)
        return None

    def AudioObjectGetPropertyDataSize(self, obj, address, qualifier_size, qualifier, out_size):
        assert out_size is None and qualifier_size == 0
        with self.lock:
            data = self._data(obj, address)
        return (self.kAudioHardwareBadObjectError, 0) if data is None else (0, len(data))

    def AudioObjectGetPropertyData(self, obj, address, qualifier_size, qualifier, io_size, out_data):
        assert out_data is None and qualifier_size == 0
        with self.lock:
            data = self._data(obj, address)
        if data is None:
            return self.kAudioHardwareBadObjectError, 0, None
        data = data[:io_size]
        return 0, len(data), data + b"\0" * (io_size - len(data))

    def AudioObjectAddPropertyListenerBlock(self, obj, address, queue, block):
        assert queue is None and callable(block)
        with self.lock:
            if obj != self.kAudioObjectSystemObject and obj not in self.devices:
                return self.kAudioHardwareBadObjectError
            self.listeners.append((obj, address, block))
        return 0

    def AudioObjectRemovePropertyListenerBlock(self, obj, address, queue, block):
        with self.lock:
            self.listeners.remove((obj, address, block))
        return 0


class Reports:
    def __init__(self):
        self.q = queue.Queue()

    def users(self, users):
        self.q.put(("users", [u.name for u in users]))

    def status(self, available, detail):
        self.q.put(("status", available))

    def next(self):
        return self.q.get(timeout=5)


@pytest.fixture
def mac():
    ca = FakeCoreAudio()
    ca.add_device(40, "MacBook Pro Microphone", inputs=1)
    ca.add_device(41, "MacBook Pro Speakers", inputs=0)
    backend = CoreAudioBackend(ca, Backoff(first=0.05, limit=0.05))
    reports = Reports()
    yield ca, backend, reports
    backend.stop()
    assert ca.listeners == []  # every listener removed


def test_a_running_microphone_is_reported_and_its_stop_too(mac):
    ca, backend, reports = mac
    backend.start(reports.users, reports.status)
    assert reports.next() == ("status", True)
    assert reports.next() == ("users", [])
    ca.set_running(40, True)
    assert reports.next() == ("users", ["Microphone: MacBook Pro Microphone"])
    ca.set_running(40, False)
    assert reports.next() == ("users", [])
    # only input devices are watched: the speakers have no listener
    assert {o for o, _, _ in ca.listeners} == {ca.kAudioObjectSystemObject, 40}


def test_a_headset_plugged_in_is_watched_too(mac):
    ca, backend, reports = mac
    backend.start(reports.users, reports.status)
    reports.next(), reports.next()
    ca.add_device(77, "Jabra Evolve2", inputs=2)
    assert reports.next() == ("status", True)
    ca.set_running(77, True)
    assert reports.next() == ("users", ["Microphone: Jabra Evolve2"])


def test_coreaudio_failing_is_unavailable_and_retried(mac):
    ca, backend, reports = mac
    ca.broken = True
    backend.start(reports.users, reports.status)
    assert reports.next() == ("status", False)
    ca.set_running(40, True)
    ca.broken = False
    item = reports.next()
    while item == ("status", False):
        item = reports.next()
    assert item == ("status", True)
    assert reports.next() == ("users", ["Microphone: MacBook Pro Microphone"])


def test_without_pyobjc_detection_says_why():
    reports = Reports()
    CoreAudioBackend().start(reports.users, reports.status)  # pyobjc-framework-CoreAudio is macOS-only
    assert reports.next() == ("status", False)
