from datetime import timedelta

import pytest

from companion.errors import InvalidInput
from tests.fakes import START


def rows(db):
    with db.reading() as s:
        return s.all("SELECT * FROM resets")


def test_completed_reset_is_recorded_with_everything(desk, clock, db):
    session = desk.start_reset(1, "478", "tray")
    desk.resets.set_mood_before(2)
    for _ in range(5):
        clock.advance(10)
        assert desk.finish_reset_if_due() is None
    clock.advance(10)
    done = desk.finish_reset_if_due()
    assert done is session and desk.resets.current is None
    (row,) = rows(db)
    assert (row.trigger, row.pattern, row.planned_seconds, row.actual_seconds, row.outcome, row.mood_before) == \
        ("tray", "478", 60, 60.0, "completed", 2)
    assert row.started_at == START
    assert (row.ended_at - row.started_at).total_seconds() == 60
    desk.resets.set_mood_after(row.id, 4)
    assert rows(db)[0].mood_after == 4


def test_ended_early_is_recorded(desk, clock, db):
    desk.start_reset(3, None, "cli")
    clock.advance(12)
    desk.finish_reset_if_due()
    clock.advance(13)
    desk.end_reset()
    (row,) = rows(db)
    assert (row.outcome, row.actual_seconds, row.planned_seconds, row.pattern) == ("ended_early", 25.0, 180, "box")


def test_suspend_is_recorded_as_interrupted(desk, clock, db):
    desk.start_reset(5, "decompress", "tray")
    clock.advance(5)
    desk.finish_reset_if_due()
    clock.advance(7200)
    desk.finish_reset_if_due()
    (row,) = rows(db)
    assert (row.outcome, row.actual_seconds) == ("interrupted", 5.0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(pattern="yoga", minutes=1), "Unknown breathing pattern"),
    (dict(pattern="box", minutes=0), "minutes from 1 to 5"),
    (dict(pattern="box", minutes=6), "minutes from 1 to 5"),
    (dict(pattern="box", minutes=True), "minutes from 1 to 5"),
])
def test_bad_reset_requests_change_nothing(desk, db, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        desk.start_reset(kwargs["minutes"], kwargs["pattern"], "tray")
    assert desk.resets.current is None and rows(db) == []


def test_one_reset_at_a_time(desk):
    desk.start_reset(1, None, "tray")
    with pytest.raises(InvalidInput, match="already running"):
        desk.start_reset(1, None, "tray")


@pytest.mark.parametrize("mood", [0, 6, "3", 2.5, True])
def test_moods_are_1_to_5(desk, mood):
    desk.start_reset(1, None, "tray")
    with pytest.raises(InvalidInput):
        desk.resets.set_mood_before(mood)


def test_mood_after_on_unknown_record(desk):
    with pytest.raises(InvalidInput):
        desk.resets.set_mood_after("no-such-id", 3)


def test_unknown_trigger_refused(desk):
    with pytest.raises(InvalidInput):
        desk.resets.start("box", 1, "telepathy")


# -- review of the merged app (finding 4): a reset whose call was deleted never wedges the desk --------------
def test_a_reset_after_a_deleted_call_is_recorded_without_it(desk, clock, db):
    desk.start_call("4711")
    clock.advance(60)
    summary = desk.end_call(tough=True)
    desk.start_reset(1, None, "after_call", call_id=summary.id)
    with db.session() as s:  # e.g. deleted while the reset ran (the app refuses that now; the record copes)
        assert s.delete("calls", "id = ?", (summary.id,)) == 1
    clock.advance(10)
    ended = desk.end_reset()
    assert ended is not None and desk.resets.current is None and desk.state() == "ready"
    with db.reading() as s:
        row = s.get("resets", ended.record_id)
        assert row is not None and row.call_id is None
    assert desk.start_call("4712").outcome == "started"


def test_a_failed_save_still_ends_the_reset(desk, clock, db, monkeypatch):
    from companion.errors import DatabaseError

    desk.start_reset(1, None, "tray")
    clock.advance(10)

    def broken_session():
        raise DatabaseError("The database could not be used: disk I/O error")

    monkeypatch.setattr(db, "session", broken_session)
    with pytest.raises(DatabaseError):
        desk.resets.end_early()
    monkeypatch.undo()
    assert desk.resets.current is None and desk.state() == "ready"
    assert desk.start_reset(1, None, "tray") is not None  # a new reset is not refused


def test_the_breathing_time_counts_from_the_end_of_the_mood_step(desk, clock, db):
    """The window asks "how are you?" first; the planned minute starts when the breathing does, and the
    record's start is that moment too (not the moment the window opened)."""
    desk.start_reset(1, "box", "tray")
    clock.advance(7)  # the agent answers the mood question
    desk.resets.set_mood_before(3)
    desk.resets.begin_breathing()
    for _ in range(59):  # 59 s of breathing (ticked as the window does): not done yet
        clock.advance(1)
        assert desk.finish_reset_if_due() is None
    clock.advance(1)
    done = desk.finish_reset_if_due()
    assert done is not None and done.actual_seconds == 60
    (row,) = rows(db)
    assert row.started_at == START + timedelta(seconds=7) and row.mood_before == 3


def test_a_finished_session_cannot_begin_again(desk, clock):
    session = desk.start_reset(1, "box", "tray")
    desk.end_reset()
    with pytest.raises(ValueError):
        session.begin(clock.monotonic(), clock.now())
    desk.resets.begin_breathing()  # nothing running: nothing to do
