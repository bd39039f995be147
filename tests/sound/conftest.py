"""A real sound server per test (tests/sound_servers.py), PulseAudio and PipeWire alike. Missing programs make
the tests FAIL, not skip: CI installs them (scripts/setup)."""
from __future__ import annotations

import pytest

from tests.sound_servers import SoundServer, SoundServerError, missing_programs


@pytest.fixture(params=["pulse", "pipewire"])
def sound(request, tmp_path):
    missing = missing_programs(request.param)
    if missing:
        pytest.fail(f"{request.param}: missing {missing}; run scripts/setup", pytrace=False)
    server = SoundServer(request.param, tmp_path)
    try:
        server.start()
    except SoundServerError as exc:
        server.stop()
        pytest.fail(f"the {request.param} sound server did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
