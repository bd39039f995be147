"""Opening the local database safely.

``open_database`` checks the file before SQLAlchemy touches it:
- a damaged file is moved aside (renamed, never deleted) and a fresh one is created; the caller is told
  through ``Database.notices`` so the person at the desk is told too;
- a database written by a newer Agent Companion is refused with a clear message and left untouched;
- before a migration the file is backed up (SQLite's online backup) into ``backups/``;
- a locked or read-only file raises an error saying so.
The file and its WAL/SHM companions are made private (0600). Alembic is imported only when a migration
is due, so an ordinary start stays fast.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from companion.db import schema
from companion.errors import (
    DatabaseCorruptError,
    DatabaseError,
    DatabaseLockedError,
    DatabaseNewerError,
    DatabaseReadOnlyError,
)

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    notices: list[str] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error; SQLite errors become clear messages.

        It is one real SQLite transaction begun IMMEDIATE (see make_engine): it waits up to the busy timeout
        for another writer, and SAVEPOINTs (``begin_nested``) nest inside it. A session opened while the
        same thread already holds one (a helper reading inside a unit of work) begins DEFERRED instead: it
        reads, and it must not wait for the write lock its own thread holds."""
        depth = getattr(self._local, "depth", 0)
        session = self.sessions() if depth == 0 else self.sessions(bind=self.engine)
        self._local.depth = depth + 1
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise translate_operational_error(exc.orig, self.path) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            self._local.depth = depth
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only look: a DEFERRED transaction that takes no write lock (in WAL mode readers neither wait
        for writers nor block them) and never commits. Writing in it is a bug and raises."""
        depth = getattr(self._local, "depth", 0)
        session = self.sessions(bind=self.engine)  # the plain engine begins DEFERRED
        self._local.depth = depth + 1
        try:
            yield session
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("a reading session was asked to write; use Database.session()")
        except OperationalError as exc:
            raise translate_operational_error(exc.orig, self.path) from exc
        finally:
            self._local.depth = depth
            session.expunge_all()  # what was read stays readable (a rollback would expire it)
            session.rollback()
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def translate_operational_error(exc: BaseException | None, path: Path) -> DatabaseError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"The database {path} is busy: another program is holding it. Nothing was changed; try again."
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseReadOnlyError(
            f"The database {path} is read-only, so Agent Companion cannot save. Nothing was changed. "
            "Check the file's permissions or the free space of its drive."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseCorruptError(f"The database {path} is damaged ({exc}).")
    return DatabaseError(f"The database {path} could not be used: {exc}")


def _make_private(path: Path) -> None:
    if os.name != "posix":
        return
    for candidate in [path, *(Path(str(path) + s) for s in _SIDE_FILES)]:
        if candidate.exists():
            os.chmod(candidate, 0o600)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def move_aside(path: Path, reason: str) -> Path:
    """Rename a database (and its side files) out of the way. Never deletes anything."""
    target = path.with_name(f"{path.name}.{reason}-{_stamp()}")
    path.rename(target)
    for suffix in _SIDE_FILES:
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(target) + suffix))
    return target


def backup(path: Path, backups_dir: Path, label: str) -> Path:
    """Copy a live database consistently (SQLite online backup) into backups_dir, private."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(backups_dir, 0o700)
    target = backups_dir / f"{path.stem}-{label}-{_stamp()}.sqlite"
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    _make_private(target)
    return target


