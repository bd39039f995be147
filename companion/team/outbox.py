"""The local outbox: changes waiting to go to the team hub (docs/team-hub.md).

``enqueue`` is called inside the same session (transaction) as the local change it describes, so the
change and its delivery stand or fall together. The sync worker reads ``pending`` and stamps what the hub
accepted with ``mark_pushed``; a record may be pushed more than once (the hub upserts by id).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, not_, or_, select
from sqlalchemy.orm import Session

from companion.db.models import OutboxItem

KINDS = ("kudos", "obstacle", "obstacle_vote", "obstacle_reply", "broadcast", "breath_join", "template")


def enqueue(session: Session, kind: str, record: dict[str, Any], now: datetime) -> OutboxItem:
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if not isinstance(record.get("id"), str):
        raise ValueError("an outbox record needs its string id")
    item = OutboxItem(kind=kind, record_id=record["id"], payload=json.dumps(record, sort_keys=True),
                      created_at=now, attempts=0)
    session.add(item)
    return item


# A record the hub refused (row-level security, a constraint): kept with its reason, never pushed again.
REJECTED = "rejected by the team hub: "
_NOT_REJECTED = or_(OutboxItem.last_error.is_(None), not_(OutboxItem.last_error.startswith(REJECTED)))


# Insertion order: items enqueued in one transaction share created_at, and their ids are random UUIDs,
# so SQLite's rowid breaks the tie (an obstacle must reach the hub before a +1 that refers to it).
_IN_ORDER = (OutboxItem.created_at, literal_column("outbox.rowid"))


def pending(session: Session, limit: int = 200) -> list[OutboxItem]:
    return list(session.scalars(select(OutboxItem).where(OutboxItem.pushed_at.is_(None), _NOT_REJECTED)
                                .order_by(*_IN_ORDER).limit(limit)))


def waiting(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxItem)
                          .where(OutboxItem.pushed_at.is_(None), _NOT_REJECTED)) or 0


def rejected(session: Session) -> list[OutboxItem]:
    return list(session.scalars(select(OutboxItem).where(OutboxItem.pushed_at.is_(None), ~_NOT_REJECTED)
                                .order_by(*_IN_ORDER)))


def mark_rejected(session: Session, ids: list[str], reason: str) -> None:
    """The hub refused these for good: keep them (with the reason) out of ``pending`` and ``waiting``."""
    for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids))):
        item.attempts += 1
        item.last_error = (REJECTED + reason)[:500]


def mark_pushed(session: Session, ids: list[str], now: datetime) -> None:
    for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids))):
        item.pushed_at, item.last_error = now, None


def mark_failed(session: Session, ids: list[str], error: str) -> None:
    for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids))):
        item.attempts += 1
        item.last_error = error[:500]
