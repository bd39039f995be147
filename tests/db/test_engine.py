import hashlib
from datetime import datetime, timezone
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from companion.db import engine as engine_mod
from companion.db import migrate as migrate_mod
from companion.db import schema
from companion.db.engine import open_database
from companion.errors import (
    DatabaseLockedError,
    DatabaseNewerError,
)

SAMPLES = Path(__file__).parent / "samples"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_private_wal_with_foreign_keys(tmp_path):
    path = tmp_path / "d" / "companion.sqlite"
    db = open_database(path)
    with db.reading() as s:
        assert s.scalar("PRAGMA journal_mode") == "wal"
        assert s.scalar("PRAGMA foreign_keys") == 1
        assert s.scalar("SELECT version_num FROM alembic_version") == schema.HEAD
    with db.session() as s:
        s.insert("calls", {"started_at": datetime.now(timezone.utc)})
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        assert p.exists() and p.stat().st_mode & 0o777 == 0o600, p
    assert db.notices == []
    db.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.session() as s:
            s.execute(("INSERT INTO resets (id, trigger, pattern, planned_seconds, actual_seconds, outcome, "
                           "started_at, ended_at, call_id, created_at, updated_at) VALUES ('r', 'tray', 'box', "
                           "60, 60, 'completed', '2026-01-01', '2026-01-01', 'no-such-call', '2026-01-01', "
                           "'2026-01-01')"))


@pytest.mark.parametrize("revision", schema.REVISIONS)
def test_sample_of_each_released_schema_opens_with_data_intact(tmp_path, revision):
    """Every sample holds the same records (tests/db/samples/README.md): they survive every upgrade."""
    path = tmp_path / "companion.sqlite"
    shutil.copy(SAMPLES / f"schema-{revision}.sqlite", path)
    db = open_database(path)
    with db.reading() as s:
        assert s.one("SELECT ref, handle_seconds, tough FROM calls") == \
            {"ref": "4711", "handle_seconds": 540.0, "tough": True}
        assert s.one("SELECT mood_before, mood_after, call_id FROM resets") == \
            {"mood_before": 2, "mood_after": 4, "call_id": "11111111-1111-4111-8111-111111111111"}
        assert s.scalar("SELECT version_num FROM alembic_version") == schema.HEAD
    db.close()


def test_backup_is_taken_before_migrating(tmp_path, monkeypatch):
    path = tmp_path / "companion.sqlite"
    shutil.copy(SAMPLES / "schema-0001.sqlite", path)
    # Pretend this build knows a newer revision "0002": opening must back up, then migrate.
    monkeypatch.setattr(schema, "REVISIONS", ("0001", "0002"))
    monkeypatch.setattr(schema, "HEAD", "0002")
    seen = {}

    def fake_upgrade(db_path, target="head"):
        backups = list((tmp_path / "backups").glob("*.sqlite"))
        seen["backups"] = backups
        con = sqlite3.connect(backups[0])
        seen["rows"] = con.execute("SELECT ref FROM calls").fetchall()
        con.close()

    monkeypatch.setattr(migrate_mod, "upgrade", fake_upgrade)
    open_database(path).close()
    (backup,) = seen["backups"]
    assert seen["rows"] == [("4711",)]
    assert "before-0002-from-0001" in backup.name and backup.stat().st_mode & 0o777 == 0o600


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "companion.sqlite"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(DatabaseNewerError, match="newer version of Agent Companion.*9999.*not touched"):
        open_database(path)
    assert digest(path) == before and not (tmp_path / "backups").exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated_pages", "tables_without_version"])
def test_corrupt_database_is_moved_aside_never_deleted(tmp_path, damage):
    path = tmp_path / "companion.sqlite"
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all\x00" * 100)
    elif damage == "truncated_pages":
        shutil.copy(SAMPLES / "schema-0001.sqlite", path)
        data = bytearray(path.read_bytes())
        data[4096:8192] = b"\xde\xad" * 2048  # scribble over a b-tree page, keep the header
        path.write_bytes(bytes(data))
    else:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE mystery (x)")
        con.commit()
        con.close()
    original = path.read_bytes()
    db = open_database(path)
    moved = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and moved[0].read_bytes() == original
    assert len(db.notices) == 1 and str(moved[0]) in db.notices[0] and "nothing was deleted" in db.notices[0]
    with db.reading() as s:  # a fresh, working database took its place
        assert s.scalar("SELECT count(*) FROM calls") == 0
    db.close()


@pytest.mark.parametrize("state", ["existing", "new"])
def test_locked_database_gives_a_clear_error_and_changes_nothing(tmp_path, monkeypatch, state):
    """An existing database, or on a first start (or after a damaged file was moved aside) an empty file,
    held by another program is reported as busy (the app shows it) -- never a raw sqlite3 error that would
    leave a silent tray icon. Once it is free it opens (or is built) as usual."""
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "companion.sqlite"
    if state == "existing":
        open_database(path).close()
    else:
        path.touch()
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLockedError, match="busy.*Nothing was changed"):
            open_database(path)
    finally:
        holder.rollback()
        holder.close()
    db = open_database(path)
    with db.reading() as s:
        assert s.scalar("SELECT version_num FROM alembic_version") == schema.HEAD
    db.close()


def test_write_while_locked_is_refused_and_rolled_back(db, monkeypatch):
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 100)
    db.close()  # new connections pick up the short busy timeout
    db = open_database(db.path)
    holder = sqlite3.connect(db.path, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLockedError, match="busy"):
            with db.session() as s:
                s.insert("calls", {"started_at": datetime.now(timezone.utc)})
    finally:
        holder.rollback()
        holder.close()
    with db.session() as s:
        assert s.scalar("SELECT count(*) FROM calls") == 0
    db.close()


def test_read_only_database_gives_a_clear_error(tmp_path):
    data = tmp_path / "ro"
    data.mkdir()
    path = data / "companion.sqlite"
    open_database(path).close()
    code = ("import sys\nfrom pathlib import Path\nfrom companion.db.engine import open_database\n"
            "from companion.errors import DatabaseReadOnlyError\n"
            "try:\n    open_database(Path(sys.argv[1]))\nexcept DatabaseReadOnlyError as e:\n"
            "    print('READONLY', e)\n")
    if os.geteuid() == 0:
        # root ignores file modes: mount the folder read-only in a private mount namespace instead,
        # as a read-only share or a full, remounted disk would be.
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        cmd = ["unshare", "--mount", "--", "sh", "-c", script, "sh", str(data),
               sys.executable, "-c", code, str(path)]
    else:
        for p in data.iterdir():
            p.chmod(0o400)
        data.chmod(0o500)
        cmd = [sys.executable, "-c", code, str(path)]
    before = digest(path)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    data.chmod(0o700)
    assert "READONLY" in out.stdout and "read-only" in out.stdout, out.stdout + out.stderr
    assert digest(path) == before


def test_a_missing_schema_file_is_named_and_no_database_is_left_behind(tmp_path, monkeypatch):
    from companion.errors import DatabaseError

    monkeypatch.setattr(engine_mod, "HEAD_SQL", tmp_path / "gone" / "head.sql")
    path = tmp_path / "companion.sqlite"
    with pytest.raises(DatabaseError, match="incomplete.*head.sql.*reinstall"):
        open_database(path)
    assert not path.exists() or path.stat().st_size == 0
