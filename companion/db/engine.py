"""Opening the local database safely.

``open_database`` checks the file before anything else touches it:
- a damaged file is moved aside (renamed, never deleted) and a fresh one is created; the caller is told
  through ``Database.notices`` so the person at the desk is told too;
- a database written by a newer Agent Companion is refused with a clear message and left untouched;
- before a migration the file is backed up (SQLite's online backup) into ``backups/``;
- a locked or read-only file raises an error saying so.
The file and its WAL/SHM companions are made private (0600).

The running app reads and writes through plain ``sqlite3`` (``companion.db.sql``): a new database is built
from ``head.sql``; SQLAlchemy and Alembic are loaded only when an older database must be migrated
(``companion.db.migrate``), so the tray stays small.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from companion.db import schema
from companion.db.schema import HEAD_SQL
from companion.db.sql import BUSY_TIMEOUT_MS, DETECT_TYPES, Tx, row_factory, translate_operational_error
from companion.errors import DatabaseCorruptError, DatabaseError, DatabaseNewerError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class Database:
    """The local database of this desk: one SQLite connection per thread, opened on first use.

    ``session()`` is a unit of work, ``reading()`` a read-only look; both yield a :class:`~companion.db.sql.Tx`.
    Hooks added with ``add_commit_hook`` run after an outermost ``session()`` commits (with its ``Tx``)."""

    def __init__(self, path: Path, notices: list[str] | None = None) -> None:
        self.path = path
        self.notices: list[str] = notices if notices is not None else []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._commit_hooks: list[Callable[[Tx], None]] = []
        self._closed = False

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    # -- connections --------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "connection", None)
        if con is None:
            if self._closed:
                raise DatabaseError(f"The database {self.path} is closed.")
            try:
                con = connect(self.path)
            except sqlite3.Error as exc:
                raise translate_operational_error(exc, self.path) from exc
            with self._lock:
                self._connections.append(con)
            self._local.connection = con
            self._local.tx = None
        return con

    def close(self) -> None:
        """Close every connection this object opened (call it when no other thread uses the database)."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for con in connections:
            try:
                con.close()
            except sqlite3.Error:  # pragma: no cover - closing at exit
                log.debug("closing a database connection failed", exc_info=True)
        self._local = threading.local()

    # -- transactions -------------------------------------------------------------------------------
    def add_commit_hook(self, hook: Callable[[Tx], None]) -> None:
        self._commit_hooks.append(hook)

    def remove_commit_hook(self, hook: Callable[[Tx], None]) -> None:
        if hook in self._commit_hooks:
            self._commit_hooks.remove(hook)

    @contextmanager
    def session(self) -> Iterator[Tx]:
        """A unit of work: commits on success, rolls back on error; SQLite errors become clear messages.

        It is one SQLite transaction begun IMMEDIATE: it waits up to the busy timeout for another writer
        (a deferred transaction that read and then writes after someone else committed would fail at once).
        A session opened inside another on the same thread is a SAVEPOINT of it: it commits with the outer
        one, and an error rolls back only its own part. A session inside ``reading()`` is a bug and raises."""
        con = self._connection()
        outer: Tx | None = self._local.tx
        if outer is not None:
            if not outer.writable:
                raise RuntimeError("a write was started inside a reading session; use Database.session()")
            try:
                with outer.savepoint():
                    yield outer
            except sqlite3.OperationalError as exc:
                raise translate_operational_error(exc, self.path) from exc
            return
        tx = Tx(con, writable=True, info={})
        self._execute(con, "BEGIN IMMEDIATE")
        self._local.tx = tx
        try:
            yield tx
            con.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            _rollback(con)
            raise translate_operational_error(exc, self.path) from exc
        except BaseException:
            _rollback(con)
            raise
        finally:
            self._local.tx = None
        for hook in list(self._commit_hooks):
            try:
                hook(tx)
            except Exception:  # a hook must not undo a committed unit of work
                log.exception("a commit hook failed")

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only look: a DEFERRED transaction that takes no write lock (in WAL mode readers neither wait
        for writers nor block them) and never commits; rows stay readable afterwards. Writing in it raises
        (``PRAGMA query_only``). Inside a ``session()`` it reads that session's own changes."""
        con = self._connection()
        outer: Tx | None = self._local.tx
        if outer is not None:
            yield Tx(con, writable=False, info=outer.info)
            return
        tx = Tx(con, writable=False, info={})
        try:
            self._execute(con, "PRAGMA query_only = ON", "BEGIN")
        except DatabaseError:
            con.execute("PRAGMA query_only = OFF")  # the next unit of work on this thread must be able to write
            raise
        self._local.tx = tx
        try:
            yield tx
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
                raise RuntimeError("a reading session was asked to write; use Database.session()") from exc
            raise translate_operational_error(exc, self.path) from exc
        finally:
            self._local.tx = None
            _rollback(con)
            con.execute("PRAGMA query_only = OFF")


    def _execute(self, con: sqlite3.Connection, *statements: str) -> None:
        try:
            for statement in statements:
                con.execute(statement)
        except sqlite3.OperationalError as exc:
            raise translate_operational_error(exc, self.path) from exc


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        try:
            con.execute("ROLLBACK")
        except sqlite3.Error:  # pragma: no cover - the connection is gone
            log.debug("rollback failed", exc_info=True)


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the app's pragmas: autocommit mode (transactions are begun explicitly), WAL,
    foreign keys, the busy timeout; typed columns converted (companion.db.sql)."""
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                          detect_types=DETECT_TYPES, check_same_thread=False)
    con.row_factory = row_factory
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


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


def head_statements() -> list[str]:
    try:
        text = HEAD_SQL.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatabaseError(f"This installation of Agent Companion is incomplete: the database schema {HEAD_SQL} "
                            f"cannot be read ({exc.strerror or exc}). Please reinstall it.") from exc
    code = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def create_fresh(path: Path) -> None:
    """A new, empty database: the head schema (``head.sql``) and its stamp, in one transaction.

    Same result as running every migration (tests/db/test_migrations.py compares both), without loading
    SQLAlchemy or Alembic."""
    statements = head_statements()
    con = connect(path)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                con.execute(statement)
            con.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (schema.HEAD,))
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
    finally:
        con.close()


def pending_migration(path: Path) -> str | None:
    """The revision of an existing database that this build would migrate, else None. A quick read-only look
    (no integrity check, no write probe): new, current, newer, damaged or unreadable databases are
    ``open_database``'s to handle and explain, and it inspects every database fully anyway."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    revision = row[0] if row else None
    return revision if revision in schema.REVISIONS and revision != schema.HEAD else None


