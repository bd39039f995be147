"""The local socket's folder without XDG_RUNTIME_DIR (issue 14.5): another user may pre-create
<temp>/agent-companion-<uid> (or a symlink by that name) to disable or hijack the socket."""
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from companion import ipc
from companion.errors import NotRunning
from companion.paths import APP_ID, Paths, runtime_dir

OTHER_UID = 4242


@pytest.fixture
def tmp_path():
    """A short base folder: a Unix socket's path has at most 107 bytes."""
    base = Path(tempfile.mkdtemp(prefix="acrt-", dir="/tmp"))
    yield base
    shutil.rmtree(base)


@pytest.fixture
def shared_tmp(tmp_path, monkeypatch):
    """A sticky, world-writable temp dir like /tmp, and no XDG_RUNTIME_DIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    return tmp


def expected(tmp):
    return tmp / f"{APP_ID}-{os.getuid()}"


def fallback(tmp_path):
    return tmp_path / "home" / ".cache" / APP_ID / "run"


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_fresh_folder_in_the_temp_dir_is_private(shared_tmp):
    path = runtime_dir()
    assert path == expected(shared_tmp) and mode(path) == 0o700 and os.lstat(path).st_uid == os.getuid()


def test_an_own_folder_left_world_readable_is_made_private(shared_tmp):
    expected(shared_tmp).mkdir(mode=0o777)
    os.chmod(expected(shared_tmp), 0o777)
    assert runtime_dir() == expected(shared_tmp) and mode(expected(shared_tmp)) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a folder owned by another user needs root")
def test_a_folder_another_user_created_first_is_not_used(shared_tmp, tmp_path, caplog):
    hostile = expected(shared_tmp)
    hostile.mkdir(mode=0o777)
    os.chmod(hostile, 0o777)
    os.chown(hostile, OTHER_UID, OTHER_UID)
    path = runtime_dir()
    assert path == fallback(tmp_path) and mode(path) == 0o700
    assert f"belongs to another user (uid {OTHER_UID})" in caplog.text and str(hostile) in caplog.text
    assert list(hostile.iterdir()) == []  # nothing of ours went into the other user's folder


def test_a_symlink_planted_in_the_temp_dir_is_not_followed(shared_tmp, tmp_path, caplog):
    target = tmp_path / "attacker-controlled"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)
    expected(shared_tmp).symlink_to(target)
    path = runtime_dir()
    assert path == fallback(tmp_path)
    assert "symbolic link" in caplog.text
    assert mode(target) == 0o755 and list(target.iterdir()) == []  # not chmod-ed, not used


def test_a_file_in_its_place_is_not_used(shared_tmp, tmp_path):
    expected(shared_tmp).write_text("")
    assert runtime_dir() == fallback(tmp_path)


def test_with_no_private_folder_anywhere_the_error_names_both(shared_tmp, tmp_path):
    expected(shared_tmp).write_text("")
    fallback(tmp_path).parent.mkdir(parents=True)
    fallback(tmp_path).write_text("")
    with pytest.raises(PermissionError, match="no private folder for the local socket.*is not a folder"):
        runtime_dir()


def test_the_client_looks_where_the_app_listens_after_a_hijack(shared_tmp, tmp_path):
    """The app and `companion call ...` make the same choice: the socket is found in the fallback folder."""
    import socket
    import threading

    expected(shared_tmp).symlink_to(tmp_path)
    name = Paths(tmp_path / "data").server_name
    assert name.startswith(str(fallback(tmp_path)))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen(1)

    def answer():
        conn, _ = server.accept()
        conn.recv(4096)
        conn.sendall(ipc.reply(True, "Agent Companion is running."))
        conn.close()

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        assert ipc.send(Paths(tmp_path / "data").server_name, {"cmd": "status"})["ok"] is True
    finally:
        thread.join(10)
        server.close()
    with pytest.raises(NotRunning):  # and nothing listens in the hijacked place
        ipc.send(str(expected(shared_tmp) / os.path.basename(name)), {"cmd": "status"}, timeout=2)
