import json

import pytest

from companion.team import outbox
from tests.fakes import START


def test_enqueue_pending_and_mark_pushed(db):
    with db.session() as s:
        outbox.enqueue(s, "kudos", {"id": "k1", "message": "thanks"}, START)
        outbox.enqueue(s, "obstacle", {"id": "o1"}, START)
    with db.session() as s:
        items = outbox.pending(s)
        assert [i.record_id for i in items] == ["k1", "o1"]
        assert json.loads(items[0].payload) == {"id": "k1", "message": "thanks"}
        assert outbox.waiting(s) == 2
        outbox.mark_failed(s, [items[1].id], "hub unreachable")
        outbox.mark_pushed(s, [items[0].id], START)
    with db.session() as s:
        left = outbox.pending(s)
        assert [(i.record_id, i.attempts, i.last_error) for i in left] == [("o1", 1, "hub unreachable")]


def test_enqueue_rolls_back_with_the_change(db):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            outbox.enqueue(s, "kudos", {"id": "k1"}, START)
            raise RuntimeError("the local change failed")
    with db.session() as s:
        assert outbox.waiting(s) == 0


def test_enqueue_refuses_unknown_kinds_and_missing_ids(db):
    with db.session() as s:
        with pytest.raises(ValueError):
            outbox.enqueue(s, "moods", {"id": "m1"}, START)  # wellbeing never travels
        with pytest.raises(ValueError):
            outbox.enqueue(s, "kudos", {"message": "no id"}, START)


def test_pending_keeps_the_order_of_enqueueing_within_one_transaction(db):
    ids = [f"r{i:02d}" for i in range(30)]
    with db.session() as s:  # one transaction, one timestamp: random UUID keys must not reorder them
        for record_id in ids:
            outbox.enqueue(s, "obstacle", {"id": record_id}, START)
    with db.session() as s:
        assert [i.record_id for i in outbox.pending(s)] == ids


def test_rejected_items_leave_pending_and_waiting_but_are_kept(db):
    with db.session() as s:
        outbox.enqueue(s, "kudos", {"id": "k1"}, START)
        outbox.enqueue(s, "kudos", {"id": "k2"}, START)
    with db.session() as s:
        first = outbox.pending(s)[0]
        outbox.mark_rejected(s, [first.id], "42501 new row violates row-level security policy")
    with db.session() as s:
        assert [i.record_id for i in outbox.pending(s)] == ["k2"] and outbox.waiting(s) == 1
        [kept] = outbox.rejected(s)
        assert kept.record_id == "k1" and kept.last_error.startswith(outbox.REJECTED) and kept.attempts == 1