#: ``companion migrate`` exit status when it refused with a clear message (anything else is a crash)
MIGRATE_REFUSED = 4
MIGRATE_TIMEOUT = 300.0  # seconds; a year of a busy agent's data migrates in a few seconds


def migrate_in_child(data_dir: Path, timeout: float = MIGRATE_TIMEOUT) -> str:
    """Run ``companion migrate --data-dir DIR`` as a child process and return what it printed.

    The tray app migrates this way so that SQLAlchemy and Alembic (~34 MB) load in a process that ends, not
    in the one that stays in the tray all shift. The child writes UTF-8 whatever the console's code page.
    A clear refusal (busy, read-only, newer, disk full) raises DatabaseError with the child's words; a child
    that takes longer than ``timeout`` raises DatabaseError too. A child that could not start or crashed
    raises OSError: the caller may then migrate in its own process."""
    import os
    import subprocess
    import sys

    command = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "companion"]
    try:
        result = subprocess.run([*command, "migrate", "--data-dir", str(data_dir)], capture_output=True,
                                encoding="utf-8", errors="replace", timeout=timeout, stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8",
                                     "COMPANION_MIGRATE_FOR": str(data_dir)})  # "it is me": see cli._migrate
    except subprocess.TimeoutExpired:
        raise DatabaseError(f"Upgrading the database in {data_dir} took longer than {timeout:.0f} s and was "
                            "stopped. Nothing was lost (a copy is in its backups folder); try starting "
                            "again.") from None
    lines = [line.removeprefix("companion: ") for line in result.stderr.strip().splitlines()]
    if result.returncode == MIGRATE_REFUSED and lines:
        raise DatabaseError(lines[-1])
    if result.returncode != 0:
        raise OSError(f"companion migrate ended with status {result.returncode}: {lines[-1] if lines else '-'}")
    return result.stdout.strip()


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
        if revision is None:
            try:
                create_fresh(path)
            except sqlite3.Error as exc:  # busy, read-only, disk full: the app's clear message, not a crash
                raise translate_operational_error(exc, path) from exc
        elif revision != schema.HEAD:
            saved = backup(path, backups_dir, f"before-{schema.HEAD}-from-{revision}")
            log.info("backed up database to %s before migrating %s -> %s", saved, revision, schema.HEAD)
            from companion.db.migrate import upgrade  # SQLAlchemy + Alembic: only when a migration is due

            upgrade(path)
        try:
            connect(path).close()  # applies the pragmas, creates the WAL file
        except sqlite3.Error as exc:
            raise translate_operational_error(exc, path) from exc
    finally:
        if old_umask is not None:
            os.umask(old_umask)
    _make_private(path)
    return Database(path, notices)
