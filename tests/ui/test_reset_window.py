"""The reset window: three short steps (how are you? / the breathing / and now?), one way out of each,
a circle drawn every frame, keys 1-5 for the mood, vent & shred that never stores the text, placement on the
screen's available area and the optional pacing tone."""
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QRadioButton

from companion.reset.patterns import LARGE, SMALL
from ui.windows.reset import ACK_MS, CALM_MS, MOOD_BEFORE_SECONDS

SENTINEL = "my supervisor is a walrus 8d1f0c"


def recorded(db):
    with db.reading() as s:
        return s.all("SELECT * FROM resets")


def breathe(window, clock, seconds, step=1.0):
    while seconds > 0:
        clock.advance(min(step, seconds))
        seconds -= step
        window.tick()


def start_breathing(controller, minutes=1, pattern="box", trigger="tray"):
    window = controller.open_reset(minutes, pattern, trigger)
    if window.pages.currentWidget() is window.before_page:
        window.skip_button.click()
    return window


def visible_buttons(page):
    return [b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)
            and not isinstance(b, QRadioButton)]


def test_the_mood_question_is_its_own_step_and_the_time_counts_from_the_breathing(controller, clock, db, qtbot):
    window = controller.open_reset(1, "box", "tray")
    assert window.pages.currentWidget() is window.before_page and not window.animating
    assert visible_buttons(window.before_page) == ["Skip"]  # one way on
    assert [b.accessibleName() for b in window.mood_before.buttons.values()] == [
        "Mood 1 of 5: Drained", "Mood 2 of 5: Tense", "Mood 3 of 5: Okay", "Mood 4 of 5: Good", "Mood 5 of 5: Great"]
    assert all(isinstance(b, QRadioButton) for b in window.mood_before.buttons.values())
    clock.advance(6)  # the agent thinks about it
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.mood_before.status.text() == "Noted privately: 2 Tense."
    assert window.mood_before.status.property("lastAnnouncement") == "Noted privately: 2 Tense."
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.breathing_page, timeout=3000)
    assert window.animating and window.phase_label.text() == "Breathe in" and window.countdown.text() == "1:00 left"
    breathe(window, clock, 60, step=5)
    (row,) = recorded(db)
    assert (row.outcome, row.actual_seconds, row.mood_before) == ("completed", 60.0, 2)


def test_the_before_question_answers_itself_after_a_while(controller, monkeypatch, qtbot):
    monkeypatch.setattr("ui.windows.reset.MOOD_BEFORE_SECONDS", 0)
    window = controller.open_reset(1, "box", "tray")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.breathing_page, timeout=3000)
    assert window.mood_before.status.text() == "How you felt before: not noted."
    assert MOOD_BEFORE_SECONDS == 20


def test_breathing_is_drawn_every_frame_by_an_animation_and_follows_the_pattern(controller, clock, qtbot):
    window = start_breathing(controller)
    assert window.frames.loopCount() == -1 and window.frames.state() == window.frames.State.Running
    assert not window.timer.isActive()
    assert visible_buttons(window.breathing_page) == ["Vent && shred", "End now"]  # one way out
    scales = []
    for _ in range(8):  # the inhale, in half-second steps: it grows on every frame, no steps
        clock.advance(0.5)
        window.tick()
        scales.append(window.guide.scale)
    assert scales == sorted(scales) and len(set(scales)) == 8 and scales[-1] == pytest.approx(LARGE)
    assert window.phase_label.text() == "Hold"
    breathe(window, clock, 4)
    assert window.phase_label.text() == "Breathe out" and window.countdown.text() == "0:52 left"
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    scale, painted = window.guide.scale, window.guide.frames_painted
    clock.advance(0.5)  # nobody calls tick() now: the animation's next frame does, and the circle is redrawn
    qtbot.waitUntil(lambda: window.guide.scale < scale and window.guide.frames_painted > painted, timeout=5000)


def test_the_phase_word_is_large_and_in_the_middle_of_the_circle(controller, clock):
    window = start_breathing(controller)
    window.resize(520, 640)
    window.show()
    assert window.phase_label.parent() is window.guide
    assert window.phase_label.font().pointSizeF() >= 2 * window.countdown.font().pointSizeF() * 0.9
    label = window.phase_label.geometry()
    assert abs(label.center().x() - window.guide.width() / 2) <= 2
    assert abs(label.center().y() - window.guide.height() / 2) <= 4


