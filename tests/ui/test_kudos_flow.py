"""Send kudos by keyboard alone, as the README says (issue 11): two letters, Enter (one match) or ↓/Enter
(several), a digit 1-5, the message, Enter. Every step is checked right after its key, with no wait in between:
the flow has nothing to wait for (no timer, no animation), and the whole of it is timed."""
import time

import pytest
from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import QApplication, QRadioButton

from companion.kudos.categories import CATEGORIES
from ui import a11y


@pytest.fixture
def team(desk):
    desk.set_agent_name("alex")
    desk.roster.add_local("dana", "Dana Scully")
    desk.roster.add_local("dan", "Daniel Reyes")
    desk.roster.add_local("sam", "Sam Okafor")
    return desk


def open_dialog(controller, qtbot):
    dialog = controller.open_kudos()
    qtbot.waitUntil(dialog.to.hasFocus)  # the window is active: typing goes straight to the recipient
    return dialog


def test_the_whole_flow_by_keyboard_alone_with_no_wait(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    began = time.perf_counter()
    qtbot.keyClicks(dialog.to, "sa")                         # one match: Sam
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)             # Enter takes it at once
    assert dialog.to.text() == "Sam Okafor (sam)" and dialog.recipient() == "sam"
    assert isinstance(QApplication.focusWidget(), QRadioButton)  # on to the categories
    qtbot.keyClick(QApplication.focusWidget(), "3")          # 3 = Achieving goals, then on to the message
    assert dialog.chips.key() == "achieving" and dialog.message.hasFocus()
    assert dialog.category_help.text().startswith("Reached a target")
    qtbot.keyClicks(dialog.message, "Closed the Hendricks case!")
    assert dialog.counter.text() == "26/280"
    qtbot.keyClick(dialog.message, Qt.Key.Key_Return)        # Enter sends
    took = time.perf_counter() - began
    [sent] = team.kudos.feed()
    assert (sent.recipient, sent.category.key, sent.message) == ("sam", "achieving", "Closed the Hendricks case!")
    assert not dialog.isVisible()
    assert controller.toasts.visible[-1].body_label.text() == "To Sam Okafor: Achieving goals"
    # nothing on the path waits: no running timer over 100 ms in the dialog, and the keys take well under 3 s
    slow = [t for t in dialog.findChildren(QTimer) if t.isActive() and t.interval() > 100]
    assert slow == []
    print(f"\nkeyboard flow (2 letters, Enter, digit, 26 characters, Enter): {took * 1000:.0f} ms")
    assert took < 3.0


def test_two_matches_open_the_list_and_down_enter_picks_one(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    qtbot.keyClicks(dialog.to, "da")                         # Dana Scully and Daniel Reyes
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)
    popup = dialog.completer.popup()
    assert popup.isVisible() and dialog.completer.completionCount() == 2  # the list opens (or stays open)
    assert dialog.to.hasFocus() and dialog.chips.key() is None
    assert dialog.error.kind() == "info" and "roster" not in dialog.error.text()
    assert "2 teammates match" in dialog.error.text()
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)             # Enter again: still the list, still no refusal
    assert popup.isVisible() and dialog.error.kind() == "info"
    qtbot.keyClick(dialog.to, Qt.Key.Key_Down)               # ↓ highlights the first, ↓ again the second
    qtbot.keyClick(dialog.to, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)
    assert dialog.to.text() == "Daniel Reyes (dan)" and not popup.isVisible()
    assert dialog.error.kind() == ""                          # the hint goes once a teammate is picked
    qtbot.keyClick(QApplication.focusWidget(), "5")
    qtbot.keyClicks(dialog.message, "Great coaching")
    qtbot.keyClick(dialog.message, Qt.Key.Key_Enter)         # the keypad's Enter too
    assert [(k.recipient, k.category.key) for k in team.kudos.feed()] == [("dan", "teamwork")]


