"""The ``notifications`` table: every statement about notifications (the centre, My day, the group deep
breath's invitations). Functions take the open transaction, so the caller keeps its unit of work; the hold
rules themselves (which reasons are releasable, the hourly cap) stay in ``companion.notify.centre``."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from companion.db.rows import NotificationRow
from companion.db.sql import Row, Tx, placeholders, typed, typed_or_none


def insert(session: Tx, values: dict[str, Any]) -> NotificationRow:
    """One notification; returns the row as written (with its new id)."""
    return typed(NotificationRow, session.insert("notifications", values))


def get(session: Tx, notification_id: str) -> NotificationRow | None:
    return typed_or_none(NotificationRow, session.get("notifications", notification_id))


def change(session: Tx, notification_id: str, changes: dict[str, Any]) -> None:
    """Set columns of one notification; only a real change is written (and stamps ``updated_at``)."""
    unchanged = " AND ".join(f"{name} IS ?" for name in changes)
    session.update("notifications", changes, f"id = ? AND NOT ({unchanged})",
                   (notification_id, *changes.values()))


def hold_again(session: Tx, notification_id: str, reason: str) -> None:
    """Back to held (not shown, not read) for ``reason``."""
    session.update("notifications", {"shown_at": None, "shown_via": None, "read_at": None, "held_reason": reason},
                   "id = ?", (notification_id,))


def mark_read(session: Tx, notification_id: str, when: datetime) -> None:
    session.update("notifications", {"read_at": when}, "id = ? AND read_at IS NULL", (notification_id,))


def shown_since(session: Tx, since: datetime, except_kind: str) -> int:
    """How many were shown since ``since``, not counting ``except_kind``."""
    return session.scalar("SELECT count(*) FROM notifications WHERE shown_at >= ? AND kind != ?",
                          (since, except_kind)) or 0


def oldest_shown_since(session: Tx, since: datetime) -> datetime | None:
    oldest: datetime | None = session.scalar(
        'SELECT min(shown_at) AS "oldest [DATETIME]" FROM notifications WHERE shown_at >= ?', (since,))
    return oldest


def _held_where(reasons: Sequence[str]) -> str:
    return f"shown_at IS NULL AND held_reason IN ({placeholders(reasons)})"


def held(session: Tx, reasons: Sequence[str]) -> list[Row]:
    """``id`` and ``kind`` of the notifications not shown and held for one of ``reasons``, oldest first."""
    return session.all(f"SELECT id, kind FROM notifications WHERE {_held_where(reasons)} ORDER BY created_at",
                       list(reasons))


def held_count(session: Tx, reasons: Sequence[str]) -> int:
    return session.scalar(f"SELECT count(*) FROM notifications WHERE {_held_where(reasons)}", list(reasons)) or 0


def latest(session: Tx, limit: int) -> list[NotificationRow]:
    return [typed(NotificationRow, row) for row in
            session.all("SELECT * FROM notifications ORDER BY created_at DESC LIMIT ?", (limit,))]


def of_kind(session: Tx, ids: Sequence[str], kind: str) -> list[Row]:
    """``id`` and ``payload`` of those of ``ids`` that are of ``kind``."""
    return session.all(f"SELECT id, payload FROM notifications WHERE id IN ({placeholders(ids)}) AND kind = ?",
                       [*ids, kind])


def created_between(session: Tx, start: datetime, end: datetime) -> list[NotificationRow]:
    """The notifications created in ``[start, end)``, oldest first."""
    return [typed(NotificationRow, row) for row in session.all(
        "SELECT * FROM notifications WHERE created_at >= ? AND created_at < ? ORDER BY created_at", (start, end))]


def live(session: Tx, kind: str, now: datetime, expired: str) -> NotificationRow | None:
    """The newest notification of ``kind`` not read, not past ``expires_at`` and not held as ``expired``."""
    return typed_or_none(NotificationRow, session.one(
        "SELECT * FROM notifications WHERE kind = ? AND read_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > ?) AND held_reason IS NOT ? "
        "ORDER BY created_at DESC LIMIT 1", (kind, now, expired)))


def retire(session: Tx, kind: str, now: datetime, expired: str) -> int:
    """Live notifications of ``kind`` become moot: a held one is never shown (held as ``expired``), and every
    unexpired unread one is marked read. Returns how many were marked read."""
    session.update("notifications", {"held_reason": expired},
                   "kind = ? AND shown_at IS NULL AND held_reason IS NOT ?", (kind, expired))
    return session.update("notifications", {"read_at": now},
                          "kind = ? AND read_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", (kind, now))


def held_of_kinds(session: Tx, reasons: Sequence[str], kinds: Sequence[str]) -> int:
    """How many of ``kinds`` wait (not shown, held for one of ``reasons``)."""
    return session.scalar(f"SELECT count(*) FROM notifications WHERE {_held_where(reasons)} "
                          f"AND kind IN ({placeholders(kinds)})", [*reasons, *kinds]) or 0


def fold_oldest(session: Tx, reasons: Sequence[str], kinds: Sequence[str], count: int, reason: str) -> int:
    """The oldest ``count`` waiting notifications of ``kinds`` are held for ``reason`` instead (never shown;
    they stay in the history). Returns how many."""
    return session.update(
        "notifications", {"held_reason": reason},
        f"id IN (SELECT id FROM notifications WHERE {_held_where(reasons)} AND kind IN ({placeholders(kinds)}) "
        "ORDER BY created_at LIMIT ?)", [*reasons, *kinds, count])


def waiting_of_kind(session: Tx, reasons: Sequence[str], kind: str) -> NotificationRow | None:
    """The newest waiting notification of ``kind``."""
    return typed_or_none(NotificationRow, session.one(
        f"SELECT * FROM notifications WHERE {_held_where(reasons)} AND kind = ? ORDER BY created_at DESC LIMIT 1",
        [*reasons, kind]))


def of_day(session: Tx, start: datetime, end: datetime, paged: Sequence[str], newest: int) -> list[NotificationRow]:
    """The notifications created in ``[start, end)``, oldest first: every one not of the ``paged`` kinds (prompts
    and the app's notices: a few a call), and only the ``newest`` of the ``paged`` (informational) kinds, so a
    flood of kudos never makes this list long (``page_of_day`` reads the rest)."""
    marks = placeholders(paged)
    return [typed(NotificationRow, row) for row in session.all(
        "SELECT * FROM (SELECT * FROM notifications WHERE created_at >= ? AND created_at < ? "
        f"AND kind NOT IN ({marks}) UNION ALL SELECT * FROM (SELECT * FROM notifications WHERE created_at >= ? "
        f"AND created_at < ? AND kind IN ({marks}) ORDER BY created_at DESC LIMIT ?)) ORDER BY created_at",
        [start, end, *paged, start, end, *paged, newest])]


def count_of_day(session: Tx, start: datetime, end: datetime) -> int:
    return session.scalar("SELECT count(*) FROM notifications WHERE created_at >= ? AND created_at < ?",
                          (start, end)) or 0


def page_of_day(session: Tx, start: datetime, end: datetime, offset: int, limit: int) -> list[NotificationRow]:
    """One page of the notifications created in ``[start, end)``, newest first."""
    return [typed(NotificationRow, row) for row in session.all(
        "SELECT * FROM notifications WHERE created_at >= ? AND created_at < ? ORDER BY created_at DESC, id "
        "LIMIT ? OFFSET ?", (start, end, limit, offset))]