def inspect_database(path: Path) -> str | None:
    """Check an existing file; return its schema revision (None for an empty database).

    Raises DatabaseCorruptError (not yet moved), DatabaseLockedError or DatabaseReadOnlyError.
    """
    with open(path, "rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise DatabaseCorruptError(f"{path} is not an SQLite database")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise translate_operational_error(sqlite3.OperationalError("readonly"), path)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        con.execute("BEGIN IMMEDIATE")  # proves we can write (and that nobody holds it)
        con.execute("ROLLBACK")
        result = con.execute("PRAGMA quick_check").fetchone()
        if not result or result[0] != "ok":
            raise DatabaseCorruptError(f"{path} failed its integrity check: {result[0] if result else '?'}")
        has_version = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has_version:
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if tables:
                raise DatabaseCorruptError(f"{path} holds tables but no schema version")
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise translate_operational_error(exc, path) from exc
        raise DatabaseCorruptError(f"{path} is damaged: {exc}") from exc
    finally:
        con.close()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # SQLAlchemy's pysqlite recipe ("Serializable isolation / Savepoints / Transactional DDL"): the driver
    # never begins or commits on its own; _on_begin below emits BEGIN. Without this, a SAVEPOINT started the
    # SQLite transaction itself and its RELEASE committed it, and DDL ran outside any transaction.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


#: execution option naming how a transaction begins: "IMMEDIATE" (a writer: takes the write lock at BEGIN,
#: waiting the busy timeout if another connection holds it) or "DEFERRED" (a reader).
BEGIN_MODE = "companion_begin"


def _on_begin(connection) -> None:
    mode = connection.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    # A deferred transaction that has read and then writes after another connection committed fails at once
    # with "database is locked" (its snapshot is stale; the busy timeout cannot help). Sessions that may
    # write therefore begin IMMEDIATE: they wait for the write lock up front.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def make_engine(path: Path) -> Engine:
    # hide_parameters: SQL parameters (moods, kudos text, obstacle text ...) never reach an error message or
    # the log; an error shows the statement only.
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                           hide_parameters=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def migrate(engine: Engine, target: str = "head") -> None:
    """Run Alembic migrations up to target, on the given engine."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def create_fresh(engine: Engine) -> None:
    """A new, empty database: build the head schema from the models and stamp it, in one transaction.

    Same result as running every migration (tests/db/test_migrations.py compares both), without loading
    Alembic (~18 MB and ~100 ms) on a first start.
    """
    from companion.db.models import Base

    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                   "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (schema.HEAD,))


def open_database(path: Path, backups_dir: Path | None = None) -> Database:
    """Open (creating or migrating as needed) the database at path. See the module docstring."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backups_dir = backups_dir or path.parent / "backups"
    notices: list[str] = []
    revision: str | None = None
    old_umask = os.umask(0o077) if os.name == "posix" else None
    try:
        if path.exists() and path.stat().st_size > 0:
            try:
                revision = inspect_database(path)
            except DatabaseCorruptError as exc:
                moved = move_aside(path, "corrupt")
                log.error("damaged database moved aside to %s: %s", moved, exc)
                notices.append(
                    f"Your database was damaged and could not be opened. It was kept as {moved} (nothing was "
                    "deleted) and a new, empty database was started."
                )
                revision = None
        if revision is not None and revision not in schema.REVISIONS:
            raise DatabaseNewerError(
                f"The database {path} was written by a newer version of Agent Companion (schema {revision}; "
                f"this version knows up to {schema.HEAD}). Please update Agent Companion. "
                "Your data was not touched."
            )
        engine = make_engine(path)
        if revision != schema.HEAD:
            try:
                if revision is None:
                    create_fresh(engine)
                else:
                    saved = backup(path, backups_dir, f"before-{schema.HEAD}-from-{revision}")
                    log.info("backed up database to %s before migrating %s -> %s", saved, revision, schema.HEAD)
                    migrate(engine)
            except OperationalError as exc:
                engine.dispose()
                raise translate_operational_error(exc.orig, path) from exc
        else:
            with engine.connect():
                pass  # applies the pragmas, creates the WAL file
    finally:
        if old_umask is not None:
            os.umask(old_umask)
    _make_private(path)
    writer = engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
    return Database(path=path, engine=engine, sessions=sessionmaker(writer, expire_on_commit=False),
                    notices=notices)