def test_completes_records_and_chimes_and_the_after_step_has_one_way_out(controller, desk, clock, db, chime, qtbot):
    desk.save_settings(desk.settings().with_changes(chime=True))
    window = controller.open_reset(1, "478", "tray")
    window.mood_before.buttons[2].click()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.breathing_page, timeout=3000)
    breathe(window, clock, 60, step=5)
    assert window.pages.currentWidget() is window.after_page and not window.animating
    assert "Well done" in window.done_label.text() and chime.count == 1
    assert visible_buttons(window.after_page) == ["Close"]  # no Skip beside Close
    window.mood_after.buttons[4].click()
    (row,) = recorded(db)
    assert (row.outcome, row.pattern, row.trigger, row.mood_before, row.mood_after, row.actual_seconds) == \
        ("completed", "478", "tray", 2, 4, 60.0)
    assert desk.state() == "ready"


def test_the_after_mood_tap_is_acknowledged_before_the_window_closes(controller, desk, clock, db, qtbot):
    window = start_breathing(controller)
    breathe(window, clock, 60, step=5)
    qtbot.keyClick(window, Qt.Key.Key_4)
    assert window.isVisible() and window.mood_after.status.text() == "Noted privately: 4 Good."
    assert window._close_later.isActive() and window._close_later.interval() == ACK_MS
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert recorded(db)[0].mood_after == 4


def test_arrow_keys_move_between_moods_without_answering(controller, qtbot):
    window = controller.open_reset(1, "box", "tray")
    window.show()
    window.mood_before.buttons[3].setFocus()
    qtbot.keyClick(window.mood_before.buttons[3], Qt.Key.Key_Right)
    assert not window.mood_before.answered and window.pages.currentWidget() is window.before_page


def test_end_now_records_an_early_end(controller, desk, clock, db, chime):
    window = start_breathing(controller, 3, None, "cli")
    breathe(window, clock, 20, step=2)
    window.end_button.click()
    (row,) = recorded(db)
    assert (row.outcome, row.actual_seconds, row.planned_seconds) == ("ended_early", 20.0, 180)
    assert "Ended after 0:20" in window.done_label.text() and chime.count == 0


def test_escape_ends_then_closes_and_closing_mid_reset_records_it(controller, desk, clock, db, qtbot):
    window = start_breathing(controller)
    breathe(window, clock, 5)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert recorded(db)[0].outcome == "ended_early" and window.pages.currentWidget() is window.after_page
    window.close()
    window2 = start_breathing(controller)
    breathe(window2, clock, 3)
    window2.close()
    window3 = controller.open_reset(1, None, "tray")  # Esc on the mood question ends it too, at 0 s
    clock.advance(4)
    qtbot.keyClick(window3, Qt.Key.Key_Escape)
    assert window3.pages.currentWidget() is window3.after_page and window3.mood_after is None  # 0 s: no "and now?"
    assert [(r.outcome, r.actual_seconds) for r in recorded(db)] == [
        ("ended_early", 5.0), ("ended_early", 3.0), ("ended_early", 0.0)]
    assert desk.resets.current is None


def test_mood_tap_can_be_switched_off(controller, desk, clock):
    desk.save_settings(desk.settings().with_changes(mood_tap=False))
    window = controller.open_reset(1, None, "tray")
    assert window.pages.currentWidget() is window.breathing_page and window.animating
    assert window.mood_before is None
    breathe(window, clock, 60, step=5)
    assert window.pages.currentWidget() is window.after_page and window.mood_after is None
    assert visible_buttons(window.after_page) == ["Close"]


def test_reduced_motion_keeps_still_and_ticks_slowly(controller, desk, clock):
    desk.save_settings(desk.settings().with_changes(reduced_motion=True))
    window = start_breathing(controller)
    assert window.timer.isActive() and window.timer.interval() == CALM_MS
    assert window.frames.state() != window.frames.State.Running
    scales = set()
    for _ in range(10):  # through inhale, hold and into the exhale
        breathe(window, clock, 1)
        scales.add(window.guide.scale)
    assert len(scales) == 1 and window.phase_label.text() == "Breathe out"


