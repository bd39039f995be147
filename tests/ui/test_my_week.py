"""My week (small charts painted with QPainter: ui/widgets/charts.py), with legends, accessible numbers and the
week's average handle time; the charting code loads only when My week opens."""
import json
import subprocess
import sys
import zipfile
from datetime import timedelta

from PySide6.QtWidgets import QTableWidget

from companion import mydata
from ui.widgets.your_data import YourDataSection
from ui.windows.my_day import MyDayWindow


def week_data(desk, clock):
    desk.save_settings(desk.settings().with_changes(agent_name="sam"))
    for ticks in (["greet", "listen"], ["greet"]):
        desk.start_call()
        for key in ticks:
            desk.checklists.tick(key)
        clock.advance(90)
        desk.end_call()
    with desk.db.session() as s:
        s.insert("kudos", {"sender": "alex", "recipient": "sam", "category": "teamwork", "message": "thanks",
                           "sent_at": clock.now() - timedelta(hours=1), "created_at": clock.now(),
                           "updated_at": clock.now()})


def test_week_view_shows_figures_charts_and_a_plain_table(qtbot, desk, clock, monkeypatch):
    monkeypatch.setattr("ui.windows.my_week.datetime", type("D", (), {"now": staticmethod(lambda tz=None: clock.now())}))
    week_data(desk, clock)
    store = desk.checklists.templates
    current = store.active()
    from companion.checklists.templates import Item, Template

    store.update(current.id, Template(current.name, (Item("greet", "<b>Greet</b>", 15),) + current.template.items[1:]))
    window = MyDayWindow(desk, "week")
    qtbot.addWidget(window)
    window.show()
    week = window.week
    assert window.windowTitle() == "Agent Companion — My week" and window.week_button.isChecked()
    assert week.headline.text() == ("The last 7 days: 2 calls, average handle time 1:30, Moment of Truth score 19 %, 0 resets, "
                                    "kudos: 0 sent, 1 received.")
    activity, scores = week.activity, week.scores
    assert [x.name for x in activity.series] == ["Calls", "Resets"]  # the legend's entries
    assert activity.series[0].values[-1] == 2 and activity.series[1].values[-1] == 0
    assert [x.colour for x in activity.series] == ["chart_1", "chart_3"]  # theme colours, never literals
    assert len(scores.series) == 9 and scores.series[-1].name == "Whole checklist"  # 8 items + the whole
    assert scores.series[0].name == "1  <b>Greet</b>" and scores.series[0].values[-1] == 100
    # the numbers for a screen reader: the name says what it is, the description gives every figure
    assert activity.accessibleName() == "Bar chart: Calls and resets per day"
    day = week.summary.days[-1].day.strftime("%a")
    assert f"Calls: " in activity.accessibleDescription() and f"{day} 2;" in activity.accessibleDescription()
    assert scores.accessibleName().startswith("Line chart: ")
    assert f"1  <b>Greet</b>: " in scores.accessibleDescription() and f"{day} 100 %" in scores.accessibleDescription()
    assert activity.grab().width() > 0 and scores.grab().width() > 0  # paints without warnings
    table: QTableWidget = week.table
    assert table.item(0, 0).text() == "1  <b>Greet</b>"  # plain text, never rich text
    assert not table.item(0, 0).icon().isNull()  # the line's colour as a dot; the text in the text colour
    assert table.item(0, table.columnCount() - 1).text() == "100 %"
    assert table.item(1, table.columnCount() - 1).text() == "50 %"
    window.day_button.click()
    assert window.views.currentWidget() is window.day_page and window.windowTitle() == "Agent Companion — My day"


