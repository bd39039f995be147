"""The ``obstacles`` and ``obstacle_votes`` tables (Voice of the Customer): every statement about them
(logging, +1s, the board, the lead's reply, what the team hub delivers). Functions take the open
transaction, so the caller keeps its unit of work."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from companion.db.rows import ObstacleRow, ObstacleVoteRow
from companion.db.sql import Tx, typed, typed_or_none


def insert(session: Tx, values: dict[str, Any]) -> ObstacleRow:
    """One obstacle; returns the row as written."""
    return typed(ObstacleRow, session.insert("obstacles", values))


def get(session: Tx, obstacle_id: str) -> ObstacleRow | None:
    return typed_or_none(ObstacleRow, session.get("obstacles", obstacle_id))


def everything(session: Tx) -> list[ObstacleRow]:
    return [typed(ObstacleRow, row) for row in session.all("SELECT * FROM obstacles")]


def mark_acted_on(session: Tx, obstacle_id: str, reply: str, acted_by: str, acted_at: datetime,
                  now: datetime) -> None:
    session.update("obstacles", {"status": "acted_on", "reply": reply, "acted_by": acted_by, "acted_at": acted_at,
                                 "updated_at": now}, "id = ?", (obstacle_id,))


def insert_vote(session: Tx, values: dict[str, Any]) -> ObstacleVoteRow:
    """One +1; returns the row as written."""
    return typed(ObstacleVoteRow, session.insert("obstacle_votes", values))


def get_vote(session: Tx, vote_id: str) -> ObstacleVoteRow | None:
    return typed_or_none(ObstacleVoteRow, session.get("obstacle_votes", vote_id))


def has_voted(session: Tx, obstacle_id: str, voter: str) -> bool:
    """Whether ``voter`` gave this obstacle a +1 already (under any id)."""
    return session.one("SELECT id FROM obstacle_votes WHERE obstacle_id = ? AND voter = ?",
                       (obstacle_id, voter)) is not None


def vote_counts(session: Tx) -> dict[str, int]:
    """obstacle id -> its number of +1s (obstacles without any are left out)."""
    return {r.obstacle_id: r.votes for r in session.all(
        "SELECT obstacle_id, count(*) AS votes FROM obstacle_votes GROUP BY obstacle_id")}


def voted_by(session: Tx, voter: str) -> set[str]:
    """The ids of the obstacles ``voter`` gave a +1."""
    return {r.obstacle_id for r in session.all("SELECT obstacle_id FROM obstacle_votes WHERE voter = ?", (voter,))}
