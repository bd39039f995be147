from datetime import timedelta

from PySide6.QtWidgets import QSystemTrayIcon

from ui.tray import Tray, TrayMenu


def texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def sub(menu, title):
    return next(a.menu() for a in menu.actions() if a.menu() is not None and a.text().startswith(title))


def test_menu_has_the_foundation_entries_and_no_placeholders(controller):
    menu = controller.menu.menu
    menu.aboutToShow.emit()
    entries = texts(menu)
    assert entries[0] == "Ready"
    assert entries[1:] == ["Reset", "Start a call", "Pause notifications", "Send kudos…", "Team feed",
                           "Voice of the Customer…", "Checklists…", "My day / week", "Settings", "Quit"]
    assert texts(sub(menu, "Reset")) == ["1-minute breath", "3-minute reset", "5-minute decompress"]
    assert texts(sub(menu, "Pause")) == ["For 30 minutes", "For 1 hour", "Until tomorrow"]
    assert not any("deep breath" in t.lower() for t in entries)  # not a lead


def test_without_a_system_tray_a_stand_in_window_shows_state(controller, qtbot):
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen
    standin = controller.tray.standin
    assert standin is not None and standin.isVisible()
    assert standin.state_label.text() == "Ready"
    assert standin.menu_button.menu() is controller.menu.menu
    standin.close()  # closing minimises, it does not quit
    assert standin.isVisible() or standin.isMinimized()


def test_call_from_the_menu_changes_state_and_menu(controller, desk, clock):
    controller.menu.action("Start a call").trigger()
    assert desk.state() == "on_call" and controller.tray.state == "on_call"
    controller.menu.menu.aboutToShow.emit()
    entries = texts(controller.menu.menu)
    assert entries[0] == "On a call"
    assert "End call" in entries and "End call (it was a tough one)" in entries
    reset_action = next(a for a in controller.menu.menu.actions() if a.text().startswith("Reset"))
    assert reset_action.text() == "Reset (not during a call)" and not reset_action.isEnabled()
    assert reset_action.menu() is None  # a disabled entry has no submenu arrow leading nowhere
    clock.advance(30)
    controller.menu.action("End call (it was a tough one)").trigger()
    assert desk.state() == "ready"
    panel = controller.windows["checklist_panel"]  # the offer is part of the panel's outcome step
    assert panel.offer_box.isVisible() and panel.offer_text.text().startswith("Take a 60-second reset?")
    assert controller.toasts.visible == []


def test_pause_and_resume_from_the_menu(controller, desk, clock):
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("For 30 minutes").trigger()
    assert desk.state() == "paused" and controller.tray.state == "paused"
    assert controller._wakeup.isActive()  # resumes by itself
    controller.menu.menu.aboutToShow.emit()
    assert texts(controller.menu.menu)[0].startswith("Notifications paused until")
    until = desk.notifications.paused_until.astimezone()
    assert f"Paused until {until:%H:%M}" in texts(controller.menu.menu)  # the entry itself says a pause runs
    controller.menu.action("Resume now").trigger()
    assert desk.state() == "ready"


def test_pause_until_tomorrow(controller, desk, clock):
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("Until tomorrow").trigger()
    until = desk.notifications.paused_until
    assert until is not None and timedelta(hours=0) < until - clock.now() <= timedelta(hours=30)


def test_reset_from_the_menu_opens_the_reset_window(controller, desk):
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("5-minute decompress").trigger()
    window = controller.windows["reset"]
    assert window.isVisible() and desk.state() == "reset" and controller.tray.state == "reset"
    assert window.session.pattern.key == "decompress" and window.session.planned_seconds == 300


def test_my_day_and_settings_open(controller):
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("My day / week").trigger()
    controller.menu.action("Settings").trigger()
    assert controller.windows["my_day"].isVisible() and controller.windows["settings"].isVisible()


def test_quit_asks_the_app_to_quit(controller, qtbot):
    controller.menu.menu.aboutToShow.emit()
    with qtbot.waitSignal(controller.quit_requested, timeout=1000):
        controller.menu.action("Quit").trigger()


def test_refusals_from_clicks_are_shown_not_swallowed(controller, desk):
    desk.start_call()
    controller.menu.reset_requested.emit(1, None)
    assert desk.resets.current is None
    assert any("on a call" in t.body_label.text() for t in controller.toasts.visible)


