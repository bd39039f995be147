import os
import socket
import stat
import threading

import pytest

from companion import ipc
from companion.paths import runtime_dir
from ui.ipc_server import IpcServer


@pytest.fixture
def server(controller, qtbot):
    name = str(runtime_dir() / "test.sock")
    srv = IpcServer(name, controller.handle_request)
    assert srv.listen()
    yield srv
    srv.close()


def in_thread(qtbot, fn):
    result = {}

    def run():
        try:
            result["value"] = fn()
        except Exception as exc:  # handed back to the test
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
    if "error" in result:
        raise result["error"]
    return result["value"]


def raw(server, data: bytes) -> bytes:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(server.name)
    sock.sendall(data)
    chunks = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        chunks += chunk
    sock.close()
    return chunks


def test_call_start_and_end_over_the_socket(server, qtbot, desk, db):
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "4711"}))
    assert answer["ok"] and "4711" in answer["message"] and desk.state() == "on_call"
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.end", "tough": True}))
    assert answer["ok"] and answer["offer_reset"] is True
    with db.reading() as s:
        (row,) = s.all("SELECT * FROM calls")
    assert row.ref == "4711" and row.tough and row.handle_seconds is not None


def test_reset_and_status_over_the_socket(server, qtbot, controller):
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "reset", "minutes": 3, "pattern": "sigh"}))
    assert answer["ok"] and controller.windows["reset"].session.planned_seconds == 180
    status = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "status"}))
    assert status["status"]["state"] == "reset" and status["message"] == "Taking a reset"


def test_refusals_come_back_as_errors(server, qtbot, desk):
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.end"}))
    assert answer == {"ok": False, "error": "No call is in progress."}
    desk.start_call()
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "reset", "minutes": 1}))
    assert not answer["ok"] and "on a call" in answer["error"] and desk.resets.current is None


@pytest.mark.parametrize("data, reason", [
    (b"hello\n", "not JSON"),
    (b'{"v": 1, "cmd": "format-disk"}\n', "unknown command"),
    (b'{"v": 1, "cmd": "call.start", "ref": "<b>x</b>"}\n', "call reference"),
    (b"x" * 10000, "longer than"),
])
def test_malformed_messages_change_nothing(server, qtbot, desk, db, data, reason):
    answer = in_thread(qtbot, lambda: raw(server, data))
    assert b'"ok":false' in answer and reason.encode() in answer
    assert desk.state() == "ready"
    with db.reading() as s:
        assert s.all("SELECT * FROM calls") == []


def test_a_silent_client_is_dropped(server, qtbot, monkeypatch):
    monkeypatch.setattr("ui.ipc_server.CLIENT_TIMEOUT_MS", 100)
    answer = in_thread(qtbot, lambda: raw(server, b'{"v": 1, "cmd": "status"}'))  # no newline, then waits
    assert answer == b""


def test_socket_is_private_to_this_user(server):
    folder = os.path.dirname(server.name)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert os.stat(folder).st_uid == os.getuid()
    assert stat.S_IMODE(os.stat(server.name).st_mode) & 0o077 == 0


def test_stale_socket_file_is_replaced(controller, qtbot):
    name = str(runtime_dir() / "stale.sock")
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(name)
    leftover.close()  # a crashed instance left its socket file
    srv = IpcServer(name, controller.handle_request)
    assert srv.listen()
    answer = in_thread(qtbot, lambda: ipc.send(name, {"cmd": "status"}))
    assert answer["ok"]
    srv.close()


def test_another_user_cannot_connect(server, tmp_path):
    """The socket folder is 0700: another account gets 'permission denied' before reaching the app."""
    if os.geteuid() != 0:  # CI runs as root; a developer's own account cannot switch users
        pytest.skip("switching to the 'nobody' account needs root")
    import shutil
    import subprocess

    python = shutil.which("python3", path="/usr/bin:/bin")
    code = ("import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('refused')\n"
            "else:\n    print('connected')\n")
    out = subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", code, server.name],
                         capture_output=True, text=True, timeout=30, cwd="/")
    assert out.stdout.strip() == "refused", out.stdout + out.stderr


def test_call_start_over_an_open_call_says_what_happened(server, qtbot, desk, caplog):
    caplog.set_level("INFO")
    first = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "A1"}))
    again = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "A1"}))
    other = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "B2"}))
    assert first["message"] == "Call started (A1); notifications held."
    assert again["message"] == "Call (A1) is already in progress." and again["outcome"] == "continued"
    assert other["message"].startswith("The previous call (A1) was still open; it was ended. Call started (B2)")
    refused = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "reset"}))
    assert not refused["ok"] and "refused reset" in caplog.text  # refusals are logged


def test_call_start_during_a_reset_says_the_reset_ended(server, qtbot, controller, desk):
    window = controller.open_reset(3, None, "tray")
    answer = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "C3"}))
    assert answer["ok"] and answer["message"] == (
        "Call started (C3); notifications held. The reset that was running has ended (it is recorded).")
    assert not window.isVisible() and desk.state() == "on_call"
    plain = in_thread(qtbot, lambda: ipc.send(server.name, {"cmd": "call.start", "ref": "D4"}))
    assert "reset" not in plain["message"]  # only said when a reset really was ended
