"""companion.log in a shared data folder (issue 14.5): a planted symlink, hard link, FIFO or someone else's file
is never written through, for the log and its rotated copies."""
import logging
import os
import stat

import pytest

from companion.logfile import PrivateRotatingFileHandler, open_private_log
from companion.paths import Paths

OTHER_UID = 4242


@pytest.fixture
def root_handlers():
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def shared(tmp_path):
    """A data folder others can write in (e.g. --data-dir on a team share), and a victim's file."""
    data = tmp_path / "shared"
    data.mkdir()
    data.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("victim's own text\n")
    return data, victim


def test_setup_logging_refuses_a_planted_symlink_and_writes_nothing_through_it(shared, root_handlers):
    from ui.app import setup_logging

    data, victim = shared
    (data / "companion.log").symlink_to(victim)
    with pytest.raises(OSError, match="symbolic link"):
        setup_logging(Paths(data))
    logging.getLogger("companion").warning("a line that must not reach the victim")
    assert victim.read_text() == "victim's own text\n"


def test_a_dangling_symlink_does_not_create_its_target(shared):
    data, victim = shared
    target = victim.parent / "created-by-us.txt"
    (data / "companion.log").symlink_to(target)
    with pytest.raises(OSError, match="symbolic link"):
        PrivateRotatingFileHandler(data / "companion.log", maxBytes=1000, backupCount=3)
    assert not target.exists()


def test_a_hard_link_to_another_file_is_refused(shared):
    data, victim = shared
    os.link(victim, data / "companion.log")
    with pytest.raises(OSError, match="hard links"):
        open_private_log(data / "companion.log")
    assert victim.read_text() == "victim's own text\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="a file owned by another user needs root to create")
def test_a_log_file_another_user_created_first_is_refused(shared):
    data, _ = shared
    planted = data / "companion.log"
    planted.write_text("")
    planted.chmod(0o666)
    os.chown(planted, OTHER_UID, OTHER_UID)
    with pytest.raises(OSError, match="belongs to another user"):
        open_private_log(planted)
    assert planted.read_text() == ""


def test_a_planted_fifo_is_refused_without_hanging(shared):
    data, _ = shared
    os.mkfifo(data / "companion.log")
    with pytest.raises(OSError):
        open_private_log(data / "companion.log")


def test_an_own_log_left_0644_is_made_private(tmp_path):
    path = tmp_path / "companion.log"
    path.write_text("old\n")
    path.chmod(0o644)
    with open_private_log(path) as fh:
        fh.write("new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "old\nnew\n"


def test_rotation_replaces_planted_symlinks_and_never_writes_through_them(shared):
    data, victim = shared
    for n in (1, 2, 3):
        (data / f"companion.log.{n}").symlink_to(victim)
    handler = PrivateRotatingFileHandler(data / "companion.log", maxBytes=200, backupCount=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("tests.logfile.rotation")
    log.addHandler(handler)
    log.propagate = False
    try:
        for i in range(40):
            log.warning("line %02d %s", i, "x" * 40)
    finally:
        log.removeHandler(handler)
        handler.close()
    assert victim.read_text() == "victim's own text\n"
    for name in ("companion.log", "companion.log.1", "companion.log.2", "companion.log.3"):
        st = os.lstat(data / name)
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, name
    assert "line 39" in (data / "companion.log").read_text()


def test_a_symlink_planted_between_rotations_stops_logging_not_leaks(shared):
    data, victim = shared
    handler = PrivateRotatingFileHandler(data / "companion.log", maxBytes=200, backupCount=1)
    handler.setFormatter(logging.Formatter("%(message)s"))
    errors = []
    handler.handleError = lambda record: errors.append(record)  # logging's own "could not write" path
    log = logging.getLogger("tests.logfile.swap")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("first")
        handler.close()  # the stream is reopened on the next record ...
        (data / "companion.log").unlink()
        (data / "companion.log").symlink_to(victim)  # ... and someone swapped in a symlink meanwhile
        log.warning("second")
    finally:
        log.removeHandler(handler)
        handler.close()
    assert victim.read_text() == "victim's own text\n" and len(errors) == 1
