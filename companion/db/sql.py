"""The running app's way into the local database: plain ``sqlite3`` (standard library), one connection per
thread, explicit transactions.

SQLAlchemy and Alembic own the schema (``companion.db.models``, the migrations) but are not loaded by the
running app: together with what they import (asyncio, ssl, importlib.metadata) they cost ~34 MB of a tray
app's memory. docs/architecture.md ("The local database") explains the split.

Conventions every query follows (tests/db/test_sql.py pins them):

* datetimes are stored as SQLAlchemy stored them: naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``. Bind aware
  datetimes (a naive one is refused); ``DATETIME`` columns come back aware (UTC). A computed value is typed
  with a column alias: ``SELECT max(sent_at) AS "latest [DATETIME]"``.
* ``BOOLEAN`` columns come back as ``bool``.
* rows are :class:`Row`: ``row.name`` and ``row["name"]`` both work; they stay readable after the
  transaction.
* ``Tx.insert`` fills the Python-side defaults the models declare (a new UUID ``id``, ``created_at`` and
  ``updated_at`` now, ``status='open'`` ...: :data:`DEFAULTS`); ``Tx.update`` stamps ``updated_at``.
"""
from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from companion.db.rows import COLUMNS, DEFAULT_FACTORIES, DEFAULT_VALUES
from companion.errors import DatabaseCorruptError, DatabaseError, DatabaseLockedError, DatabaseReadOnlyError

__all__ = ["BUSY_TIMEOUT_MS", "DATETIME_FORMAT", "DEFAULTS", "Row", "Tx", "bind_value", "new_id", "parse_datetime",
           "translate_operational_error", "typed", "typed_or_none", "utcnow"]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME storage format
BUSY_TIMEOUT_MS = 5000  # how long a connection waits for another writer (this layer's and Alembic's)


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def bind_value(value: Any) -> Any:
    """A Python value as SQLite stores it (datetimes as naive UTC text)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None).strftime(DATETIME_FORMAT)
    return value


def parse_datetime(raw: bytes | str) -> datetime:
    text = raw.decode() if isinstance(raw, bytes) else raw
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _parse_bool(raw: bytes) -> bool:
    return raw not in (b"0", b"")


sqlite3.register_converter("DATETIME", parse_datetime)
sqlite3.register_converter("BOOLEAN", _parse_bool)
DETECT_TYPES = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES


class Row(dict[str, Any]):
    """One result row: a dict whose keys also read as attributes (``row.sent_at``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


T = TypeVar("T")


def typed(cls: type[T], row: Mapping[str, Any]) -> T:
    """A whole row as its typed row class (``companion.db.rows``); what a store hands its callers."""
    return cls(**row)


def typed_or_none(cls: type[T], row: Mapping[str, Any] | None) -> T | None:
    return None if row is None else cls(**row)


def row_factory(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    return Row(zip([d[0] for d in cursor.description], values))


# The Python-side defaults of companion.db.models, per table: a value, or a callable giving one. Generated into
# companion.db.rows from the models (the one place a column is declared); tables with ``updated_at`` get it
# stamped by Tx.update too.
_FACTORIES: dict[str, Callable[[], Any]] = {"new_id": new_id, "utcnow": utcnow}
DEFAULTS: dict[str, dict[str, Any]] = {
    table: {**{column: _FACTORIES[name] for column, name in DEFAULT_FACTORIES[table].items()},
            **DEFAULT_VALUES[table]}
    for table in COLUMNS
}
_COLUMN_SETS: dict[str, frozenset[str]] = {table: frozenset(columns) for table, columns in COLUMNS.items()}


def _check_columns(table: str, columns: Iterable[str]) -> None:
    """A misspelt column fails here with its name, before SQLite sees the statement."""
    unknown = set(columns) - _COLUMN_SETS[table]
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")


def translate_operational_error(exc: BaseException | None, path: Path) -> DatabaseError:
    """An SQLite (or driver) error as the app's clear message: busy, read-only, damaged, disk full."""
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
    if "disk is full" in text or "disk full" in text:
        return DatabaseError(f"The drive of the database {path} is full, so Agent Companion cannot save. Nothing "
                             "was changed. Free some space on it, then try again.")
    return DatabaseError(f"The database {path} could not be used: {exc}")


def _params(params: Sequence[Any] | Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
    if isinstance(params, Mapping):
        return {k: bind_value(v) for k, v in params.items()}
    return [bind_value(v) for v in params]


def placeholders(values: Iterable[Any]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` list."""
    return ", ".join("?" for _ in values)


class Tx:
    """An open transaction on this thread's connection (from ``Database.session()`` or ``.reading()``).

    ``info`` is a scratch dict for the length of the outermost transaction (the outbox marks it so the sync
    worker is woken after the commit)."""

    def __init__(self, connection: sqlite3.Connection, writable: bool, info: dict[str, Any]) -> None:
        self.connection = connection
        self.writable = writable
        self.info = info
        self._savepoints = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT of this transaction: an error rolls back only what was done inside it (and is raised);
        otherwise its changes commit with the transaction."""
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        try:
            self.connection.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                # SQLite may have rolled the whole transaction back already (disk full, I/O error): then there
                # is no savepoint left, and the original error is the one to report.
                if self.connection.in_transaction:
                    self.connection.execute(f"ROLLBACK TO {name}")
                    self.connection.execute(f"RELEASE {name}")
                raise
            self.connection.execute(f"RELEASE {name}")
        finally:
            self._savepoints -= 1

    # -- reading --------------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, _params(params))

    def all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        """The first row, or None."""
        row: Row | None = self.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else next(iter(row.values()))

    def get(self, table: str, key: Any, column: str = "id") -> Row | None:
        """The row of ``table`` whose ``column`` (the primary key by default) is ``key``."""
        return self.one(f'SELECT * FROM {table} WHERE "{column}" = ?', (key,))

    # -- writing --------------------------------------------------------------------------------------
    def _writing(self) -> None:
        # A top-level reading() refuses writes through PRAGMA query_only; one nested in a session() shares
        # that session's connection, so its Tx refuses them here.
        if not self.writable:
            raise RuntimeError("a reading session was asked to write; use Database.session()")

    def insert(self, table: str, values: Mapping[str, Any]) -> Row:
        """Insert one row, filling the table's declared defaults; returns the row as written."""
        self._writing()
        _check_columns(table, values)
        row = Row(values)
        for column, default in DEFAULTS[table].items():
            if row.get(column) is None:  # every defaulted column is NOT NULL: absent or None takes the default
                row[column] = default() if callable(default) else default
        columns = ", ".join(f'"{c}"' for c in row)
        self.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders(row)})", list(row.values()))
        return row

    def update(self, table: str, values: Mapping[str, Any], where: str,
               params: Sequence[Any] = ()) -> int:
        """``UPDATE table SET values WHERE where``; stamps ``updated_at`` where the table has one. Returns
        the number of rows changed."""
        self._writing()
        _check_columns(table, values)
        changes = dict(values)
        if "updated_at" in DEFAULTS[table] and "updated_at" not in changes:
            changes["updated_at"] = utcnow()
        assignments = ", ".join(f'"{c}" = ?' for c in changes)
        cursor = self.execute(f"UPDATE {table} SET {assignments} WHERE {where}", [*changes.values(), *params])
        return cursor.rowcount

    def delete(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        self._writing()
        return self.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