def test_tray_icon_mode_uses_state_icons(qtbot, desk):
    status = lambda: {"state": "on_call"}  # noqa: E731
    tray = Tray(TrayMenu(status), status, use_tray=True)
    tray.refresh()
    assert tray.icon is not None and not tray.icon.icon().isNull()
    assert "On a call" in tray.icon.toolTip()
    tray.hide()


def test_opening_the_menu_many_times_does_not_leak(controller, qtbot):
    from PySide6.QtWidgets import QApplication, QMenu

    def menus():
        return sum(isinstance(w, QMenu) for w in QApplication.allWidgets())

    controller.menu.menu.aboutToShow.emit()
    qtbot.wait(10)
    before, entries = menus(), len(controller.menu.menu.actions())
    for _ in range(50):
        controller.menu.menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: menus() == before, timeout=2000)  # old submenus are really deleted
    assert len(controller.menu.menu.actions()) == entries  # rebuilt, not appended to


def test_a_second_reset_is_refused_while_one_runs(controller, desk):
    import pytest

    from companion.errors import CompanionError

    first = controller.open_reset(1, None, "tray")
    with pytest.raises(CompanionError, match="already running"):
        controller.open_reset(3, None, "cli")
    assert desk.resets.current is first.session and first.isVisible()


def test_the_status_line_mentions_a_pause_on_a_call_and_in_a_reset(controller, desk, clock):
    from ui.tray import describe

    until = desk.pause_for(30).astimezone()
    desk.notifications.post("info", "held", "")
    desk.start_call("4711")
    assert describe(desk.status()) == f"On a call (4711); notifications paused until {until:%H:%M} — 1 waiting"
    desk.end_call()
    assert describe(desk.status()) == f"Notifications paused until {until:%H:%M} — 1 waiting"
    desk.start_reset(1, None, "tray")
    assert describe(desk.status()) == f"Taking a reset; notifications paused until {until:%H:%M} — 1 waiting"
    desk.end_reset()
    desk.resume_notifications()
    assert "paused" not in describe(desk.status())


def test_an_opening_menu_reports_its_choosable_entries_to_the_ready_file(controller, desk, tmp_path, monkeypatch):
    import json

    ready = tmp_path / "ready"
    monkeypatch.setenv("COMPANION_READY_FILE", str(ready))
    desk.start_call("4711")
    menu = controller.menu.menu
    menu.aboutToShow.emit()
    sub(menu, "Pause").aboutToShow.emit()
    lines = [json.loads(line.split(" ", 1)[1]) for line in ready.read_text().splitlines()]
    # The header and the greyed-out Reset submenu cannot be chosen, so they are not listed.
    assert lines[0] == {"menu": "tray", "entries": ["End call", "End call (it was a tough one)",
                                                     "Pause notifications", "Send kudos…", "Team feed",
                                                     "Voice of the Customer…", "Checklists…", "My day / week",
                                                     "Settings", "Quit"]}
    assert lines[1] == {"menu": "Pause notifications", "entries": ["For 30 minutes", "For 1 hour", "Until tomorrow"]}
    monkeypatch.delenv("COMPANION_READY_FILE")
    menu.aboutToShow.emit()
    assert len(ready.read_text().splitlines()) == 2  # nothing written unless asked for


# -- the look and the quick panel (issue 10) ----------------------------------------------------------------
def test_the_state_line_is_a_readable_header_not_a_greyed_item(controller, desk):
    from PySide6.QtWidgets import QWidgetAction

    from ui import theme

    desk.start_call("4711")
    menu = controller.menu.menu
    menu.aboutToShow.emit()
    header = menu.actions()[0]
    assert isinstance(header, QWidgetAction) and header.text() == "On a call (4711)"
    label = header.defaultWidget()
    assert label.text() == "On a call (4711)"
    label.ensurePolished()
    colour = label.palette().color(label.foregroundRole()).name()
    assert colour == theme.color("text") != theme.color("text_disabled")  # full contrast, not greyed out
    assert not header.isEnabled()  # still not a choice: the keyboard skips it, the ready file leaves it out


def test_menu_entries_carry_icons(controller):
    menu = controller.menu.menu
    menu.aboutToShow.emit()
    for action in menu.actions():
        if not action.isSeparator():
            assert not action.icon().isNull(), action.text()


