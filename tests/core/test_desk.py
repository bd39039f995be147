from datetime import datetime, timedelta, timezone

import pytest

from companion.notify.kinds import RESET_OFFER
from companion.errors import InvalidInput
from companion.desk import Desk
from companion.status import app_state
from tests.fakes import FakeClock, RecordingPresenter


def test_long_call_posts_an_actionable_offer_after_the_call(desk, clock, notifier):
    presenter = RecordingPresenter()
    desk.notifications.presenter = presenter
    desk.start_call("77")
    clock.advance(9 * 60)
    desk.end_call()
    (offer,) = presenter.presented
    assert offer.kind == RESET_OFFER and offer.title == "Take a 60-second reset?"
    assert "9 minutes" in offer.body and [a.key for a in offer.actions] == ["start", "dismiss"]
    assert offer.payload["call_id"]


def test_no_offer_after_a_short_ordinary_call(desk, clock):
    presenter = RecordingPresenter()
    desk.notifications.presenter = presenter
    desk.start_call()
    clock.advance(60)
    desk.end_call()
    assert presenter.presented == []


def test_notifications_during_a_call_wait_for_its_end(desk, clock, notifier):
    desk.start_call()
    desk.notifications.post("info", "while on call", "")
    assert notifier.shown == [] and desk.status()["waiting_notifications"] == 1
    desk.end_call()
    assert notifier.shown == [("while on call", "")]


def test_reset_never_starts_during_a_call(desk):
    desk.start_call()
    with pytest.raises(InvalidInput, match="on a call"):
        desk.start_reset(1, None, "cli")
    assert desk.resets.current is None


def test_pause_for_and_resume(desk, clock):
    until = desk.pause_for(30)
    assert until == clock.now() + timedelta(minutes=30) and desk.state() == "paused"
    desk.resume_notifications()
    assert desk.state() == "ready"


@pytest.fixture
def berlin(monkeypatch):
    """Local time is Europe/Berlin for this test (the process's TZ, as on an agent's desktop)."""
    import time as _time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


@pytest.mark.parametrize("local_now, expected", [
    ("2026-03-10 14:00", "2026-03-11 06:00"),   # in the day: tomorrow morning
    ("2026-03-10 23:59", "2026-03-11 06:00"),
    ("2026-03-11 01:30", "2026-03-11 06:00"),   # after midnight: this morning, not 28 hours later
    ("2026-03-11 05:59", "2026-03-11 06:00"),
    ("2026-03-11 06:00", "2026-03-12 06:00"),   # at 06:00 the next morning is tomorrow's
    ("2026-03-28 22:00", "2026-03-29 06:00"),   # clocks go forward overnight: still 06:00 on the wall
])
def test_pause_until_tomorrow_ends_at_the_next_six_in_the_morning(db, notifier, berlin, local_now, expected):
    from zoneinfo import ZoneInfo

    from companion.notify.base import NotifierChain

    tz = ZoneInfo("Europe/Berlin")
    now = datetime.fromisoformat(local_now).replace(tzinfo=tz).astimezone(timezone.utc)
    desk = Desk(db, FakeClock(now), NotifierChain([notifier]))
    until = desk.pause_until_tomorrow().astimezone(tz)
    assert until.replace(tzinfo=None) == datetime.fromisoformat(expected)
    assert desk.notifications.paused_until == until


def test_tick_ends_an_expired_pause(desk, clock, notifier):
    desk.pause_for(30)
    desk.notifications.post("info", "held", "")
    clock.advance(31 * 60)
    desk.tick_notifications()
    assert desk.state() == "ready"
    assert notifier.shown == [("held", ""), ("Notifications are back on", "Your pause has ended.")]


def test_status_has_no_side_effects(desk, clock, notifier):
    desk.pause_for(30)
    desk.notifications.post("info", "held", "")
    clock.advance(31 * 60)
    assert desk.status()["paused_until"] is None and desk.state() == "ready"
    assert notifier.shown == []  # reading the state showed nothing; the timer's tick will


def test_bad_ref_during_a_reset_changes_nothing(desk, clock):
    import pytest

    from companion.errors import InvalidInput

    session = desk.start_reset(1, None, "tray")
    with pytest.raises(InvalidInput):
        desk.start_call("not a valid ref")
    assert desk.resets.current is session and desk.state() == "reset"


def test_status_while_on_call(desk, clock):
    desk.start_call("A-1")
    clock.advance(42)
    status = desk.status()
    assert status["state"] == "on_call" and status["on_call_seconds"] == 42 and status["call_ref"] == "A-1"