def test_the_list_takes_enter_itself_on_a_real_desktop(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    qtbot.keyClicks(dialog.to, "da")
    qtbot.keyClick(dialog.to, Qt.Key.Key_Down)               # opens the list on the first match
    popup = dialog.completer.popup()
    assert popup.isVisible() and popup.currentIndex().data() == "Dana Scully (dana)"
    qtbot.keyClick(popup, Qt.Key.Key_Return)                 # where the key lands while the popup grabs it
    assert dialog.recipient() == "dana" and isinstance(QApplication.focusWidget(), QRadioButton)


def test_sending_with_two_matches_asks_to_pick_never_refuses(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    dialog.to.setText("da")
    dialog.chips.set_key("helping")
    dialog.message.setText("Thanks")
    assert not dialog.send()
    assert "roster" not in dialog.error.text() and dialog.completer.popup().isVisible()
    assert team.kudos.feed() == []


def test_shift_enter_is_a_new_line_and_enter_sends(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    qtbot.keyClicks(dialog.to, "sam")
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), "4")
    qtbot.keyClicks(dialog.message, "Thank you for staying calm")
    qtbot.keyClick(dialog.message, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.isVisible() and team.kudos.feed() == []     # a new line, not a send
    qtbot.keyClicks(dialog.message, "with that caller.")
    assert dialog.message.text() == "Thank you for staying calm\nwith that caller."
    qtbot.keyClick(dialog.message, Qt.Key.Key_Return)
    [sent] = team.kudos.feed()
    assert sent.message == "Thank you for staying calm\nwith that caller." and sent.category.key == "responding"


def test_an_error_grows_the_dialog_instead_of_clipping_it(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    dialog.resize(dialog.width(), dialog.minimumSizeHint().height())
    before = dialog.height()
    qtbot.keyClicks(dialog.to, "zz")
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)              # nobody matches: a clear refusal
    assert dialog.error.kind() == "error" and "matches “zz”" in dialog.error.text()
    assert dialog.error.isVisible() and dialog.height() > before
    for field in (dialog.to, dialog.ref):                     # nothing squeezed
        assert field.height() >= field.minimumSizeHint().height()
    assert dialog.message.height() >= dialog.message.minimumHeight()  # three lines at least
    assert dialog.error.geometry().bottom() <= dialog.buttons.geometry().top()
    dialog.to.setText("sam")                                   # a long refusal wraps and grows it further
    dialog.chips.set_key("helping")
    dialog.message.setText("y" * 281)
    assert dialog.counter.property("role") == "counter-over"
    assert not dialog.send() and "at most 280" in dialog.error.text()
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width()) - 1


def test_an_empty_to_asks_who_it_is_for(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    dialog.chips.set_key("helping")
    dialog.message.setText("Thanks")
    assert not dialog.send()
    assert dialog.error.text() == "Who is it for? Type two letters of a teammate's name in To."
    assert dialog.to.hasFocus() and team.kudos.feed() == []


def test_no_category_yet_is_a_clear_message_and_focus_goes_to_the_chips(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    dialog.to.setText("sam")
    dialog.message.setText("Thanks")
    assert not dialog.send()
    assert "Choose what the kudos is for" in dialog.error.text()
    assert isinstance(QApplication.focusWidget(), QRadioButton) and team.kudos.feed() == []


def test_five_visible_chips_with_radio_semantics_names_and_hints(controller, team, qtbot):
    dialog = open_dialog(controller, qtbot)
    chips = [dialog.chips.buttons[c.key] for c in CATEGORIES]
    assert all(isinstance(c, QRadioButton) and c.isVisible() for c in chips)
    assert dialog.chips.group.exclusive()
    for number, (chip, cat) in enumerate(zip(chips, CATEGORIES), start=1):
        assert chip.accessibleName() == f"{cat.name}, key {number}: {cat.description}"
        assert chip.toolTip() == f"Key {number}: {cat.description}"
        assert chip.property("category") == cat.key and not chip.icon().isNull()
    dialog.chips.pick(2)
    dialog.chips.pick(4)
    assert [c.isChecked() for c in chips] == [False, False, False, True, False]
    assert a11y.unnamed_controls(dialog) == []


def quiet_team(desk):
    desk.roster.add_local("kim", "kim Lee")
    desk.roster.add_local("bo", "Bo Diaz")  # six with me: the hint applies


def test_fairness_line_names_the_quiet_ones_by_name_and_a_click_fills_to(controller, team, qtbot):
    quiet_team(team)
    team.kudos.send("sam", "helping", "Thanks")
    dialog = open_dialog(controller, qtbot)
    assert dialog.quiet is not None and dialog.quiet.isVisible()
    assert dialog.quiet.intro.text() == "Not thanked yet this month:"
    names = [link.text() for link in dialog.quiet.links]
    assert names == ["Bo Diaz", "Dana Scully", "Daniel Reyes", "kim Lee"]  # by name; Sam was thanked
    dialog.quiet.links[1].click()
    assert dialog.recipient() == "dana" and isinstance(QApplication.focusWidget(), QRadioButton)
    assert a11y.unnamed_controls(dialog) == []


def test_fairness_line_is_a_setting_and_needs_a_team_of_five(controller, team, qtbot):
    assert open_dialog(controller, qtbot).quiet is None         # four with me: never singled out
    controller.windows["kudos"].close()
    quiet_team(team)
    team.save_settings(team.settings().with_changes(kudos_suggest_quiet=False))
    assert open_dialog(controller, qtbot).quiet is None


def test_settings_team_section_turns_the_fairness_line_off(controller, team, qtbot):
    quiet_team(team)
    window = controller.open_settings()
    box = window.team.suggest_quiet
    assert box.isChecked() and box.text() == "Suggest teammates not thanked yet this month"  # on by default
    box.setChecked(False)
    assert window.save() and team.settings().kudos_suggest_quiet is False
    assert open_dialog(controller, qtbot).quiet is None
