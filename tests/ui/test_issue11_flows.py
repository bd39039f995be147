"""Issue 11 flows: Settings in sections (all reachable by keyboard), the name prompt's error and suggestion,
the group deep breath's feedback, counts with their plural forms, and Settings → Your data from My day."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from companion.autostart import XdgAutostart
from ui.plurals import count, english
from ui.widgets.your_data import describe
from ui.windows.settings import SECTIONS, SettingsWindow


def settings_window(desk, qtbot):
    window = SettingsWindow(desk, XdgAutostart(desk.db.path.parent / "config"), lambda: ["companion"])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_every_settings_section_is_reachable_by_keyboard(desk, qtbot):
    window = settings_window(desk, qtbot)
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == [
        "General", "Resets", "Calls & checklists", "Notifications", "Team", "Call detection", "Presence hooks",
        "Your data"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.sidebar.setFocus()
    qtbot.waitUntil(window.sidebar.hasFocus)
    seen = [window.current_section()]
    for _ in range(len(SECTIONS) - 1):
        qtbot.keyClick(window.sidebar, Qt.Key.Key_Down)  # arrows move through the sections
        seen.append(window.current_section())
    assert seen == [key for key, _, _ in SECTIONS]
    # Tab goes from the list into the section shown: Your data's first button
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.your_data.export_button
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Home)
    assert window.current_section() == "general"
    # every existing setting still has its control, in its section
    pages = window.pages
    assert window.start_at_login.parent() is pages["general"] and window.reduced_motion.parent() is pages["general"]
    assert window.pattern.parent() is pages["resets"] and window.audio_pacing.parent() is pages["resets"]
    assert window.long_call.parent() is pages["calls"] and window.panel_corner.parent() is pages["calls"]
    assert window.per_hour.parent() is pages["notifications"]
    assert pages["team"] is window.team and pages["detection"] is window.detection
    assert pages["presence"] is window.presence and pages["your_data"] is window.your_data


def test_settings_sections_save_together(desk, qtbot):
    window = settings_window(desk, qtbot)
    window.show_section("notifications")
    window.per_hour.setValue(7)
    window.show_section("resets")
    window.pattern.setCurrentIndex(window.pattern.findData("478"))
    assert window.save()
    assert desk.settings().notifications_per_hour == 7 and desk.settings().default_pattern == "478"


def test_my_day_leads_to_your_data(controller, qtbot):
    day = controller.open_my_day()
    assert not day.your_data_button.isHidden()
    day.your_data_button.click()
    settings = controller.windows["settings"]
    assert settings.isVisible() and settings.current_section() == "your_data"


def test_name_prompt_grows_with_its_error_and_suggests_a_valid_name(desk, qtbot):
    from ui.windows.name import AskNameDialog

    saved = []
    dialog = AskNameDialog(desk, lambda: saved.append(True))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    height = dialog.height()
    field = dialog.name.height()
    dialog.name.setText("Dana Smith")
    assert not dialog.save()
    assert dialog.error.kind() == "error" and dialog.error.word() == "Error"  # the same feedback language
    assert "From what you typed: dana.smith" in dialog.error.text()
    assert dialog.use_suggestion.isVisible() and dialog.use_suggestion.text() == "Use dana.smith"
    assert dialog.use_suggestion.accessibleName() == "Use the name dana.smith"
    assert dialog.height() > height and dialog.name.height() == field  # grew; the field is not squeezed
    dialog.use_suggestion.click()
    assert dialog.name.text() == "dana.smith" and not dialog.use_suggestion.isVisible()
    assert dialog.error.kind() == "info"
    assert dialog.save() and saved == [True] and desk.settings().agent_name == "dana.smith"


def test_name_prompt_without_a_possible_suggestion(desk, qtbot):
    from ui.windows.name import AskNameDialog

    dialog = AskNameDialog(desk, lambda: None)
    qtbot.addWidget(dialog)
    dialog.name.setText("!!")
    assert not dialog.save()
    assert dialog.error.kind() == "error" and "From what you typed" not in dialog.error.text()
    assert dialog.use_suggestion.isHidden()


def test_group_breath_says_success_in_the_feedback_language(controller, desk, qtbot):
    from tests.core.team_helpers import join_hub

    desk.set_agent_name("alex")
    join_hub(desk, lead=True)
    window = controller.open_breath()
    window.send_button.click()
    assert window.feedback.kind() == "success" and window.feedback.word() == "Done"
    assert window.feedback.text().startswith("Invited.")


def test_counts_have_their_plural_forms():
    assert [count("%n item(s)", n) for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert count("%n reply(s)", 1) == "1 reply" and count("%n reply(s)", 3) == "3 replies"
    assert english("%n +1(s) you gave", 1) == "%n +1 you gave"
    assert count("%n kudos sent and received", 1) == "1 kudos sent and received"
    lines = describe({"calls": 1, "checklist_run_items": 16, "obstacle_votes": 2, "resets": 1}, ticked=5)
    assert lines == ["1 call", "16 checklist items, 5 of them ticked", "2 +1s you gave", "1 reset (with moods)"]
    assert describe({"checklist_run_items": 1}, ticked=1) == ["1 checklist item, ticked"]
    assert describe({"checklist_run_items": 8}, ticked=1) == ["8 checklist items, 1 of them ticked"]
