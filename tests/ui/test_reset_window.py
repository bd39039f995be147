from pathlib import Path

from PySide6.QtCore import Qt

from ui.windows.reset import ACK_MS, CALM_MS, FRAME_MS

SENTINEL = "my supervisor is a walrus 8d1f0c"


def recorded(db):
    with db.reading() as s:
        return s.all("SELECT * FROM resets")


def breathe(window, clock, seconds, step=1.0):
    while seconds > 0:
        clock.advance(min(step, seconds))
        seconds -= step
        window.tick()


def test_breathing_guide_follows_the_pattern(controller, clock, qtbot):
    window = controller.open_reset(1, "box", "tray")
    assert window.timer.isActive() and window.timer.interval() == FRAME_MS
    assert window.phase_label.text() == "Breathe in" and window.countdown.text() == "1:00 left"
    breathe(window, clock, 2)
    small_to_large = window.guide.scale
    breathe(window, clock, 3)
    assert window.phase_label.text() == "Hold" and window.guide.scale > small_to_large
    breathe(window, clock, 4)
    assert window.phase_label.text() == "Breathe out" and window.countdown.text() == "0:51 left"


def test_completes_records_and_chimes(controller, desk, clock, db, chime):
    desk.save_settings(desk.settings().with_changes(chime=True))
    window = controller.open_reset(1, "478", "tray")
    window.mood_before.buttons[2].click()
    breathe(window, clock, 60, step=5)
    assert window.pages.currentIndex() == 1 and not window.timer.isActive()
    assert "Well done" in window.done_label.text() and chime.count == 1
    window.mood_after.buttons[4].click()
    (row,) = recorded(db)
    assert (row.outcome, row.pattern, row.trigger, row.mood_before, row.mood_after, row.actual_seconds) == \
        ("completed", "478", "tray", 2, 4, 60.0)
    assert desk.state() == "ready"


def test_the_after_mood_tap_is_acknowledged_before_the_window_closes(controller, desk, clock, db, qtbot):
    window = controller.open_reset(1, "box", "tray")
    breathe(window, clock, 60, step=5)
    window.mood_after.buttons[4].click()
    assert window.isVisible() and window.mood_after.question.text() == "Noted privately: 4 Good."
    assert window._close_later.isActive() and window._close_later.interval() == ACK_MS
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert recorded(db)[0].mood_after == 4


def test_skipping_the_after_mood_also_says_so_first(controller, desk, clock, qtbot):
    window = controller.open_reset(1, "box", "tray")
    window.end_button.click()
    window.mood_after.skip.click()
    assert window.isVisible() and window.mood_after.question.text() == "Skipped."
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_end_now_records_an_early_end(controller, desk, clock, db, chime):
    window = controller.open_reset(3, None, "cli")
    breathe(window, clock, 20, step=2)
    window.end_button.click()
    (row,) = recorded(db)
    assert (row.outcome, row.actual_seconds, row.planned_seconds) == ("ended_early", 20.0, 180)
    assert "Ended after 0:20" in window.done_label.text() and chime.count == 0


def test_escape_ends_and_closing_mid_reset_records_it(controller, desk, clock, db, qtbot):
    window = controller.open_reset(1, None, "tray")
    breathe(window, clock, 5)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert recorded(db)[0].outcome == "ended_early"
    window.close()
    window2 = controller.open_reset(1, None, "tray")
    breathe(window2, clock, 3)
    window2.close()
    assert [r.outcome for r in recorded(db)] == ["ended_early", "ended_early"]
    assert desk.resets.current is None


def test_mood_tap_can_be_switched_off(controller, desk):
    desk.save_settings(desk.settings().with_changes(mood_tap=False))
    window = controller.open_reset(1, None, "tray")
    assert not window.mood_before.isVisible()


def test_reduced_motion_keeps_still_and_ticks_slowly(controller, desk, clock):
    desk.save_settings(desk.settings().with_changes(reduced_motion=True))
    window = controller.open_reset(1, "box", "tray")
    assert window.timer.interval() == CALM_MS
    scales = set()
    for _ in range(10):  # through inhale, hold and into the exhale
        breathe(window, clock, 1)
        scales.add(window.guide.scale)
    assert len(scales) == 1 and window.phase_label.text() == "Breathe out"


def test_vent_and_shred_leaves_no_trace(controller, desk, clock, db, qtbot, tmp_path, caplog):
    caplog.set_level("DEBUG")
    window = controller.open_reset(1, None, "tray")
    window.vent_button.click()
    assert window.vent_panel.isVisible()
    qtbot.keyClicks(window.vent_edit, SENTINEL)
    window.vent_edit.appendPlainText("second line")
    window.shred_button.click()
    assert window.vent_edit.toPlainText() == "" and "Shredded 2 lines" in window.shred_note.text()
    assert not window.vent_edit.document().isUndoAvailable()
    qtbot.keyClicks(window.vent_edit, SENTINEL)  # typed again and the window closed: shredded too
    breathe(window, clock, 5)
    window.close()
    assert window.vent_edit.toPlainText() == ""
    db.close()  # every connection closed: the WAL is checkpointed into the file
    data_files = [p for p in Path(db.path).parent.rglob("*") if p.is_file()]
    assert data_files, "expected the database files to exist"
    for path in data_files:
        assert SENTINEL.encode() not in path.read_bytes(), path
    assert caplog.records and SENTINEL not in caplog.text  # the app logged, but never the vent


def test_reset_is_refused_on_call(controller, desk):
    desk.start_call()
    import pytest
    from companion.errors import InvalidInput

    with pytest.raises(InvalidInput):
        controller.open_reset(1, None, "cli")
    assert "reset" not in controller.windows


def test_an_incoming_call_closes_the_reset_window(controller, desk, clock, db):
    window = controller.open_reset(3, None, "tray")
    breathe(window, clock, 4)
    controller.start_call("4711")
    assert not window.isVisible() and desk.state() == "on_call"
    assert [r.outcome for r in recorded(db)] == ["ended_early"]
