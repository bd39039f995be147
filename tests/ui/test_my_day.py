
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from ui.windows.my_day import MyDayWindow


def table(window, index) -> QTableWidget:
    return window.tabs.widget(index)


def cells(t: QTableWidget):
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_empty_day(qtbot, desk):
    window = MyDayWindow(desk)
    qtbot.addWidget(window)
    assert window.headline.text() == "Nothing recorded yet today. Take care of yourself."


def test_shows_todays_calls_resets_and_notifications(qtbot, desk, clock, notifier, monkeypatch):
    from tests.fakes import RecordingPresenter

    desk.notifications.presenter = RecordingPresenter()  # the reset offer goes to a card
    notifier.name = "plyer"  # plain notifications go to the desktop
    # The fake clock writes records at its own time: look at the fake clock's day.
    monkeypatch.setattr("ui.windows.my_day.datetime", type("D", (), {
        "now": staticmethod(lambda tz=None: clock.now())}))
    desk.start_call("4711")
    clock.advance(125)
    desk.end_call(tough=True)
    desk.start_call()
    clock.advance(35)
    desk.end_call()
    session = desk.start_reset(1, "box", "window")
    for _ in range(6):
        clock.advance(10)
        desk.finish_reset_if_due()
    desk.resets.set_mood_after(session.record_id, 4)
    desk.notifications.post("info", "<b>bold?</b>", "plain & simple")
    window = MyDayWindow(desk)
    qtbot.addWidget(window)
    assert window.headline.text() == "Today: 2 calls, average handle time 1:20, 1 reset (1:00 of breathing)."
    assert [window.tabs.tabText(i) for i in range(3)] == ["Calls (2)", "Resets (1)", "Notifications (2)"]
    calls = cells(table(window, 0))
    assert [row[1:] for row in calls] == [
        ["4711", "2:05", "yes", "0 of 8 ticked", "", "", "lapsed"],  # the next call began before it was taken
        ["—", "0:35", "", "0 of 8 ticked", "", "", ""]]
    # names and words, not codes: the pattern's name, the outcome in words, the moods as the agent chose them
    assert cells(table(window, 1))[0][1:] == ["Box breathing", "1:00", "Completed", "– → Good"]
    notes = cells(table(window, 2))
    assert [row[1:] for row in notes] == [
        ["Take a 60-second reset? — That was a tough one. A minute of breathing helps.", "shown in a card"],
        ["<b>bold?</b> — plain & simple", "shown on the desktop"],  # literally, never as rich text
    ]


def test_a_reset_ended_early_shows_its_planned_length(qtbot, desk, clock, monkeypatch):
    monkeypatch.setattr("ui.windows.my_day.datetime", type("D", (), {
        "now": staticmethod(lambda tz=None: clock.now())}))
    desk.start_reset(3, "box", "tray")
    for _ in range(4):
        clock.advance(10)
        desk.finish_reset_if_due()
    desk.end_reset()
    window = MyDayWindow(desk)
    qtbot.addWidget(window)
    assert cells(table(window, 1))[0][2:4] == ["0:40 of 3:00 planned", "Ended early"]


def test_checklist_score_per_call_and_esc_closes(qtbot, desk, clock, monkeypatch):
    monkeypatch.setattr("ui.windows.my_day.datetime", type("D", (), {
        "now": staticmethod(lambda tz=None: clock.now())}))
    desk.start_call("77")
    desk.checklists.tick("greet")
    desk.checklists.tick("listen")
    clock.advance(50)
    desk.end_call()
    window = MyDayWindow(desk)
    qtbot.addWidget(window)
    window.show()
    assert cells(table(window, 0))[0][1:] == ["77", "0:50", "", "2 of 8 ticked", "", "", ""]
    assert not hasattr(window, "delete_button") and not hasattr(window, "export_to")  # in Settings → Your data
    assert window.your_data_button.isHidden()  # nothing to lead to without the app's Settings
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)  # where a person's key lands
    assert not window.isVisible()


def test_outcome_what_got_in_the_way_moods_and_offers_taken_declined_lapsed(qtbot, desk, clock, monkeypatch):
    """Each call says how it went and what got in the way (from the outcome step), and what became of the
    reset offered after it: taken, declined ("Not now") or lapsed (the next call started first)."""
    from tests.fakes import RecordingPresenter

    desk.notifications.presenter = RecordingPresenter()
    monkeypatch.setattr("ui.windows.my_day.datetime", type("D", (), {
        "now": staticmethod(lambda tz=None: clock.now())}))
    # 1: tough, outcome negative with an obstacle, offer taken
    desk.start_call("A")
    clock.advance(60)
    desk.end_call(tough=True)
    desk.checklists.set_outcome(desk.checklists.last_saved.id, "negative", "The refund   form timed out")
    session = desk.take_reset_offer()
    desk.resets.set_mood_before(2)
    for _ in range(7):
        clock.advance(10)
        desk.finish_reset_if_due()
    desk.resets.set_mood_after(session.record_id, 4)
    # 2: tough, offer declined ("Not now")
    desk.start_call("B")
    clock.advance(60)
    desk.end_call(tough=True)
    desk.notifications.mark_read(desk.reset_offer())
    clock.advance(30)
    # 3: tough, the next call starts before the offer is answered: lapsed
    desk.start_call("C")
    clock.advance(60)
    desk.end_call(tough=True)
    desk.checklists.set_outcome(desk.checklists.last_saved.id, "positive", None)
    clock.advance(5)
    desk.start_call("D")
    clock.advance(20)
    desk.end_call()
    window = MyDayWindow(desk)
    qtbot.addWidget(window)
    rows = {row[1]: row for row in cells(table(window, 0))}
    assert rows["A"][5:] == ["Negative", "The refund form timed out", "taken"]
    assert rows["B"][7] == "declined"
    assert rows["C"][5:] == ["Positive", "", "lapsed"]
    assert rows["D"][7] == ""  # not offered
    resets = cells(table(window, 1))
    assert resets[0][4] == "Tense → Good"
    # a fourth call, still open: its offer is "still open" until it is answered or lapses
    desk.start_call("E")
    clock.advance(60)
    desk.end_call(tough=True)
    window.refresh()
    assert {row[1]: row for row in cells(table(window, 0))}["E"][7] == "still open"
    clock.advance(11 * 60)  # the offer lives 10 minutes
    window.refresh()
    assert {row[1]: row for row in cells(table(window, 0))}["E"][7] == "lapsed"