def test_vent_keeps_the_circle_at_full_size_and_shreds_with_a_moment(controller, desk, clock, qtbot):
    window = start_breathing(controller)
    window.show()
    qtbot.waitExposed(window)
    before, width = window.guide.size(), window.width()
    window.vent_button.click()
    assert window.vent_panel.isVisible()
    def side(size):  # the circle's diameter follows the shorter side of its area
        return min(size.width(), size.height())

    qtbot.wait(50)
    assert side(window.guide.size()) >= side(before) - 2  # the window grew to the side instead
    qtbot.keyClicks(window.vent_edit, "grr")
    window.shred_button.click()
    assert window.vent_edit.toPlainText() == ""  # gone at once; the animation only shows it going
    assert window.shred_effect.running and window.shred_effect.isVisible()
    assert window.shred_note.property("lastAnnouncement") == "Shredded 1 line. Gone."
    qtbot.waitUntil(lambda: not window.shred_effect.isVisible(), timeout=3000)
    assert window.shred_effect._picture is None  # nothing of it outlives the moment
    window.vent_button.click()  # the box closes: the window is as narrow as before
    qtbot.waitUntil(lambda: window.width() == width)
    assert not window.vent_panel.isVisible()


def test_reduced_motion_shreds_with_a_short_fade(controller, desk, clock, qtbot):
    desk.save_settings(desk.settings().with_changes(reduced_motion=True))
    window = start_breathing(controller)
    window.show()
    window.vent_button.click()
    qtbot.keyClicks(window.vent_edit, "grr")
    window.shred_button.click()
    assert window.shred_effect.reduced_motion and window.shred_effect.animation.duration() <= 300
    qtbot.waitUntil(lambda: not window.shred_effect.isVisible(), timeout=3000)


def test_vent_and_shred_leaves_no_trace(controller, desk, clock, db, qtbot, tmp_path, caplog):
    caplog.set_level("DEBUG")
    window = start_breathing(controller)
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
    for widget in window.findChildren(QRadioButton):  # nor did it end up in any name a screen reader reads
        assert SENTINEL not in widget.accessibleName()


def test_every_control_says_what_it_is(controller):
    window = controller.open_reset(1, None, "tray")
    for button in window.findChildren(QAbstractButton):
        assert button.accessibleName() and button.accessibleName() not in {"1", "2", "3", "4", "5"}, button.text()
    assert window.vent_edit.accessibleName() and window.guide.accessibleName()
    assert window.windowTitle() == "Agent Companion — Reset: Box breathing 4-4-4-4"


def test_opened_from_the_cli_it_sits_inside_the_available_area(controller, desk):
    from companion import ipc

    controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"reset","minutes":1}'))
    window = controller.windows["reset"]
    area = window.screen().availableGeometry()
    assert area.contains(window.frameGeometry()), (window.frameGeometry(), area)
    centre = window.frameGeometry().center()
    assert abs(centre.x() - area.center().x()) <= 20 and abs(centre.y() - area.center().y()) <= 40


def test_audio_pacing_plays_a_tone_at_each_phase_change_only_when_switched_on(controller, desk, clock):
    tones = []
    controller.tone = lambda: tones.append(clock.monotonic())
    window = start_breathing(controller)
    breathe(window, clock, 10)
    assert tones == []  # off by default
    window.close()
    desk.save_settings(desk.settings().with_changes(audio_pacing=True))
    window = start_breathing(controller)
    start = clock.monotonic()
    breathe(window, clock, 17, step=0.5)  # box: in 4, hold 4, out 4, hold 4, in again
    assert [t - start for t in tones] == [0, 4, 8, 12, 16]
    window.close()
    decompress = start_breathing(controller, 5, "decompress")  # one phase, no counting: no tones
    tones.clear()
    breathe(decompress, clock, 25)
    assert tones == []


def test_the_pacing_tone_never_plays_during_a_call(controller, desk, clock, monkeypatch):
    tones = []
    controller.tone = lambda: tones.append(1)
    desk.save_settings(desk.settings().with_changes(audio_pacing=True))
    window = start_breathing(controller)
    monkeypatch.setattr(type(desk.calls), "on_call", property(lambda self: True))
    breathe(window, clock, 9)
    assert tones == [1]  # the first phase, before the (pretended) call; none after


def test_reset_is_refused_on_call(controller, desk):
    desk.start_call()
    from companion.errors import InvalidInput

    with pytest.raises(InvalidInput):
        controller.open_reset(1, None, "cli")
    assert "reset" not in controller.windows


def test_an_incoming_call_closes_the_reset_window(controller, desk, clock, db):
    window = start_breathing(controller, 3)
    breathe(window, clock, 4)
    controller.start_call("4711")
    assert not window.isVisible() and desk.state() == "on_call"
    assert [r.outcome for r in recorded(db)] == ["ended_early"]


def test_the_time_passed_runs_along_the_ring(controller, clock):
    window = start_breathing(controller)
    assert window.guide.progress == 0
    breathe(window, clock, 15)
    assert window.guide.progress == pytest.approx(0.25)
    breathe(window, clock, 15)
    assert window.guide.progress == pytest.approx(0.5)
