"""pytest-qt: the in-process twin of the AT-SPI walk (tests/e2e/test_accessibility.py) for the windows outside
the reset and in-call flows: every interactive control has a name, exclusive choices are radio buttons, status
changes are announced, and what assistive technology does (Toggle, not click) has the same effect as a click."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QCheckBox, QPushButton, QRadioButton
from PySide6.QtWidgets import QWidget as QWidgetType

from tests.core.team_helpers import join_hub
from ui.a11y import unnamed_controls


@pytest.fixture
def team(desk):
    desk.set_agent_name("alex")
    desk.roster.add_local("dana", "Dana Scully")
    return desk


def open_all(controller):
    """Every window the controller opens outside the reset and call flows (and the dialogs they open)."""
    windows = {
        "tray quick panel": controller.tray.open_panel(),
        "tray stand-in window": controller.tray.standin,
        "kudos": controller.open_kudos(),
        "feed": controller.open_feed(),
        "voice": controller.open_voice(),
        "breath": controller.open_breath(),
        "checklists": controller.open_checklists(),
        "settings": controller.open_settings(),
        "my day": controller.open_my_day(),
    }
    day = windows["my day"]
    day.confirm_delete()
    windows["delete my data"] = day.delete_dialog
    from ui.windows.name import AskNameDialog

    windows["name prompt"] = AskNameDialog(controller.desk, lambda: None, windows["kudos"])
    windows["name prompt"].show()
    return windows


def test_every_control_has_a_name(controller, team, qtbot):
    windows = open_all(controller)
    controller.open_my_day("week")  # the Week view (its charts and table) in the same window
    unnamed = {key: [type(w).__name__ + ":" + (w.objectName() or "") for w in unnamed_controls(window)]
               for key, window in windows.items()}
    assert unnamed == {key: [] for key in windows}


def test_a_lead_on_a_hub_sees_named_controls_too(controller, desk, qtbot):
    join_hub(desk, lead=True)
    desk.set_agent_name("lena")
    windows = open_all(controller)
    voice = windows["voice"]
    assert voice.lead_box.isVisibleTo(voice) and voice.reply.accessibleName()
    assert {key: unnamed_controls(w) for key, w in windows.items()} == {key: [] for key in windows}


def test_exclusive_choices_are_radio_buttons(controller, team, qtbot):
    """A QButtonGroup that keeps one choice is a set of radio buttons (a screen reader says "2 of 2"), never
    check boxes or checkable push buttons (read as independent check boxes)."""
    for key, window in open_all(controller).items():
        for group in window.findChildren(QButtonGroup):
            if group.exclusive():
                kinds = {type(b).__name__ for b in group.buttons()}
                assert kinds == {"QRadioButton"}, (key, kinds)
        for button in window.findChildren(QAbstractButton):
            if button.autoExclusive():
                assert isinstance(button, QRadioButton), (key, button.text())


def test_the_week_choice_switches_the_view_by_toggle_as_assistive_technology_does(controller, desk, qtbot):
    """AT-SPI's first action on a radio button or check box is Toggle, which toggles without a click."""
    window = controller.open_my_day()
    assert isinstance(window.week_button, QRadioButton)
    window.week_button.toggle()
    assert window.views.currentWidget() is window.week and window.windowTitle().endswith("My week")
    window.day_button.toggle()
    assert window.views.currentWidget() is window.day_page and window.windowTitle().endswith("My day")


def test_a_checklist_item_toggled_as_assistive_technology_does_is_recorded(controller, desk, qtbot):
    controller.start_call("A11Y")
    panel = controller.windows["checklist_panel"]
    first = panel.boxes[0]
    first.toggle()  # what AT-SPI's Toggle action does: no click
    assert panel.run.ticked.keys() == {panel.run.items[0].key} and first.isChecked()
    panel.refresh()  # the box follows the run: no second tick
    assert panel.run.ticked.keys() == {panel.run.items[0].key}
    first.toggle()
    assert not panel.run.ticked


def test_status_changes_are_announced(controller, team, qtbot):
    voice = controller.open_voice()
    voice.text.setPlainText("The refund form times out after five minutes")
    assert voice.log()
    assert voice.error.property("lastAnnouncement") == "Done: Logged. Thank you: it will be on the huddle board."
    kudos = controller.open_kudos()
    kudos.to.setText("nobody")
    kudos.message.setText("Thanks")
    assert not kudos.send()
    assert kudos.error.property("lastAnnouncement").startswith("Error: ")
    kudos.to.setText("dana")
    assert kudos.send()
    assert kudos.property("lastAnnouncement") == "Kudos sent to Dana Scully."


def test_tables_and_lists_have_names(controller, team, qtbot):
    feed = controller.open_feed()
    assert [feed.feed_table.accessibleName(), feed.stars_table.accessibleName(), feed.inbox_table.accessibleName()] \
        == ["Kudos this week", "Service Stars this week", "My kudos inbox"]
    editor = controller.open_checklists()
    assert editor.list.accessibleName() == "Checklist templates" and editor.items.accessibleName()
    due, closing = editor.items.cellWidget(0, 1), editor.items.cellWidget(0, 2)
    assert due.accessibleName().startswith("Due within") and isinstance(closing, QCheckBox)
    assert closing.accessibleName() == "Near the end of the call"
    voice = controller.open_voice()
    assert voice.board.accessibleName() == "Huddle board"


def test_buttons_are_at_least_24_px(controller, team, qtbot):
    """WCAG 2.2 SC 2.5.8: a target at least 24 × 24 px (at 1x)."""
    small = []
    for key, window in open_all(controller).items():
        window.adjustSize()
        for button in window.findChildren(QPushButton):
            if button.isVisibleTo(window) and (button.height() < 24 or button.width() < 24):
                small.append((key, button.text(), button.size().toTuple()))
    assert small == []


def tab_chain(window) -> list:
    """The widgets Tab visits in ``window``, in order, from its first focusable widget."""
    from PySide6.QtCore import Qt

    def focusable(w) -> bool:
        return (w.window() is window and w.isVisibleTo(window) and w.isEnabled()
                and bool(w.focusPolicy().value & Qt.FocusPolicy.TabFocus.value))

    start = next((w for w in [window, *window.findChildren(QWidgetType)] if focusable(w)), None)
    chain, widget = [], start
    while widget is not None and widget not in chain:
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while widget is not None and widget is not start and not focusable(widget):
            widget = widget.nextInFocusChain()
        if widget is start:
            break
    return chain


def test_tab_follows_the_reading_order(controller, team, qtbot):
    """Tab goes top to bottom, and left to right within a row (WCAG 2.4.3): no jumping back up."""
    from PySide6.QtCore import QPoint

    jumps = {}
    for key, window in open_all(controller).items():
        window.show()
        qtbot.waitExposed(window)
        chain = tab_chain(window)
        places = [(w.mapTo(window, QPoint(0, 0)), w) for w in chain]
        back = [(type(a).__name__, a.accessibleName() or getattr(a, "text", lambda: "")(), "→",
                 type(b).__name__, b.accessibleName() or getattr(b, "text", lambda: "")())
                for (pa, a), (pb, b) in zip(places, places[1:])
                # the next stop lies wholly above this one, and not in a column to its right
                if pb.y() + b.height() <= pa.y() and pb.x() < pa.x() + a.width()]
        if back:
            jumps[key] = back
    assert jumps == {}