@pytest.mark.parametrize("flags, expected", [
    (dict(on_call=False, in_reset=False, paused=False), "ready"),
    (dict(on_call=True, in_reset=False, paused=True), "on_call"),
    (dict(on_call=False, in_reset=True, paused=True), "reset"),
    (dict(on_call=False, in_reset=False, paused=True), "paused"),
    (dict(on_call=False, in_reset=False, paused=False, offline=True), "offline"),
    (dict(on_call=False, in_reset=False, paused=True, offline=True), "paused"),
])
def test_app_state_priority(flags, expected):
    assert app_state(**flags) == expected


def test_a_call_ends_a_running_reset_first(desk, clock, db):
    desk.start_reset(3, None, "tray")
    clock.advance(10)
    desk.finish_reset_if_due()
    clock.advance(5)
    desk.start_call("99")
    assert desk.resets.current is None and desk.state() == "on_call"
    with db.reading() as s:
        (row,) = s.all("SELECT * FROM resets")
    assert (row.outcome, row.actual_seconds) == ("ended_early", 15.0)


def test_welcome_once_per_database(desk, db, clock, notifier):
    from companion.desk import Desk
    from companion.notify.base import NotifierChain

    assert desk.welcome_if_first_run() is True
    assert notifier.shown[0][0] == "Agent Companion is in your tray"
    assert Desk(db, clock, NotifierChain([notifier])).welcome_if_first_run() is False
    assert len(notifier.shown) == 1


def test_a_call_during_a_reset_ends_it_and_says_so(desk, clock):
    desk.start_reset(1, None, "tray")
    clock.advance(10)
    started = desk.start_call("4711")
    assert started.ended_reset and "The reset that was running has ended" in started.describe("4711")
    assert desk.resets.current is None and desk.state() == "on_call"
    desk.end_call()
    assert not desk.start_call().ended_reset


def tough_call(desk, clock, ref="T1"):
    desk.start_call(ref)
    clock.advance(30)
    desk.end_call(tough=True)


def test_the_reset_offer_lives_ten_minutes_and_can_be_taken_later(desk, clock, db):
    """The card may tuck away; the offer stays takeable (the tray's "Take the offered reset") until it lapses."""
    desk.notifications.presenter = RecordingPresenter()
    tough_call(desk, clock)
    assert desk.status()["reset_offer"] is True
    clock.advance(9 * 60 + 50)
    offer = desk.reset_offer()
    assert offer is not None
    session = desk.take_reset_offer()
    assert (session.trigger, session.planned_seconds) == ("after_call", 60)
    assert desk.reset_offer() is None and desk.notifications.get(offer).read_at is not None
    desk.end_reset()
    with db.reading() as s:
        assert s.scalar("SELECT call_id FROM resets") == s.scalar("SELECT id FROM calls")


def test_the_reset_offer_lapses_after_ten_minutes(desk, clock):
    desk.notifications.presenter = RecordingPresenter()
    tough_call(desk, clock)
    clock.advance(10 * 60 + 1)
    assert desk.reset_offer() is None and desk.status()["reset_offer"] is False
    with pytest.raises(InvalidInput, match="10 minutes"):
        desk.take_reset_offer()


def test_not_now_a_new_call_or_any_reset_retires_the_offer(desk, clock):
    desk.notifications.presenter = RecordingPresenter()
    tough_call(desk, clock)
    desk.notifications.mark_read(desk.reset_offer())  # "Not now"
    assert desk.reset_offer() is None
    tough_call(desk, clock, "T2")
    desk.start_call("T3")  # the next call: the last call's offer is moot, also afterwards
    assert desk.reset_offer() is None
    desk.end_call()
    assert desk.reset_offer() is None
    tough_call(desk, clock, "T4")
    desk.start_reset(3, None, "tray")  # any reset answers the offer
    desk.end_reset()
    assert desk.reset_offer() is None


def test_an_offer_held_by_a_pause_is_never_shown_after_it_was_answered(desk, clock):
    presenter = RecordingPresenter()
    desk.notifications.presenter = presenter
    desk.pause_for(30)
    tough_call(desk, clock)
    assert presenter.presented == [] and desk.reset_offer() is not None  # held, but takeable from the tray
    desk.take_reset_offer()
    desk.end_reset()
    desk.resume_notifications()
    assert presenter.presented == []
