"""The real `companion` process, offscreen: start-up order, single instance, signals, database errors."""
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.process import COMPANION, wait_for_line


@pytest.fixture
def start(tmp_path):
    procs = []

    def _start(data: Path):
        ready = data.parent / f"{data.name}.ready"
        env = {**os.environ, "COMPANION_READY_FILE": str(ready)}
        proc = subprocess.Popen([COMPANION, "--data-dir", str(data)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        return proc, ready

    yield _start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COMPANION, *args, "--data-dir", str(data)], capture_output=True, text=True, timeout=30)


def test_tray_first_then_services_then_a_clean_stop(start, tmp_path):
    data = tmp_path / "agent"
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    assert ready.read_text().splitlines()[:2] == ["tray-shown", "services-ready"]
    second = subprocess.run([COMPANION, "--data-dir", str(data)], capture_output=True, text=True, timeout=30)
    assert second.returncode == 0 and "already running" in second.stdout
    for path in data.iterdir():  # database, WAL, log, lock: all private
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o600, path
    assert cli(data, "call", "start", "--ref", "A1").returncode == 0
    assert cli(data, "status").stdout.strip() == "On a call (A1)"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    log = (data / "companion.log").read_text()
    assert "ready" in log and "stopped" in log
    assert cli(data, "status").returncode == 3  # nobody answers any more
    con = sqlite3.connect(data / "companion.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT ref FROM calls").fetchall() == [("A1",)]
    con.close()


def test_newer_database_is_refused_with_a_clear_message(start, tmp_path):
    data = tmp_path / "agent"
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    proc.send_signal(signal.SIGTERM)
    proc.wait(15)
    con = sqlite3.connect(data / "companion.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    before = (data / "companion.sqlite").read_bytes()
    proc, ready = start(data)
    wait_for_line(ready, "database-error")
    proc.send_signal(signal.SIGTERM)
    proc.wait(15)
    assert "newer version of Agent Companion" in proc.stderr.read()
    assert (data / "companion.sqlite").read_bytes() == before


def test_corrupt_database_is_moved_aside_and_the_app_starts(start, tmp_path):
    data = tmp_path / "agent"
    data.mkdir(mode=0o700)
    (data / "companion.sqlite").write_bytes(b"\x00garbage" * 500)
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    assert cli(data, "status").returncode == 0
    moved = list(data.glob("companion.sqlite.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == b"\x00garbage" * 500
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert "moved aside" in (data / "companion.log").read_text()


def test_a_log_file_that_cannot_be_opened_does_not_stop_the_app(start, tmp_path):
    data = tmp_path / "agent"
    data.mkdir(mode=0o700)
    (data / "companion.log").mkdir()  # e.g. left behind by another tool; opening it fails
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    assert cli(data, "status").returncode == 0
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert "could not be opened" in proc.stderr.read()


def test_an_older_database_is_upgraded_by_a_child_process_and_the_tray_never_loads_sqlalchemy(start, tmp_path):
    """After an update the database is migrated (backup first) by a short-lived `companion migrate`: the
    tray process that stays up all shift never maps SQLAlchemy (idle memory, issue 2)."""
    import shutil

    from companion.db import schema
    from tests.process import mapped_packages

    data = tmp_path / "agent"
    data.mkdir(mode=0o700)
    shutil.copy(Path(__file__).parents[1] / "db" / "samples" / "schema-0001.sqlite", data / "companion.sqlite")
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    assert mapped_packages(proc.pid) == []
    con = sqlite3.connect(f"file:{data / 'companion.sqlite'}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(schema.HEAD,)]
        assert con.execute("SELECT ref FROM calls").fetchall() == [("4711",)]  # the data came along
    finally:
        con.close()
    assert [p.name for p in (data / "backups").iterdir() if "before-" + schema.HEAD + "-from-0001" in p.name]
    assert "upgraded from schema 0001" in (data / "companion.log").read_text()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


def test_companion_migrate_upgrades_a_copy_and_says_so(tmp_path):
    import shutil

    from companion.db import schema

    data = tmp_path / "agent"
    data.mkdir()
    shutil.copy(Path(__file__).parents[1] / "db" / "samples" / "schema-0002.sqlite", data / "companion.sqlite")
    first = cli(data, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"upgraded from schema 0002 to {schema.HEAD}" in first.stdout and str(data / "backups") in first.stdout
    again = cli(data, "migrate")
    assert again.returncode == 0 and f"is up to date (schema {schema.HEAD})" in again.stdout
    con = sqlite3.connect(data / "companion.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    newer = cli(data, "migrate")
    assert newer.returncode == 4 and "newer version of Agent Companion" in newer.stderr


def test_a_failed_child_migration_raises_the_childs_clear_message(tmp_path):
    from companion.db.engine import migrate_in_child, open_database
    from companion.errors import DatabaseError

    data = tmp_path / "agent"
    open_database(data / "companion.sqlite").close()
    con = sqlite3.connect(data / "companion.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match=r"^The database .* newer version of Agent Companion.*not touched"):
        migrate_in_child(data)


def test_companion_migrate_is_refused_while_the_app_runs_on_that_folder(start, tmp_path):
    """A deployment script must not change the schema under a running (older) app."""
    data = tmp_path / "agent"
    proc, ready = start(data)
    wait_for_line(ready, "services-ready")
    refused = cli(data, "migrate")
    assert refused.returncode == 4 and "running on this data folder. Quit it first" in refused.stderr
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert cli(data, "migrate").returncode == 0  # once it has quit


def test_the_child_writes_utf_8_whatever_the_console_and_a_crash_is_not_a_refusal(tmp_path, monkeypatch):
    """Windows pipes default to the ANSI code page: a path such as C:\\Users\\Иван must not turn a
    successful upgrade into an error. A child that crashes (here: the data folder is a file) raises OSError,
    so the app can fall back to migrating itself, rather than a refusal in the child's words."""
    import shutil

    from companion.db.engine import migrate_in_child

    monkeypatch.setenv("PYTHONIOENCODING", "cp1252")
    data = tmp_path / "Иван"
    data.mkdir()
    shutil.copy(Path(__file__).parents[1] / "db" / "samples" / "schema-0001.sqlite", data / "companion.sqlite")
    said = migrate_in_child(data)
    assert "Иван" in said and "upgraded from schema 0001" in said
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(OSError, match="companion migrate ended with status 1"):
        migrate_in_child(not_a_folder)
