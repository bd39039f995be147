from companion.team import outbox
from tests.fakes import START


def test_items_of_the_same_instant_keep_their_order(db):
    """An obstacle and its +1 can be enqueued in the same clock tick: the +1 must never be pushed first."""
    ids = [f"r{n:02d}" for n in range(40)]
    with db.session() as s:
        for record_id in ids:
            outbox.enqueue(s, "obstacle", {"id": record_id}, START)
    with db.session() as s:
        assert [i.record_id for i in outbox.pending(s)] == ids
