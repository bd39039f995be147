"""The ``resets`` table (private wellbeing data: never synced). Functions take the open transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from companion.db.rows import ResetSessionRow
from companion.db.sql import Tx, typed, typed_or_none


def insert(session: Tx, values: dict[str, Any]) -> ResetSessionRow:
    """A finished reset; returns the row as written (with its new id). A call that no longer exists (its
    data was deleted meanwhile) is not linked."""
    call_id = values.get("call_id")
    if call_id is not None and session.one("SELECT id FROM calls WHERE id = ?", (call_id,)) is None:
        values = {**values, "call_id": None}
    return typed(ResetSessionRow, session.insert("resets", values))


def get(session: Tx, reset_id: str) -> ResetSessionRow | None:
    return typed_or_none(ResetSessionRow, session.get("resets", reset_id))


def set_mood_after(session: Tx, reset_id: str, mood: int | None) -> None:
    session.update("resets", {"mood_after": mood}, "id = ?", (reset_id,))


def between(session: Tx, start: datetime, end: datetime) -> list[ResetSessionRow]:
    """The resets started in ``[start, end)``, oldest first."""
    return [typed(ResetSessionRow, row) for row in session.all(
        "SELECT * FROM resets WHERE started_at >= ? AND started_at < ? ORDER BY started_at", (start, end))]
