"""The Linux backend against real PulseAudio and PipeWire servers: it names the apps holding the mic, ignores
monitor sources, opens no stream of its own, and comes back after the server restarts."""
from __future__ import annotations

import queue
import time

import pytest

from companion.calls.mic import Backoff
from companion.calls.mic_linux import PulseBackend

TIMEOUT = 20.0


class Reports:
    def __init__(self):
        self.q: queue.Queue = queue.Queue()

    def users(self, users):
        self.q.put(("users", [(u.key, u.name) for u in users]))

    def status(self, available, detail):
        self.q.put(("status", available, detail))

    def wait(self, predicate, what):
        deadline = time.monotonic() + TIMEOUT
        seen = []
        while time.monotonic() < deadline:
            try:
                item = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(item)
            if predicate(item):
                return item
        raise AssertionError(f"never saw {what}; saw {seen}")


@pytest.fixture
def backend(sound, monkeypatch):
    for key, value in sound.client_env().items():
        monkeypatch.setenv(key, value)
    reports = Reports()
    b = PulseBackend(backoff=Backoff(first=0.2, limit=1.0))
    b.start(reports.users, reports.status)
    yield b, reports
    b.stop()
    assert b._thread is None


def test_names_the_app_holding_the_mic_and_sees_it_go(sound, backend):
    b, reports = backend
    reports.wait(lambda i: i[0] == "status" and i[1], "available")
    reports.wait(lambda i: i == ("users", []), "nobody on the mic")
    assert sound.recording_apps() == []  # connected and listening, yet no capture stream of its own
    phone = sound.record("FakeSoftphone")
    reports.wait(lambda i: i[0] == "users" and ("fakesoftphone" if sound.kind == "pipewire" else "pacat:fakesoftphone")
                 in [k for k, _ in i[1]], "the softphone")
    # the detector opened no capture stream of its own: the softphone's is the only one on the server
    assert sound.recording_apps() == ["FakeSoftphone"]
    sound.stop_recording(phone)
    reports.wait(lambda i: i == ("users", []), "the mic released")


def test_recording_the_speakers_monitor_is_not_the_microphone(sound, backend):
    b, reports = backend
    reports.wait(lambda i: i == ("users", []), "nobody on the mic")
    import subprocess

    monitor = subprocess.Popen(["parecord", "--device=spk.monitor", "--property=application.name=ScreenRecorder",
                                "/dev/null"], env=sound.env, stderr=subprocess.DEVNULL)
    try:
        sound._wait_for(lambda: "ScreenRecorder" in sound.recording_apps(), "the monitor stream")
        phone = sound.record("FakeSoftphone")
        item = reports.wait(lambda i: i[0] == "users" and i[1], "a mic user")
        assert [name for _, name in item[1]] == ["FakeSoftphone"]
        sound.stop_recording(phone)
    finally:
        monitor.terminate()
        monitor.wait(10)


def test_the_server_going_away_is_reported_and_detection_comes_back(sound, backend):
    b, reports = backend
    reports.wait(lambda i: i[0] == "status" and i[1], "available")
    sound.kill()
    item = reports.wait(lambda i: i[0] == "status" and not i[1], "unavailable")
    assert "no sound server" in item[2]
    sound.restart()
    reports.wait(lambda i: i[0] == "status" and i[1], "available again")
    sound.record("FakeSoftphone")
    reports.wait(lambda i: i[0] == "users" and "FakeSoftphone" in [n for _, n in i[1]], "the softphone again")


def test_detection_loads_neither_pulsectl_nor_subprocess(sound):
    """Memory (issue 13: at most 5 MB added): a fresh process watching a real server has loaded only the small
    libpulse binding - not pulsectl, and not ctypes.util, which would pull in subprocess."""
    import subprocess
    import sys

    code = ("import queue, sys\n"
            "from companion.calls.mic import Backoff\n"
            "from companion.calls.mic_linux import PulseBackend\n"
            "q = queue.Queue()\n"
            "b = PulseBackend(backoff=Backoff(first=0.2, limit=1.0))\n"
            "b.start(lambda users: q.put(('users', users)), lambda ok, detail: q.put(('status', ok, detail)))\n"
            "while (item := q.get(timeout=20))[0] != 'users': pass\n"
            "b.stop()\n"
            "print(sorted(m for m in sys.modules if m in {'pulsectl', 'ctypes.util', 'subprocess', "
            "'companion.calls.libpulse'}))\n")
    out = subprocess.run([sys.executable, "-c", code], env={**sound.env, **sound.client_env()}, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['companion.calls.libpulse']"
