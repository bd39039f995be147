"""The team's local tables other than the outbox (``companion.team.outbox``): the roster (``teammates``)
and the leads' broadcasts (``broadcasts``, the group deep breath). Every statement about them is here;
functions take the open transaction, so the caller keeps its unit of work."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from companion.db.rows import BroadcastRow, TeammateRow
from companion.db.sql import Row, Tx, placeholders, typed, typed_or_none


# -- teammates ----------------------------------------------------------------------------------------
def teammates(session: Tx, *, include_inactive: bool = False) -> list[TeammateRow]:
    """The roster by display name (only the active teammates unless asked)."""
    where = "" if include_inactive else "WHERE active = 1 "
    return [typed(TeammateRow, row) for row in
            session.all(f"SELECT * FROM teammates {where}ORDER BY display_name, name")]


def active_teammate(session: Tx, name: str) -> TeammateRow | None:
    return typed_or_none(TeammateRow, session.one("SELECT * FROM teammates WHERE name = ? AND active = 1", (name,)))


def teammate(session: Tx, name: str) -> TeammateRow | None:
    """A teammate by name, active or not."""
    return typed_or_none(TeammateRow, session.get("teammates", name, column="name"))


def insert_teammate(session: Tx, values: dict[str, Any]) -> TeammateRow:
    return typed(TeammateRow, session.insert("teammates", values))


def update_teammate(session: Tx, teammate_id: str, values: dict[str, Any]) -> None:
    session.update("teammates", values, "id = ?", (teammate_id,))


def update_teammate_by_name(session: Tx, name: str, values: dict[str, Any]) -> int:
    """Returns 1 if that name was on the roster (and changed), else 0."""
    return session.update("teammates", values, "name = ?", (name,))


def delete_teammate(session: Tx, teammate_id: str) -> None:
    session.delete("teammates", "id = ?", (teammate_id,))


def is_lead(session: Tx, name: str) -> bool | None:
    """Whether the roster has ``name`` as a lead; None when the name is not on it."""
    row = session.one("SELECT is_lead FROM teammates WHERE name = ?", (name,))
    return None if row is None else bool(row.is_lead)


def set_local_active(session: Tx, active: bool, now: datetime) -> int:
    """Make every hand-typed teammate (in)active; returns how many changed."""
    return session.update("teammates", {"active": active, "updated_at": now},
                          f"source = 'local' AND active = {0 if active else 1}")


def deactivate_hub_teammates_except(session: Tx, names: Iterable[str], now: datetime) -> None:
    """The hub's teammates no longer on its roster become inactive (never deleted)."""
    kept = list(names)
    session.update("teammates", {"active": False, "updated_at": now},
                   f"source = 'hub' AND active = 1 AND name NOT IN ({placeholders(kept)})", kept)


# -- broadcasts ---------------------------------------------------------------------------------------
def insert_broadcast(session: Tx, values: dict[str, Any]) -> BroadcastRow:
    return typed(BroadcastRow, session.insert("broadcasts", values))


def broadcast(session: Tx, broadcast_id: str) -> BroadcastRow | None:
    return typed_or_none(BroadcastRow, session.get("broadcasts", broadcast_id))


def last_broadcast_from(session: Tx, sender: str) -> BroadcastRow | None:
    return typed_or_none(BroadcastRow, session.one(
        "SELECT * FROM broadcasts WHERE sender = ? ORDER BY sent_at DESC LIMIT 1", (sender,)))


def broadcast_response(session: Tx, broadcast_id: str) -> str | None:
    response: str | None = session.scalar("SELECT response FROM broadcasts WHERE id = ?", (broadcast_id,))
    return response


def change_broadcast(session: Tx, broadcast_id: str, changes: dict[str, Any]) -> None:
    """Set columns of one broadcast (its ``updated_at`` is stamped unless given)."""
    session.update("broadcasts", changes, "id = ?", (broadcast_id,))


def sweep_missed_broadcasts(session: Tx, me: str | None, now: datetime) -> int:
    """Others' invitations whose window closed without an answer become ``missed``; returns how many."""
    # IS NOT: with no name yet (NULL) every sender is someone else
    return session.update("broadcasts", {"response": "missed", "updated_at": now},
                          "response IS NULL AND expires_at <= ? AND sender IS NOT ?", (now, me))


def broadcasts_from_since(session: Tx, sender: str, expires_after: datetime) -> list[Row]:
    """``id`` and ``expires_at`` of ``sender``'s broadcasts whose window ends after ``expires_after`` (the
    sync worker fetches their join counts)."""
    return session.all("SELECT id, expires_at FROM broadcasts WHERE sender = ? AND expires_at > ?",
                       (sender, expires_after))
