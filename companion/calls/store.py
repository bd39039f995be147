"""The ``calls`` table: every statement about calls (the tracker, My day, the checklist runs, the kudos
dialog's call reference). Functions take the open transaction (``Database.session()`` / ``.reading()``), so the
caller keeps its unit of work."""
from __future__ import annotations

from datetime import datetime

from companion.db.rows import CallRow
from companion.db.sql import Tx, typed, typed_or_none


def insert(session: Tx, ref: str | None, started_at: datetime) -> CallRow:
    """A new call, open (no end yet); returns the row as written (with its new id)."""
    return typed(CallRow, session.insert("calls", {"ref": ref, "started_at": started_at, "tough": False,
                                                   "created_at": started_at, "updated_at": started_at}))


def end(session: Tx, call_id: str, ended_at: datetime, handle_seconds: float, tough: bool) -> None:
    session.update("calls", {"ended_at": ended_at, "handle_seconds": handle_seconds, "tough": tough,
                             "updated_at": ended_at}, "id = ?", (call_id,))


def close_abandoned(session: Tx, now: datetime) -> int:
    """Calls left open (a crash, a shutdown mid-call) get an end and no handle time; returns how many."""
    return session.update("calls", {"ended_at": now, "updated_at": now}, "ended_at IS NULL")


def get(session: Tx, call_id: str) -> CallRow | None:
    return typed_or_none(CallRow, session.get("calls", call_id))


def last_ref(session: Tx) -> str | None:
    """The reference of the latest call that had one."""
    ref: str | None = session.scalar("SELECT ref FROM calls WHERE ref IS NOT NULL ORDER BY started_at DESC LIMIT 1")
    return ref


def recent_handle_seconds(session: Tx, limit: int) -> list[float]:
    """The handle times of the latest ``limit`` calls that have one, newest first."""
    return [r.handle_seconds for r in session.all(
        "SELECT handle_seconds FROM calls WHERE handle_seconds IS NOT NULL ORDER BY started_at DESC LIMIT ?",
        (limit,))]


def between(session: Tx, start: datetime, end: datetime) -> list[CallRow]:
    """The calls started in ``[start, end)``, oldest first."""
    return [typed(CallRow, row) for row in session.all(
        "SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at", (start, end))]
