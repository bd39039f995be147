"""The stores hand typed rows (companion.db.rows) to their callers: a misspelt column is a type error for
mypy and an AttributeError at once, never a None that travels on."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from companion.calls import store as calls_store
from companion.db.rows import CallRow, KudosRow, NotificationRow, ObstacleRow, ObstacleVoteRow, ResetSessionRow
from companion.kudos import store as kudos_store
from companion.notify import store as notify_store
from companion.obstacles import store as obstacles_store
from companion.reset import store as reset_store

WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def test_calls_resets_and_kudos_come_back_typed(db):
    with db.session() as s:
        call = calls_store.insert(s, "4711", WHEN)
        calls_store.end(s, call.id, WHEN + timedelta(seconds=90), 90.0, True)
        reset = reset_store.insert(s, {"trigger": "manual", "pattern": "box", "planned_seconds": 60,
                                       "actual_seconds": 60.0, "outcome": "completed", "started_at": WHEN,
                                       "ended_at": WHEN, "call_id": call.id})
        kudos = kudos_store.insert(s, {"sender": "ana", "recipient": "ben", "category": "helping",
                                       "message": "thanks", "sent_at": WHEN})
    assert isinstance(call, CallRow) and call.ended_at is None  # as written: open
    assert isinstance(reset, ResetSessionRow) and reset.mood_after is None and reset.call_id == call.id
    assert isinstance(kudos, KudosRow) and kudos.read_at is None and len(kudos.id) == 36
    with db.reading() as s:
        (stored,) = calls_store.between(s, WHEN, WHEN + timedelta(hours=1))
        assert reset_store.between(s, WHEN, WHEN + timedelta(hours=1)) == [reset_store.get(s, reset.id)]
        assert kudos_store.inbox(s, "ben", 10) == [kudos_store.get(s, kudos.id)]
    assert stored.tough is True and stored.handle_seconds == 90.0 and stored.ended_at == WHEN + timedelta(seconds=90)
    with pytest.raises(AttributeError):
        stored.handle_time  # type: ignore[attr-defined]  # noqa: B018 - a misspelt column
    with pytest.raises(AttributeError):
        stored.handle_time = 1.0  # type: ignore[attr-defined]  # slots: no new attributes either
    assert "handle_seconds=90.0" in repr(stored) and stored != calls_store.insert
    with pytest.raises(TypeError):
        hash(stored)


def test_obstacles_and_votes_come_back_typed(db):
    with db.session() as s:
        obstacle = obstacles_store.insert(s, {"category": "process", "text": "slow tool", "logged_at": WHEN})
        vote = obstacles_store.insert_vote(s, {"obstacle_id": obstacle.id, "voter": "ben"})
    assert isinstance(obstacle, ObstacleRow) and obstacle.status == "open" and obstacle.reply is None
    assert isinstance(vote, ObstacleVoteRow)
    with db.reading() as s:
        assert obstacles_store.everything(s) == [obstacles_store.get(s, obstacle.id)]
        assert obstacles_store.get_vote(s, vote.id) is not None and obstacles_store.has_voted(s, obstacle.id, "ben")


def test_notifications_come_back_typed(db):
    with db.session() as s:
        note = notify_store.insert(s, {"kind": "info", "title": "t", "body": "b"})
    assert isinstance(note, NotificationRow) and note.payload == "{}" and note.shown_at is None
    with db.reading() as s:
        assert notify_store.latest(s, 5) == [notify_store.get(s, note.id)]
        assert notify_store.created_between(s, note.created_at, note.created_at + timedelta(seconds=1)) == \
            notify_store.latest(s, 1)


def test_a_missing_row_is_none(db):
    with db.reading() as s:
        assert calls_store.get(s, "nope") is None and reset_store.get(s, "nope") is None
        assert kudos_store.get(s, "nope") is None and obstacles_store.get(s, "nope") is None
