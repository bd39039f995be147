"""The ``kudos`` table: every statement about kudos (sending, the inbox, the week's feed, what the team hub
delivers). Functions take the open transaction, so the caller keeps its unit of work."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from companion.db.rows import KudosRow
from companion.db.sql import Tx, placeholders, typed, typed_or_none


def insert(session: Tx, values: dict[str, Any]) -> KudosRow:
    """One kudos; returns the row as written."""
    return typed(KudosRow, session.insert("kudos", values))


def get(session: Tx, kudos_id: str) -> KudosRow | None:
    return typed_or_none(KudosRow, session.get("kudos", kudos_id))


def given_since(session: Tx, sender: str, since: datetime) -> int:
    return session.scalar("SELECT count(*) FROM kudos WHERE sender = ? AND sent_at >= ?", (sender, since)) or 0


def inbox(session: Tx, recipient: str, limit: int) -> list[KudosRow]:
    """The recipient's kudos, newest first."""
    return [typed(KudosRow, row) for row in session.all(
        "SELECT * FROM kudos WHERE recipient = ? ORDER BY sent_at DESC LIMIT ?", (recipient, limit))]


UNREAD_COUNTED = 1000  # unread kudos are counted up to this many: the count stays quick after a flood (issue 14)


def unread_count(session: Tx, recipient: str, limit: int = UNREAD_COUNTED) -> int:
    """The recipient's unread kudos, counted up to ``limit`` (a flood of 100,000 answers ``limit`` at once)."""
    return session.scalar("SELECT count(*) FROM (SELECT 1 FROM kudos WHERE recipient = ? AND read_at IS NULL "
                          "LIMIT ?)", (recipient, limit)) or 0


def mark_read(session: Tx, recipient: str, when: datetime, ids: Sequence[str] | None = None) -> int:
    """Mark the recipient's unread kudos read (all, or those of ``ids``); returns how many changed."""
    where, params = "recipient = ? AND read_at IS NULL", [recipient]
    if ids is not None:
        where, params = f"{where} AND id IN ({placeholders(ids)})", [*params, *ids]
    return session.update("kudos", {"read_at": when}, where, params)


def sent_between(session: Tx, start: datetime, end: datetime) -> list[KudosRow]:
    """Every kudos sent in ``[start, end)``, newest first."""
    return [typed(KudosRow, row) for row in session.all(
        "SELECT * FROM kudos WHERE sent_at >= ? AND sent_at < ? ORDER BY sent_at DESC, id DESC", (start, end))]


def page(session: Tx, where: str, params: Sequence[Any], limit: int) -> list[KudosRow]:
    """Up to ``limit`` kudos matching ``where`` (a condition built by the service from fixed fragments, never
    from text a person typed; values go in ``params``), newest first: keyset paging on the sent_at index."""
    return [typed(KudosRow, row) for row in session.all(
        f"SELECT * FROM kudos WHERE {where} ORDER BY sent_at DESC, id DESC LIMIT ?", (*params, limit))]


def count_between(session: Tx, start: datetime, end: datetime) -> int:
    """How many kudos were sent in ``[start, end)`` (an index range count, not a load)."""
    return session.scalar("SELECT count(*) FROM kudos WHERE sent_at >= ? AND sent_at < ?", (start, end)) or 0


def recipients_between(session: Tx, start: datetime, end: datetime) -> set[str]:
    """Who received at least one kudos in ``[start, end)``."""
    return {row.recipient for row in session.all(
        "SELECT DISTINCT recipient FROM kudos WHERE sent_at >= ? AND sent_at < ?", (start, end))}


def counts_between(session: Tx, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(category, recipient, how many) for the kudos sent in ``[start, end)``, counted by the database."""
    return [(row.category, row.recipient, row.n) for row in session.all(
        "SELECT category, recipient, count(*) AS n FROM kudos WHERE sent_at >= ? AND sent_at < ? "
        "GROUP BY category, recipient", (start, end))]
