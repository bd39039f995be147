"""The local outbox: changes waiting to go to the team hub (docs/team-hub.md).

``enqueue`` is called inside the same session (transaction) as the local change it describes, so the
change and its delivery stand or fall together. The sync worker reads ``pending`` and stamps what the hub
accepted with ``mark_pushed``; a record may be pushed more than once (the hub upserts by id).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from companion.db.sql import Row, Tx, placeholders

from companion.team.kinds import KINDS as KINDS  # each kind declared once (companion.team.kinds)

#: ``Tx.info`` key set when a unit of work enqueued something (the sync worker wakes after its commit)
ENQUEUED = "companion_outbox"


def enqueue(session: Tx, kind: str, record: dict[str, Any], now: datetime) -> Row:
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if not isinstance(record.get("id"), str):
        raise ValueError("an outbox record needs its string id")
    item = session.insert("outbox", {"kind": kind, "record_id": record["id"],
                                     "payload": json.dumps(record, sort_keys=True), "created_at": now,
                                     "attempts": 0, "pushed_at": None, "last_error": None})
    session.info[ENQUEUED] = True
    return item


# A record the hub refused (row-level security, a constraint, its own limits): kept with its reason, never pushed
# again; the sync worker tells the agent (a ``team.received`` item of kind REFUSED: data what, reason).
REJECTED = "rejected by the team hub: "
REFUSED = "hub_refused"
_NOT_REJECTED = "(last_error IS NULL OR substr(last_error, 1, %d) <> '%s')" % (len(REJECTED), REJECTED)
_WAITING = f"pushed_at IS NULL AND {_NOT_REJECTED}"

# Insertion order: items enqueued in one transaction share created_at, and their ids are random UUIDs,
# so SQLite's rowid breaks the tie (an obstacle must reach the hub before a +1 that refers to it).
_IN_ORDER = "ORDER BY created_at, rowid"


def pending(session: Tx, limit: int = 200) -> list[Row]:
    return session.all(f"SELECT * FROM outbox WHERE {_WAITING} {_IN_ORDER} LIMIT ?", (limit,))


def waiting(session: Tx) -> int:
    return session.scalar(f"SELECT count(*) FROM outbox WHERE {_WAITING}") or 0


def rejected(session: Tx) -> list[Row]:
    return session.all(f"SELECT * FROM outbox WHERE pushed_at IS NULL AND NOT {_NOT_REJECTED} {_IN_ORDER}")


def mark_rejected(session: Tx, ids: list[str], reason: str) -> None:
    """The hub refused these for good: keep them (with the reason) out of ``pending`` and ``waiting``."""
    session.execute(f"UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN ({placeholders(ids)})",
                    [(REJECTED + reason)[:500], *ids])


def mark_pushed(session: Tx, ids: list[str], now: datetime) -> None:
    session.execute(f"UPDATE outbox SET pushed_at = ?, last_error = NULL WHERE id IN ({placeholders(ids)})",
                    [now, *ids])


def mark_failed(session: Tx, ids: list[str], error: str) -> None:
    session.execute(f"UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN ({placeholders(ids)})",
                    [error[:500], *ids])
