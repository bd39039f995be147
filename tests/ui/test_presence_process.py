"""Presence hooks in the real app process: a loopback HTTP server stands in for the ACD's REST routing-status
API and receives "Not Ready - Wellness" then "Available" from real `curl`, around real resets started with
`companion reset` (the worked example of docs/operations.md, through IT's operations config)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.process import COMPANION, wait_for_line

CURL = shutil.which("curl")


class StandInAcd:
    """PUT /api/v2/users/me/routingstatus with a JSON body, as many ACDs' REST APIs take it. Records each
    request; ``hold`` keeps the "Not Ready" answer back until released; ``fail`` answers 503."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.received = threading.Condition()
        self.hold = threading.Event()
        self.hold.set()
        self.fail = False
        acd = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with acd.received:
                    acd.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                    acd.received.notify_all()
                if body.get("status") == "NOT_READY":
                    acd.hold.wait(30)
                self.send_response(503 if acd.fail else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2/users/me/routingstatus"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        with self.received:
            if not self.received.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"the ACD got {self.requests}, expected {count} requests")
            return list(self.requests)

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def acd():
    if CURL is None:
        pytest.fail("curl is missing: scripts/setup installs it", pytrace=False)
    server = StandInAcd()
    yield server
    server.close()


def operations_config(path: Path, url: str) -> Path:
    """The worked example of docs/operations.md, pointed at the stand-in ACD: the agent's token is read by curl
    from a file in their home ($HOME is the agent's own, filled in by Agent Companion)."""
    header = Path(os.environ["HOME"]) / ".config" / "acd" / "auth-header"
    header.parent.mkdir(parents=True, exist_ok=True)
    header.write_text("Authorization: Bearer test-token\n")
    header.chmod(0o600)
    common = f"curl -fsS --max-time 8 -X PUT -H @$HOME/.config/acd/auth-header " \
             f"-H 'Content-Type: application/json' {url}"
    path.write_text(
        "[presence_hooks]\n"
        f"reset_start = \"\"\"{common} --data '{{\"status\": \"NOT_READY\", \"reason\": \"Wellness\", "
        f"\"minutes\": $COMPANION_RESET_MINUTES}}'\"\"\"\n"
        f"reset_end = \"\"\"{common} --data '{{\"status\": \"AVAILABLE\", "
        f"\"after\": \"$COMPANION_RESET_REASON\"}}'\"\"\"\n"
        "timeout_seconds = 10\n")
    path.chmod(0o644)
    return path


@pytest.fixture
def app(tmp_path, acd):
    procs = []

    def _start(data: Path, ops: Path):
        ready = data.parent / f"{data.name}.ready"
        env = {**os.environ, "COMPANION_READY_FILE": str(ready), "COMPANION_OPERATIONS_CONFIG": str(ops)}
        proc = subprocess.Popen([COMPANION, "--data-dir", str(data)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        wait_for_line(ready, "services-ready")
        return proc

    yield _start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stderr.close()


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COMPANION, *args, "--data-dir", str(data)], capture_output=True, text=True, timeout=30)


def test_the_acd_gets_not_ready_then_available_around_real_resets(app, acd, tmp_path):
    data = tmp_path / "agent"
    proc = app(data, operations_config(tmp_path / "operations.toml", acd.url))

    # 1. A reset: "Not Ready - Wellness" for 2 minutes. The ACD is slow to answer; the app is not held up.
    acd.hold.clear()
    assert cli(data, "reset", "--minutes", "2").returncode == 0
    (first,) = acd.wait_for(1)
    assert first == {"path": "/api/v2/users/me/routingstatus", "auth": "Bearer test-token",
                     "status": "NOT_READY", "reason": "Wellness", "minutes": 2}
    status = cli(data, "status")  # answered while the hook still waits for the ACD
    assert status.returncode == 0 and status.stdout.strip() == "Taking a reset"
    acd.hold.set()

    # 2. A call comes in: the reset ends and the ACD hears "Available" (the call itself then makes the agent
    # busy there); nothing runs during or after the call.
    assert cli(data, "call", "start", "--ref", "C1").returncode == 0
    requests = acd.wait_for(2)
    assert requests[1]["status"] == "AVAILABLE" and requests[1]["after"] == "call-started"
    assert cli(data, "call", "end").returncode == 0

    # 3. A reset ended by quitting the app: the app waits for the end hook before it exits.
    assert cli(data, "reset").returncode == 0
    requests = acd.wait_for(3)
    assert requests[2]["status"] == "NOT_READY" and requests[2]["minutes"] == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    requests = acd.wait_for(4)
    assert [(r["status"], r.get("after")) for r in requests] == [
        ("NOT_READY", None), ("AVAILABLE", "call-started"), ("NOT_READY", None), ("AVAILABLE", "quit")]
    log = (data / "companion.log").read_text()
    assert log.count("presence hook reset-start ran (curl") == 2 and log.count("presence hook reset-end ran") == 2
    assert "test-token" not in log


def test_an_acd_that_refuses_is_logged_and_the_reset_goes_on(app, acd, tmp_path):
    data = tmp_path / "agent"
    acd.fail = True
    proc = app(data, operations_config(tmp_path / "operations.toml", acd.url))
    for count in (2, 4):
        assert cli(data, "reset").returncode == 0
        acd.wait_for(count - 1)
        assert cli(data, "status").stdout.strip().startswith("Taking a reset")
        assert cli(data, "call", "start").returncode == 0  # ends the reset
        acd.wait_for(count)
        assert cli(data, "call", "end").returncode == 0
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    log = (data / "companion.log").read_text()  # complete: the app waited for its hooks before it exited
    assert log.count("presence hook reset-start (curl) failed: exit status 22") == 2
    assert log.count("presence hook reset-end (curl) failed: exit status 22") == 2


def test_an_operations_config_another_user_could_write_turns_hooks_off_with_a_clear_message(app, acd, tmp_path):
    data = tmp_path / "agent"
    ops = operations_config(tmp_path / "operations.toml", acd.url)
    ops.chmod(0o666)  # anyone on the machine could plant a command the agent would run
    proc = app(data, ops)
    assert cli(data, "reset").returncode == 0
    assert cli(data, "call", "start").returncode == 0
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert acd.requests == []
    log = (data / "companion.log").read_text()
    assert "is not trusted" in log and "Presence hooks are off" in log