def test_one_click_on_the_stand_in_starts_the_default_breath(controller, desk):
    breathe = controller.tray.standin.quick.buttons["breathe"]
    assert breathe.isVisible() and breathe.isEnabled()
    breathe.click()
    window = controller.windows["reset"]
    assert window.isVisible() and desk.state() == "reset" and window.session.planned_seconds == 60
    assert window.session.pattern.key == desk.settings().default_pattern
    assert "bring it back" in breathe.caption_label.text()


def test_the_stand_in_quick_actions_follow_the_state(controller, desk):
    controller.menu.action("Start a call").trigger()
    quick = controller.tray.standin.quick
    assert quick.state_label.text() == "On a call" and not quick.buttons["breathe"].isEnabled()
    assert quick.buttons["breathe"].caption_label.text() == "Not during a call"
    assert not quick.choose(1)  # the key does nothing either


def test_left_click_opens_the_quick_panel_and_its_keys_work(qtbot, desk):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QSystemTrayIcon

    status = lambda: {"state": "ready"}  # noqa: E731
    menu = TrayMenu(status)
    tray = Tray(menu, status, use_tray=True)
    tray._activated(QSystemTrayIcon.ActivationReason.Trigger)
    panel = tray.panel
    qtbot.addWidget(panel)
    assert panel.isVisible() and panel.windowFlags() & Qt.WindowType.Popup
    assert panel.actions.state_label.text() == "Ready"
    assert [b.title_label.text() for b in panel.actions.buttons.values()] == ["Breathe", "Send kudos", "My day"]
    with qtbot.waitSignal(menu.reset_requested, timeout=1000) as breath:
        qtbot.keyClick(panel, Qt.Key.Key_1)
    assert breath.args == [1, None] and not panel.isVisible()  # a choice closes the panel

    tray.open_panel()
    with qtbot.waitSignal(menu.kudos_requested, timeout=1000):
        qtbot.keyClick(panel, Qt.Key.Key_2)
    tray.open_panel()
    with qtbot.waitSignal(menu.my_day_requested, timeout=1000):
        qtbot.keyClick(panel, Qt.Key.Key_3)

    tray.open_panel()  # arrows and Enter
    panel.actions.buttons["breathe"].setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Down)
    assert panel.focusWidget() is panel.actions.buttons["kudos"]
    with qtbot.waitSignal(menu.kudos_requested, timeout=1000):
        qtbot.keyClick(panel, Qt.Key.Key_Return)
    tray.open_panel()
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    tray.hide()


def test_a_right_click_still_gets_the_full_menu(qtbot):
    from PySide6.QtWidgets import QSystemTrayIcon

    status = lambda: {"state": "ready"}  # noqa: E731
    menu = TrayMenu(status)
    tray = Tray(menu, status, use_tray=True)
    assert tray.icon.contextMenu() is menu.menu
    tray._activated(QSystemTrayIcon.ActivationReason.Context)
    assert tray.panel is None  # the context menu is Qt's to show; no panel on a right click
    tray.hide()


def test_the_quick_panel_sits_beside_the_icon_on_the_screen(qtbot):
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QGuiApplication

    from ui.widgets.quick_panel import place_near

    area = QGuiApplication.primaryScreen().availableGeometry()
    size = QSize(320, 280)
    bottom_right = QRect(area.right() - 24, area.bottom() - 24, 24, 24)  # a panel at the bottom
    corner = place_near(bottom_right, size)
    assert QRect(corner, size).bottom() < bottom_right.top() and area.contains(QRect(corner, size))
    top_left = QRect(area.left(), area.top(), 24, 24)  # a panel at the top
    corner = place_near(top_left, size)
    assert corner.y() > top_left.bottom() and area.contains(QRect(corner, size))


def test_while_an_offer_lives_breathe_in_the_quick_actions_takes_it(controller, desk, clock):
    desk.start_call()
    clock.advance(30)
    desk.end_call(tough=True)
    controller.refresh()
    quick = controller.tray.standin.quick
    assert quick.buttons["breathe"].caption_label.text().startswith("Take the offered reset")
    quick.buttons["breathe"].click()
    window = controller.windows["reset"]
    assert window.session.trigger == "after_call" and desk.reset_offer() is None
