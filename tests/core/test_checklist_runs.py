"""Checklist runs through the Desk: ticks, timing, scoring, saving at call end, the outcome step."""
import pytest

from companion.checklists.runs import CLOSING, DUE, LATE, OPEN, TICKED, UPCOMING, score
from companion.checklists.templates import Item, Template
from companion.errors import InvalidInput


def test_score_is_the_share_of_items_ticked():
    items = (Item("a", "A"), Item("b", "B"), Item("c", "C"), Item("d", "D"))
    assert score(items, {}) == 0.0
    assert score(items, {"a": 1.0, "c": 9.0}) == 0.5
    assert score(items, {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}) == 1.0
    assert score(items, {"a": 1.0, "zz": 2.0}) == 0.25  # a key not in the template does not count
    assert score((), {"a": 1.0}) == 0.0


def test_a_call_runs_the_default_template_and_saves_ticks_with_their_times(desk, clock):
    started = desk.start_call("4711")
    run = desk.checklists.active
    assert run is not None and run.call_id == started.id and run.template_name == "Moment of Truth"
    clock.advance(4)
    assert desk.checklists.tick_number(1) == "greet"
    clock.advance(30)
    assert desk.checklists.tick("listen") is True
    assert desk.checklists.tick("listen") is False  # pressing again unticks
    assert desk.checklists.tick("listen") is True
    assert desk.checklists.tick_number(9) is None  # the template has 8 items
    clock.advance(26)
    desk.end_call()
    assert desk.checklists.active is None
    saved = desk.checklists.last_saved
    assert (saved.ticked, saved.items, saved.score, saved.handle_seconds) == (2, 8, 0.25, 60.0)
    items = desk.checklists.run_items(saved.id)
    assert items[:3] == [("greet", 4.0), ("listen", 34.0), ("confirm-need", None)]
    assert len(items) == 8
    with desk.db.reading() as s:
        row = s.get("checklist_runs", saved.id)
        assert (row.call_id, row.template_version, row.outcome) == (started.id, 1, None)
        assert s.scalar("SELECT count(*) FROM outbox") == 0  # runs never travel


def test_item_states_follow_the_clock(desk, clock):
    desk.start_call()
    run = desk.checklists.active
    greet, listen, close = run.items[0], run.items[1], run.items[-1]
    mono = clock.monotonic
    assert (run.state(greet, mono()), run.state(listen, mono()), run.state(close, mono())) == (DUE, OPEN, UPCOMING)
    assert run.seconds_left(greet, mono()) == 15
    clock.advance(16)
    assert run.state(greet, mono()) == LATE
    desk.checklists.tick("greet")
    assert run.state(greet, mono()) == TICKED and run.seconds_left(greet, mono()) is None
    clock.advance(180)  # no history: closing items come forward after 3 minutes
    assert run.state(close, mono()) == CLOSING


def test_closing_items_come_forward_with_the_recent_average_or_when_the_rest_is_done(desk, clock):
    for _ in range(2):
        desk.start_call()
        clock.advance(100)
        desk.end_call()
    desk.start_call()
    run = desk.checklists.active
    close = run.items[-1]
    assert run.closing_after == pytest.approx(70.0)
    clock.advance(69)
    assert run.state(close, clock.monotonic()) == UPCOMING
    for item in run.items:
        if not item.closing:
            desk.checklists.tick(item.key)
    assert run.state(close, clock.monotonic()) == CLOSING


def test_the_same_call_again_keeps_its_run_and_a_replacing_call_saves_it(desk, clock):
    desk.start_call("A")
    desk.checklists.tick("greet")
    desk.start_call("A")
    assert "greet" in desk.checklists.active.ticked
    clock.advance(20)
    started = desk.start_call("B")  # A is over: its run is saved as it stands
    assert desk.checklists.active.call_id == started.id and not desk.checklists.active.ticked
    with desk.db.reading() as s:
        rows = s.all("SELECT * FROM checklist_runs")
        assert len(rows) == 1 and rows[0].ticked_count == 1 and rows[0].handle_seconds == 20.0


def test_outcome_step_stores_outcome_and_what_got_in_the_way(desk, clock):
    desk.start_call()
    desk.end_call()
    run_id = desk.checklists.last_saved.id
    desk.checklists.set_outcome(run_id, "negative", "  No refund rights without a transfer <b>x</b> ")
    with desk.db.reading() as s:
        row = s.get("checklist_runs", run_id)
        assert (row.outcome, row.obstacle_text) == ("negative", "No refund rights without a transfer <b>x</b>")
    with pytest.raises(InvalidInput, match="outcome"):
        desk.checklists.set_outcome(run_id, "great", None)
    with pytest.raises(InvalidInput, match="longer than 1000"):
        desk.checklists.set_outcome(run_id, None, "x" * 1001)
    with pytest.raises(InvalidInput, match="control characters"):
        desk.checklists.set_outcome(run_id, None, "bell\x07")
    with desk.db.reading() as s:  # refused input changed nothing
        assert s.get("checklist_runs", run_id).outcome == "negative"
    desk.checklists.set_outcome(run_id, None, "")
    with desk.db.reading() as s:
        row = s.get("checklist_runs", run_id)
        assert (row.outcome, row.obstacle_text) == (None, None)


def test_ticking_without_a_call_is_refused(desk):
    with pytest.raises(InvalidInput, match="no call checklist"):
        desk.checklists.tick("greet")
    desk.start_call()
    with pytest.raises(InvalidInput, match="no item"):
        desk.checklists.tick("nope")


def test_the_panel_uses_the_active_template(desk, clock):
    store = desk.checklists.templates
    store.ensure_default()
    billing = store.create(Template("Billing", (Item("hello", "Say hello"), Item("bye", "Say bye", closing=True)),
                                    "Client X"))
    store.set_active(billing.id)
    desk.start_call()
    assert [i.key for i in desk.checklists.active.items] == ["hello", "bye"]
    desk.checklists.tick("bye")
    desk.end_call()
    with desk.db.reading() as s:
        row = s.one("SELECT * FROM checklist_runs")
        assert (row.template_id, row.template_name, row.score) == (billing.id, "Billing", 0.5)
        assert s.scalar("SELECT count(*) FROM checklist_run_items") == 2
