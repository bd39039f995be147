"""The real app (offscreen) beside a real PulseAudio / PipeWire: a stand-in softphone (parecord / pw-record named
"Zoiper", one of the shipped suggestions) opening the null mic is a call within 3 s - the checklist panel opens,
notifications are held - and its release ends the call within 6 s; a 1-second blip does not split the call; an
app that is not the softphone is ignored; the app opens no capture stream of its own; it survives the sound
server being killed and started again."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.process import COMPANION, wait_for_line

START_WITHIN = 3.0
END_WITHIN = 6.0


def events(ready: Path, prefix: str) -> list[dict]:
    if not ready.exists():
        return []
    return [json.loads(line[len(prefix) + 1:]) for line in ready.read_text().splitlines()
            if line.startswith(prefix + " ")]


def wait_event(ready: Path, prefix: str, count: int = 1, timeout: float = 30.0, where=None) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in events(ready, prefix) if where is None or where(e)]
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.02)
    raise AssertionError(f"no {count}x {prefix!r} in {ready.read_text() if ready.exists() else '-'}")


def detection_state(data: Path) -> str:
    """What the tray's tooltip and state line go by: the status the running app answers on its socket."""
    from companion import ipc
    from companion.paths import Paths

    return ipc.send(Paths(data).server_name, {"cmd": "status"})["status"]["detection"]


def status(data: Path) -> str:
    done = subprocess.run([COMPANION, "status", "--data-dir", str(data)], capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


@pytest.fixture
def app(sound, tmp_path):
    data = tmp_path / "agent"
    ready = tmp_path / "agent.ready"
    env = {**os.environ, **sound.client_env(), "COMPANION_READY_FILE": str(ready)}
    proc = subprocess.Popen([COMPANION, "--data-dir", str(data)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(ready, "services-ready", timeout=60)
        wait_event(ready, "detection", where=lambda e: e["status"] == "on")
        yield proc, data, ready
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            proc.stderr.close()


def test_a_softphone_on_the_mic_is_a_call(sound, app):
    proc, data, ready = app
    # an app that is not the softphone is ignored
    other = sound.record("Audacity")
    time.sleep(5)
    assert events(ready, "call-detected") == [] and status(data) == "Ready"
    sound.stop_recording(other)

    opened = time.monotonic()
    phone = sound.record("Zoiper")
    started = wait_event(ready, "call-detected", timeout=30)
    assert started["mono"] - opened <= START_WITHIN, started["mono"] - opened
    assert started["panel"] and started["held"]  # exactly what `companion call start` does
    assert status(data) == "On a call"
    # it only reads metadata: the softphone's stream is the only capture stream on the server
    assert sound.recording_apps() == ["Zoiper"]

    # a 1-second blip (hold, transfer) does not split the call
    sound.stop_recording(phone)
    time.sleep(1)
    phone = sound.record("Zoiper")
    time.sleep(END_WITHIN + 1)
    assert events(ready, "call-detected-end") == [] and len(events(ready, "call-detected")) == 1
    assert status(data) == "On a call"

    sound.stop_recording(phone)
    released = time.monotonic()
    ended = wait_event(ready, "call-detected-end", timeout=30)
    assert ended["mono"] - released <= END_WITHIN, ended["mono"] - released
    assert status(data) == "Ready"


def test_detection_survives_the_sound_server_restarting(sound, app):
    proc, data, ready = app
    sound.kill()
    wait_event(ready, "detection", where=lambda e: e["status"] == "unavailable")
    assert detection_state(data) == "unavailable"  # the tray's tooltip and state line say so
    assert status(data) == "Ready"  # everything else works
    sound.restart()
    wait_event(ready, "detection", count=2, where=lambda e: e["status"] == "on", timeout=90)
    assert detection_state(data) == "on"
    opened = time.monotonic()
    sound.record("Zoiper")
    started = wait_event(ready, "call-detected", timeout=30)
    assert started["mono"] - opened <= START_WITHIN
    assert proc.poll() is None
