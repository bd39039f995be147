"""A busy local socket (issue 14.5): when the app's listen backlog is full a connect fails at once with
EAGAIN; the CLI must say "not answering" with exit status 3 (not 1), and `companion migrate` must not take it
for "nobody runs here"."""
import socket
import threading

import pytest

from companion import cli, ipc
from companion.paths import Paths


@pytest.fixture
def busy_socket(tmp_path):
    """A listener that never accepts, its backlog filled by other clients: as an app stuck on a long task
    (or a local user flooding the socket) looks to the next `companion call start`."""
    data = tmp_path / "agent"
    name = Paths(data).server_name
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen(0)
    fillers = []
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.setblocking(False)
        try:
            client.connect(name)
        except BlockingIOError:
            client.close()
            break
        fillers.append(client)
        assert len(fillers) < 10_000, "the backlog never filled"
    yield data
    for client in fillers:
        client.close()
    server.close()


@pytest.mark.parametrize("args", [["status"], ["call", "start", "--ref", "4711"], ["call", "end"], ["reset"]])
def test_a_busy_socket_is_not_answering_exit_3(busy_socket, args, capsys):
    assert cli.main([*args, "--data-dir", str(busy_socket)]) == cli.EXIT_NOT_RUNNING
    assert "did not answer" in capsys.readouterr().err


def test_send_raises_not_answering(busy_socket):
    with pytest.raises(ipc.NotAnswering):
        ipc.send(Paths(busy_socket).server_name, {"cmd": "status"}, timeout=2)


def test_migrate_refuses_while_a_busy_app_holds_the_socket(busy_socket, capsys):
    from companion.db.engine import MIGRATE_REFUSED

    assert cli.main(["migrate", "--data-dir", str(busy_socket)]) == MIGRATE_REFUSED
    assert "does not answer" in capsys.readouterr().err
    assert not (busy_socket / "companion.sqlite").exists()


def test_an_app_that_hangs_up_mid_answer_is_not_answering(tmp_path, capsys):
    data = tmp_path / "agent"
    name = Paths(data).server_name
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen(1)

    def hang_up():
        conn, _ = server.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    try:
        assert cli.main(["status", "--data-dir", str(data)]) == cli.EXIT_NOT_RUNNING
    finally:
        thread.join(10)
        server.close()
    assert "did not answer" in capsys.readouterr().err
