"""A hostile or badly set sender clock (issue 14.5): "when it happened" times far in the future are stored as
the time they were received; a deep-breath invitation cannot stay open past the lead's window."""
from datetime import timedelta

import pytest

from companion.db.sql import new_id
from companion import inbound
from tests.core.test_inbound import apply, kudos, obstacle
from tests.core.team_helpers import name_me
from tests.fakes import START

FUTURE = "2099-01-01T00:00:00+00:00"


def stored(db, sql):
    with db.reading() as s:
        return s.scalar(sql)


def test_a_kudos_sent_in_2099_is_stored_as_received_now(desk, db):
    name_me(desk)
    record = kudos(sent_at=FUTURE)
    assert apply(db, record) is not None
    assert stored(db, "SELECT sent_at FROM kudos") == START
    later = kudos(sent_at=(START + timedelta(minutes=1)).isoformat(), message="Second")  # really sent later
    apply(db, later)
    assert [k.message for k in desk.kudos.inbox()][0] == "Second"  # the "2099" one does not stay on top for ever


@pytest.mark.parametrize("ahead, kept", [(timedelta(minutes=4), True), (timedelta(minutes=6), False)])
def test_a_few_minutes_of_clock_skew_are_kept_as_sent(db, ahead, kept):
    apply(db, kudos(sent_at=(START + ahead).isoformat()))
    assert stored(db, "SELECT sent_at FROM kudos") == (START + ahead if kept else START)


def test_an_obstacle_logged_in_the_future_is_stored_as_received_now(db):
    apply(db, obstacle(logged_at=FUTURE, anonymous=True, sender=None))
    assert stored(db, "SELECT logged_at FROM obstacles") == START


def test_a_reply_acted_on_in_the_future_is_stored_as_received_now(desk, db):
    target = obstacle()
    apply(db, target)
    reply = {"id": new_id(), "kind": "obstacle_reply", "sender": "lee", "team": "blue", "obstacle_id": target["id"],
             "reply": "Fixed", "acted_at": FUTURE}
    apply(db, reply)
    assert stored(db, "SELECT acted_at FROM obstacles") == START


def test_a_deep_breath_invitation_cannot_stay_open_for_ever(db):
    record = {"id": new_id(), "kind": "broadcast", "sender": "lee", "team": "blue", "broadcast_kind": "deep_breath",
              "sent_at": FUTURE, "expires_at": "2099-12-31T00:00:00+00:00"}
    got = apply(db, record)
    assert stored(db, "SELECT sent_at FROM broadcasts") == START
    assert stored(db, "SELECT expires_at FROM broadcasts") == START + timedelta(minutes=10)
    assert got.data["expires_at"] == (START + timedelta(minutes=10)).isoformat()


def test_an_invitation_that_expires_before_it_was_sent_is_still_refused(db, caplog):
    record = {"id": new_id(), "kind": "broadcast", "sender": "lee", "team": "blue", "broadcast_kind": "deep_breath",
              "sent_at": FUTURE, "expires_at": "2098-01-01T00:00:00+00:00"}
    assert apply(db, record) is None and "expires_at must be after sent_at" in caplog.text


def test_max_clock_skew_is_minutes():
    assert inbound.MAX_CLOCK_SKEW == timedelta(minutes=5)
