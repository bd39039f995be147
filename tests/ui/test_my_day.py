
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
    assert [row[1:] for row in calls] == [["4711", "2:05", "yes", "0 of 8 ticked"], ["—", "0:35", "", "0 of 8 ticked"]]
    assert cells(table(window, 1))[0][1:] == ["box", "1:00", "completed", "– → 4"]
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
    assert cells(table(window, 1))[0][2:4] == ["0:40 of 3:00 planned", "ended early"]


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
    assert cells(table(window, 0))[0][1:] == ["77", "0:50", "", "2 of 8 ticked"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)  # where a person's key lands
    assert not window.isVisible()
