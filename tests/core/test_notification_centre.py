import logging
from datetime import timedelta

import pytest

from companion.config import SettingsStore
from companion.db.engine import open_database
from companion.events import EventHub
from companion.notify.base import NotifierChain
from companion.notify.centre import Action, NotificationCentre
from tests.fakes import FailingNotifier, RecordingNotifier, RecordingPresenter


def centre_for(db, clock, backends, settings=None):
    store = SettingsStore(db)
    current = settings or store.load()
    return NotificationCentre(db, clock, NotifierChain(backends), lambda: current, store, EventHub())


def rows(db):
    with db.reading() as s:
        return s.all("SELECT * FROM notifications ORDER BY created_at")


def test_shown_at_once_and_stored(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.post("info", "Hello", "World")
    assert notifier.shown == [("Hello", "World")]
    (row,) = rows(db)
    assert row.shown_at == clock.now() and row.shown_via == "recording" and row.held_reason is None


def test_held_during_a_call_and_shown_after(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.set_on_call(True)
    centre.post("info", "one", "1")
    clock.advance(1)
    centre.post("info", "two", "2")
    assert notifier.shown == [] and [r.held_reason for r in rows(db)] == ["call", "call"]
    assert centre.waiting() == 2
    centre.set_on_call(False)
    assert notifier.shown == [("one", "1"), ("two", "2")]  # oldest first
    assert centre.waiting() == 0


def test_pause_holds_and_resumes_by_itself(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.pause(clock.now() + timedelta(minutes=30))
    centre.post("info", "later", "x")
    assert notifier.shown == []
    assert centre.next_wakeup() == clock.now() + timedelta(minutes=30)
    clock.advance(29 * 60)
    assert centre.flush() == [] and notifier.shown == []
    clock.advance(61)
    assert centre.paused_until is None  # reading it changes nothing
    assert notifier.shown == []
    centre.flush()
    assert notifier.shown == [("later", "x"), ("Notifications are back on", "Your pause has ended.")]
    assert centre.expire_pause() is False


def test_pause_survives_a_restart(tmp_path, clock, notifier):
    path = tmp_path / "c.sqlite"
    db = open_database(path)
    centre_for(db, clock, [notifier]).pause(clock.now() + timedelta(hours=1))
    db.close()
    db = open_database(path)
    again = centre_for(db, clock, [notifier])
    assert again.paused_until == clock.now() + timedelta(hours=1)
    clock.advance(3601)
    assert again.paused_until is None
    db.close()


def test_pause_must_be_in_the_future(db, clock, notifier):
    with pytest.raises(ValueError):
        centre_for(db, clock, [notifier]).pause(clock.now() - timedelta(seconds=1))


def test_hourly_cap_holds_the_rest_until_the_window_moves(db, clock, notifier, desk):
    settings = desk.settings().with_changes(notifications_per_hour=3)
    centre = centre_for(db, clock, [notifier], settings)
    for i in range(5):
        centre.post("info", f"n{i}", "")
        clock.advance(60)
    assert [t for t, _ in notifier.shown] == ["n0", "n1", "n2"]
    first_shown = rows(db)[0].shown_at
    assert centre.next_wakeup() == first_shown + timedelta(hours=1)
    clock.advance(3600 - 5 * 60 + 1)
    centre.flush()
    assert [t for t, _ in notifier.shown] == ["n0", "n1", "n2", "n3"]  # one slot freed, one shown
    assert centre.shown_in_last_hour() == 3


def test_expired_offers_are_not_shown_late(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.set_on_call(True)
    centre.post("reset_offer", "Reset?", "", expires_after=timedelta(minutes=10))
    clock.advance(11 * 60)
    centre.set_on_call(False)
    assert notifier.shown == [] and rows(db)[0].held_reason == "expired"


def test_actionable_prompts_use_the_presenter(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    presenter = RecordingPresenter()
    centre.presenter = presenter
    nid = centre.post("reset_offer", "Reset?", "body", payload={"call_id": "c1"},
                      actions=[Action("start", "Start"), Action("dismiss", "Not now")])
    (shown,) = presenter.presented
    assert shown.id == nid and [a.key for a in shown.actions] == ["start", "dismiss"]
    assert shown.payload["call_id"] == "c1" and notifier.shown == []
    assert rows(db)[0].shown_via == "toast"


def test_chain_falls_through_and_logs_each_failure_once(db, clock, caplog):
    broken, working = FailingNotifier("plyer"), RecordingNotifier("tray")
    centre = centre_for(db, clock, [broken, working])
    with caplog.at_level(logging.WARNING):
        for i in range(3):
            centre.post("info", f"t{i}", "")
    assert broken.calls == 3 and len(working.shown) == 3
    assert sum("plyer failed" in r.message for r in caplog.records) == 1
    assert {r.shown_via for r in rows(db)} == {"tray"}


def test_undeliverable_is_kept_and_retried(db, clock):
    broken = FailingNotifier("only")
    centre = centre_for(db, clock, [broken])
    centre.post("info", "x", "y")
    assert rows(db)[0].held_reason == "undeliverable"
    centre.flush()
    assert broken.calls == 2


def test_history_survives_restart_and_mark_read(tmp_path, clock, notifier):
    path = tmp_path / "h.sqlite"
    db = open_database(path)
    nid = centre_for(db, clock, [notifier]).post("info", "kept", "body")
    db.close()
    db = open_database(path)
    centre = centre_for(db, clock, [notifier])
    (row,) = centre.history()
    assert (row.id, row.title, row.read_at) == (nid, "kept", None)
    centre.mark_read(nid)
    assert centre.history()[0].read_at == clock.now()
    db.close()


def test_a_pause_that_ends_during_a_call_shows_each_held_notification_once(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.pause(clock.now() + timedelta(minutes=5))
    centre.post("info", "h1", "")
    centre.post("info", "h2", "")
    centre.set_on_call(True)
    clock.advance(10 * 60)  # the pause ends while the agent is on the call
    centre.set_on_call(False)
    titles = [t for t, _ in notifier.shown]
    assert titles == ["h1", "h2", "Notifications are back on"]


def test_no_wakeups_during_a_call(db, clock, notifier, desk):
    settings = desk.settings().with_changes(notifications_per_hour=1)
    centre = centre_for(db, clock, [notifier], settings)
    centre.post("info", "first", "")
    centre.post("info", "capped1", "")
    centre.post("info", "capped2", "")
    assert centre.next_wakeup() == clock.now() + timedelta(hours=1)
    centre.set_on_call(True)
    clock.advance(2 * 3600)  # the cap frees up mid-call
    assert centre.next_wakeup() is None  # the call's end flushes; nothing to poll for
    centre.set_on_call(False)
    assert [t for t, _ in notifier.shown] == ["first", "capped1"]
    assert centre.next_wakeup() == clock.now() + timedelta(hours=1)


def test_the_back_on_notice_does_not_use_up_the_hourly_cap(db, clock, notifier, desk):
    settings = desk.settings().with_changes(notifications_per_hour=1)
    centre = centre_for(db, clock, [notifier], settings)
    centre.pause(clock.now() + timedelta(minutes=30))
    centre.post("info", "held", "")
    clock.advance(31 * 60)
    centre.flush()
    assert [t for t, _ in notifier.shown] == ["held", "Notifications are back on"]
    assert centre.shown_in_last_hour() == 1


def test_a_pause_that_ended_while_the_app_was_closed_is_not_announced(tmp_path, clock, notifier):
    path = tmp_path / "p.sqlite"
    db = open_database(path)
    centre_for(db, clock, [notifier]).pause(clock.now() + timedelta(minutes=30))
    clock.advance(3 * 3600)  # the app was closed meanwhile
    again = centre_for(db, clock, [notifier])
    again.flush()
    assert again.paused_until is None and notifier.shown == []
    assert SettingsStore(db).get_state("paused_until") is None
    db.close()


def test_the_notifier_runs_outside_any_database_transaction(db, clock):
    """A slow desktop notifier (notify-send, D-Bus) must not hold the database: another connection can write
    while it runs (the sync worker waited 5 s and failed before)."""
    import sqlite3

    from companion.desk import Desk
    from companion.notify.base import NotifierChain

    wrote = []

    class WritingNotifier:
        name = "probe"

        def notify(self, title, body):
            other = sqlite3.connect(db.path, timeout=0.2)
            try:
                other.execute("BEGIN IMMEDIATE")  # would fail with "database is locked" inside a transaction
                other.execute("INSERT INTO settings (key, value, updated_at) VALUES ('probe', '1', '2026-01-01')")
                other.execute("COMMIT")
                wrote.append(title)
            finally:
                other.close()

    desk = Desk(db, clock, NotifierChain([WritingNotifier()]))
    desk.notifications.post("info", "Probe", "body")
    assert wrote == ["Probe"]
    assert desk.notifications.history()[0].shown_at is not None