def test_the_charts_load_only_when_the_week_view_opens_and_nothing_heavy_at_all():
    code = ("import sys, ui.app, ui.controller, ui.windows.my_day, ui.windows.checklist_panel, "
            "ui.windows.templates\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'pyqtgraph', 'numpy'} or m in {'ui.widgets.charts', 'ui.windows.my_week'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_week_legend_average_handle_time_and_a_table_that_never_scrolls(qtbot, desk, clock, monkeypatch):
    monkeypatch.setattr("ui.windows.my_week.datetime", type("D", (), {"now": staticmethod(lambda tz=None: clock.now())}))
    week_data(desk, clock)  # two calls of 90 s
    desk.start_call()
    clock.advance(150)
    desk.end_call()  # a third of 150 s: the week's average is 110 s
    window = MyDayWindow(desk, "week")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    week = window.week
    assert "3 calls, average handle time 1:50" in week.headline.text()
    table = week.table
    last = table.columnCount() - 1
    handle_row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Average handle time")
    assert table.item(handle_row, last).text() == "1:50"  # the week's, filled in
    assert table.verticalScrollBar().maximum() == 0 and table.horizontalScrollBar().maximum() == 0
    bottom = table.mapTo(window, table.rect().bottomLeft()).y()
    assert bottom <= window.height()  # all of it inside the window at the default size
    assert window.week.scores.legend_height() > 0 and len(window.week.scores.series) == 9


def test_an_empty_week_says_so_in_its_charts(qtbot, desk):
    window = MyDayWindow(desk, "week")
    qtbot.addWidget(window)
    week = window.week
    assert week.activity.is_empty() and week.scores.is_empty()
    assert week.activity.accessibleDescription() == "No calls or resets in the last seven days."
    assert week.scores.accessibleDescription() == "No checklists filled in during the last seven days."
    assert week.activity.grab().width() > 0


def test_export_from_your_data(qtbot, desk, clock, tmp_path):
    week_data(desk, clock)
    window = YourDataSection(desk)  # Settings → Your data
    qtbot.addWidget(window)
    assert window.export_to(str(tmp_path / "mine.zip"))
    assert window.message.text().startswith("Exported to") and not window.message.isHidden()
    assert window.message.kind() == "success" and window.message.word() == "Done"  # colour, icon and word
    with zipfile.ZipFile(tmp_path / "mine.zip") as archive:
        doc = json.loads(archive.read("my-data.json"))
    assert len(doc["calls"]) == 2 and len(doc["kudos"]) == 1
    (tmp_path / "blocker").write_text("x")
    assert not window.export_to(str(tmp_path / "blocker" / "x.zip"))
    assert window.message.text().startswith("Not exported:")
    assert window.message.kind() == "error" and window.message.word() == "Error"


def test_delete_needs_delete_typed_names_what_goes_and_keeps_settings(qtbot, desk, clock):
    week_data(desk, clock)
    window = YourDataSection(desk)  # Settings → Your data
    qtbot.addWidget(window)
    window.confirm_delete()
    dialog = window.delete_dialog
    assert "• 2 calls" in dialog.what.text() and "• 1 kudos sent and received" in dialog.what.text()
    # exact: every item of both checklists (16), and how many of them were ticked (3)
    assert "• 16 checklist items, 3 of them ticked" in dialog.what.text() + "\n" + dialog.what_more.text()
    assert not dialog.delete_button.isEnabled()
    dialog.confirm.setText("delete")
    assert not dialog.delete_button.isEnabled()
    dialog.confirm.setText("DELETE")
    dialog.delete_button.click()
    assert mydata.counts(desk.db, "sam") == {p.name: 0 for p in mydata.PARTS}
    assert desk.settings().agent_name == "sam"
    assert window.message.text().startswith("Deleted: 2 calls")
    assert window.summary.text() == "Nothing about you is recorded on this computer now."


def test_delete_during_a_call_is_refused_and_changes_nothing(qtbot, desk, clock):
    week_data(desk, clock)
    desk.start_call()
    window = YourDataSection(desk)  # Settings → Your data
    qtbot.addWidget(window)
    window.confirm_delete()
    dialog = window.delete_dialog
    dialog.confirm.setText("DELETE")
    before = mydata.counts(desk.db, "sam")
    assert not dialog.delete()
    assert "Nothing was deleted" in dialog.error.text() and mydata.counts(desk.db, "sam") == before


def test_delete_says_what_stays_on_the_team_hub_and_is_refused_during_a_reset(qtbot, desk, clock):
    week_data(desk, clock)
    desk.start_reset(1, None, "tray")
    window = YourDataSection(desk)  # Settings → Your data
    qtbot.addWidget(window)
    window.confirm_delete()
    dialog = window.delete_dialog
    assert "already reached your team hub" in dialog.hub_note.text()
    assert "visible to your team" in dialog.hub_note.text()
    dialog.confirm.setText("DELETE")
    before = mydata.counts(desk.db, "sam")
    assert not dialog.delete()
    assert "Nothing was deleted" in dialog.error.text() and "reset is running" in dialog.error.text()
    assert mydata.counts(desk.db, "sam") == before


def confirmed_delete_dialog(qtbot, desk, clock):
    """Settings → Your data with a week of data, its Delete my data dialog open and DELETE typed; and the counts before."""
    week_data(desk, clock)
    window = YourDataSection(desk)  # Settings → Your data
    qtbot.addWidget(window)
    window.confirm_delete()
    window.delete_dialog.confirm.setText("DELETE")
    return window, window.delete_dialog, mydata.counts(desk.db, "sam")  # the section owns the dialog: keep it


def test_delete_waits_for_a_delivery_without_blocking_the_app(qtbot, desk, clock, monkeypatch):
    """The sync worker holds Desk.delivery while a batch goes to the team hub: the dialog waits for it
    without freezing the app, deletes once it is free, and gives up with a message after DELIVERY_WAIT."""
    import time

    _section, dialog, before = confirmed_delete_dialog(qtbot, desk, clock)
    desk.delivery.acquire()  # a batch is on its way
    started = time.monotonic()
    assert not dialog.delete()
    assert time.monotonic() - started < 0.5  # the GUI thread did not wait
    assert dialog.error.text() == "Waiting for a delivery to your team hub to finish…"
    assert not dialog.delete_button.isEnabled() and mydata.counts(desk.db, "sam") == before
    desk.delivery.release()  # the hub committed
    with qtbot.waitSignal(dialog.deleted, timeout=5000) as said:
        pass
    assert said.args[0].startswith("Deleted: ") and sum(mydata.counts(desk.db, "sam").values()) == 0


def test_delete_gives_up_on_a_long_delivery_and_a_closed_dialog_deletes_nothing(qtbot, desk, clock, monkeypatch):
    _section, dialog, before = confirmed_delete_dialog(qtbot, desk, clock)
    monkeypatch.setattr(mydata, "DELIVERY_WAIT", 0.3)
    desk.delivery.acquire()
    try:
        assert not dialog.delete()
        qtbot.waitUntil(lambda: dialog.error.text().startswith("Nothing was deleted: Agent Companion is "
                                                               "delivering to your team hub"), timeout=5000)
        assert dialog.delete_button.isEnabled()  # the agent may try again
        monkeypatch.setattr(mydata, "DELIVERY_WAIT", 10.0)
        assert not dialog.delete()  # waiting again ...
        dialog.reject()             # ... and the agent closes the dialog
    finally:
        desk.delivery.release()
    qtbot.wait(600)  # past a few retries
    assert mydata.counts(desk.db, "sam") == before
