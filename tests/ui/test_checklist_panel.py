"""The Moment of Truth panel: it never steals the focus, ticks by key once clicked, cards one key away,
the outcome step, and its wiring through the controller (call start / end, the tray, the socket)."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QRadioButton, QWidget

from companion import ipc
from companion.checklists.templates import Item, Template
from ui.windows.checklist_panel import ChecklistPanel


@pytest.fixture
def softphone(qtbot):
    """A stand-in for the softphone: an active window whose line edit has the keyboard."""
    window = QWidget()
    window.setWindowTitle("Softphone")
    edit = QLineEdit(window)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.edit = edit
    return window


def panel_for(qtbot, desk, ref=None):
    desk.start_call(ref)
    panel = ChecklistPanel(desk.checklists)
    qtbot.addWidget(panel)
    panel.start(desk.checklists.active, ref)
    return panel


def test_showing_the_panel_does_not_ask_for_the_focus(qtbot, desk, softphone, monkeypatch):
    """Qt's offscreen platform activates every window it shows, whatever its flags, so here we check that
    the panel never asks for activation and tells the window system not to give it the focus; the e2e test
    (tests/e2e/test_checklist_e2e.py) checks on a real X desktop that the softphone keeps the keyboard."""
    asked = []
    monkeypatch.setattr(ChecklistPanel, "activateWindow", lambda self: asked.append("activate"))
    monkeypatch.setattr(ChecklistPanel, "setFocus", lambda self, *a: asked.append("focus"))
    panel = panel_for(qtbot, desk, "4711")
    qtbot.waitExposed(panel)
    flags = panel.windowFlags()
    for flag in (Qt.WindowType.Tool, Qt.WindowType.WindowStaysOnTopHint, Qt.WindowType.WindowDoesNotAcceptFocus):
        assert flags & flag, flag
    assert panel.windowHandle().flags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert panel.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert all(box.focusPolicy() == Qt.FocusPolicy.NoFocus for box in panel.boxes)
    assert asked == []
    softphone.activateWindow()
    softphone.edit.setFocus()
    qtbot.keyClicks(softphone.edit, "12")  # typing in the softphone does not tick anything
    assert softphone.edit.text() == "12" and not desk.checklists.active.ticked
    area = QGuiApplication.primaryScreen().availableGeometry()  # a screen corner (top right)
    assert panel.geometry().right() <= area.right() and panel.geometry().right() >= area.right() - 40
    assert panel.geometry().top() <= area.top() + 40
    assert panel.title.text() == "Moment of Truth — call 4711"


def test_after_the_agent_clicks_into_it_keys_tick(qtbot, desk, clock, softphone):
    panel = panel_for(qtbot, desk)
    qtbot.waitExposed(panel)
    qtbot.mouseClick(panel, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not panel.windowHandle().flags() & Qt.WindowType.WindowDoesNotAcceptFocus
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    clock.advance(3)
    qtbot.keyClick(panel, Qt.Key.Key_1)
    assert desk.checklists.active.ticked == {"greet": 3.0}
    assert panel.boxes[0].isChecked()
    qtbot.keyClick(panel, Qt.Key.Key_3)
    qtbot.keyClick(panel, Qt.Key.Key_9)  # no ninth item: nothing happens
    assert set(desk.checklists.active.ticked) == {"greet", "confirm-need"}
    qtbot.keyClick(panel, Qt.Key.Key_1)  # again: unticks
    assert set(desk.checklists.active.ticked) == {"confirm-need"}


def test_the_mouse_ticks_too_and_item_texts_are_plain(qtbot, desk):
    store = desk.checklists.templates
    store.ensure_default()
    store.set_active(store.create(Template("Mine", (Item("a", "<b>bold</b> & co"), Item("b", "Bye")))).id)
    panel = panel_for(qtbot, desk)
    assert panel.boxes[0].text() == "1" and panel.labels[0].text() == "<b>bold</b> & co"
    assert panel.labels[0].textFormat() == Qt.TextFormat.PlainText
    panel.boxes[1].click()
    assert set(desk.checklists.active.ticked) == {"b"}
    qtbot.mouseClick(panel.labels[0], Qt.MouseButton.LeftButton)  # the text ticks too
    assert set(desk.checklists.active.ticked) == {"a", "b"} and panel.boxes[0].isChecked()


def test_due_late_and_closing_items_say_so_in_words_and_icons_not_colour_alone(qtbot, desk, clock):
    panel = panel_for(qtbot, desk)
    greet, last = panel.rows[0], panel.rows[-1]
    assert greet.badge.text() == "due · 15 s" and not greet.icon.pixmap().isNull()
    assert panel.labels[0].toolTip() == "due: 15 s left"
    assert last.badge.text() == "at the end" and panel.labels[-1].toolTip() == "for the end of the call"
    assert panel.elapsed.text() == "0:00" and panel.elapsed.isVisible()
    clock.advance(9)
    panel.refresh()
    assert greet.badge.text() == "due · 6 s" and panel.elapsed.text() == "0:09"  # on the panel, not a tooltip
    clock.advance(191)
    panel.refresh()
    assert greet.badge.text() == "late" and not greet.icon.pixmap().isNull()
    assert panel.labels[0].toolTip() == "its time has passed"
    assert last.badge.text() == "wrap up" and panel.labels[-1].toolTip() == "now: the call is closing"
    assert panel.elapsed.text() == "3:20"
    panel.tick_number(1)
    assert greet.badge.text() == "done"


def test_items_are_named_by_their_text_and_state_for_screen_readers(qtbot, desk, clock):
    panel = panel_for(qtbot, desk)
    names = [box.accessibleName() for box in panel.boxes]
    assert names[0] == "Greet by name and say you will take care of this yourself, due now"
    assert not any(name in {str(n) for n in range(1, 10)} for name in names)
    assert names[-1].endswith(", for the end of the call")
    panel.tick_number(1)
    assert panel.boxes[0].accessibleName().endswith("yourself, ticked") and panel.boxes[0].isChecked()
    clock.advance(200)
    panel.refresh()
    assert panel.boxes[1].accessibleName().endswith(", open") and names[-1] != panel.boxes[-1].accessibleName()


def test_d_shows_the_de_escalation_cards_one_at_a_time_by_key(qtbot, desk):
    panel = panel_for(qtbot, desk)
    panel.take_keyboard()
    items_height = panel.height()
    qtbot.keyClick(panel, Qt.Key.Key_D)
    assert panel.current_page() is panel.cards_page
    assert panel.card_title.text() == "Slow the pace" and panel.card_position.text() == "De-escalation card 1 of 6"
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_PageDown)
    assert panel.card_title.text() == "Own the next step"
    assert "Say what you will do" in panel.card_steps.text()
    assert panel.card_title.property("lastAnnouncement") == "De-escalation card 3 of 6: Own the next step"
    qtbot.keyClick(panel, Qt.Key.Key_PageUp)
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    qtbot.keyClick(panel, Qt.Key.Key_Left)  # before the first: the last
    assert panel.card_title.text() == "After the call"
    panel.next_card.click()
    assert panel.card_title.text() == "Slow the pace"
    assert panel.height() == panel.natural_height()
    qtbot.keyClick(panel, Qt.Key.Key_1)  # keys do not tick while the cards show
    assert not desk.checklists.active.ticked
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert panel.current_page() is panel.items_page
    assert panel.height() == items_height  # back to its natural size, no gaps


def test_the_panel_returns_to_its_natural_size_before_the_outcome_step(qtbot, desk):
    panel = panel_for(qtbot, desk)
    panel.toggle_cards()
    panel.toggle_cards()
    desk.end_call()
    panel.end(desk.checklists.last_saved)
    assert panel.height() == panel.natural_height()
    layout = panel.layout()
    used = sum(layout.itemAt(i).widget().height() for i in range(layout.count())
               if layout.itemAt(i).widget() and layout.itemAt(i).widget().isVisible())
    assert panel.height() - used <= layout.contentsMargins().top() + layout.contentsMargins().bottom() \
        + layout.spacing() * 3  # nothing but margins and spacing between what shows: no gaps
    assert not panel.cards_page.isVisible() and not panel.items_page.isVisible()


def test_outcome_step_saves_outcome_and_text_and_asks_for_the_huddle(qtbot, desk, clock):
    panel = panel_for(qtbot, desk)
    raised = []
    panel.obstacle_requested.connect(raised.append)
    desk.checklists.tick("greet")
    clock.advance(42)
    desk.end_call()
    panel.end(desk.checklists.last_saved)
    assert panel.current_page() is panel.outcome_page and panel.isVisible()
    assert panel.outcome_summary.text() == "1 of 8 ticked · 0:42"
    panel.outcome_buttons["negative"].click()
    panel.outcome_buttons["positive"].click()  # one outcome at a time: radio buttons
    assert panel.chosen_outcome() == "positive" and not panel.outcome_buttons["negative"].isChecked()
    assert all(isinstance(b, QRadioButton) for b in panel.outcome_buttons.values())
    panel.obstacle_edit.setText("CRM froze <i>again</i>")
    panel.raise_box.setChecked(True)
    panel.save_button.click()
    assert not panel.isVisible() and raised == ["CRM froze <i>again</i>"]
    with desk.db.reading() as s:
        row = s.one("SELECT * FROM checklist_runs")
        assert (row.outcome, row.obstacle_text, row.ticked_count) == ("positive", "CRM froze <i>again</i>", 1)


def test_a_refused_text_is_shown_when_the_agent_saves(qtbot, desk):
    panel = panel_for(qtbot, desk)
    desk.end_call()
    panel.end(desk.checklists.last_saved)
    panel.obstacle_edit.setText("bell\x07")
    panel.save_button.click()
    assert "control characters" in panel.outcome_error.text() and panel.isVisible()


def test_a_new_call_saves_what_the_outcome_step_has(qtbot, desk):
    panel = panel_for(qtbot, desk, "A")
    desk.end_call()
    panel.end(desk.checklists.last_saved)
    panel.outcome_buttons["neutral"].click()
    panel.obstacle_edit.setText("bell\x07")  # refused text: left out, the rest is saved, no blocking
    desk.start_call("B")
    panel.start(desk.checklists.active, "B")
    assert panel.current_page() is panel.items_page and panel.title.text().endswith("call B")
    with desk.db.reading() as s:
        row = s.one("SELECT * FROM checklist_runs")
        assert (row.outcome, row.obstacle_text) == ("neutral", None)


# -- through the controller ---------------------------------------------------------------------------
def test_call_start_and_end_from_the_tray_open_and_turn_the_panel(controller, desk, clock, qtbot):
    controller.menu.action("Start a call").trigger()
    panel = controller.windows["checklist_panel"]
    assert panel.isVisible() and panel.run is desk.checklists.active
    panel.tick_number(2)
    clock.advance(10)
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("End call").trigger()
    assert panel.isVisible() and panel.current_page() is panel.outcome_page
    assert desk.checklists.last_saved.ticked == 1


def test_socket_call_start_opens_the_panel_and_a_repeat_keeps_the_ticks(controller, desk):
    controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"call.start","ref":"9"}'))
    panel = controller.windows["checklist_panel"]
    panel.tick_number(1)
    controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"call.start","ref":"9"}'))
    assert panel.boxes[0].isChecked() and desk.checklists.active.ticked.keys() == {"greet"}


def test_what_got_in_the_way_can_be_raised_at_the_huddle(controller, desk):
    """The outcome step's checkbox opens Voice of the Customer with the text; the agent picks the category and
    logs it, and only then is it an obstacle (with the card-number check and the name question as usual)."""
    desk.set_agent_name("alice")
    controller.start_call(None)
    panel = controller.windows["checklist_panel"]
    controller.end_call(False)
    panel.obstacle_edit.setText("No refund rights without a transfer")
    panel.raise_box.setChecked(True)
    panel.save_button.click()
    voice = controller.windows["voice"]
    assert voice.isVisible() and voice.text.toPlainText() == "No refund rights without a transfer"
    with desk.db.reading() as s:
        assert s.scalar("SELECT count(*) FROM obstacles") == 0  # nothing logged until the agent says so
    voice.category.setCurrentIndex(voice.category.findData("tools"))
    assert voice.log()
    with desk.db.reading() as s:
        rows = s.all("SELECT * FROM obstacles")
    assert [(r.text, r.category, r.mine) for r in rows] == [("No refund rights without a transfer", "tools", True)]


def test_a_card_number_raised_from_a_call_is_refused_in_the_form(controller, desk):
    desk.set_agent_name("alice")
    voice = controller.raise_obstacle("Customer read out 4111 1111 1111 1111")
    assert not voice.log()
    assert "card" in voice.error.text().lower()
    with desk.db.reading() as s:
        assert s.scalar("SELECT count(*) FROM obstacles") == 0


def test_tray_has_checklists_and_my_day_week(controller):
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("Checklists…").trigger()
    assert controller.windows["checklists"].isVisible()
    controller.menu.action("My day / week").trigger()
    assert controller.windows["my_day"].view == "day"


def test_socket_show_week_answers_at_once_then_opens_my_week(controller, qtbot):
    ok, text, _ = controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"show","view":"week"}'))
    assert ok and text == "Opening My week."
    assert "my_day" not in controller.windows  # the answer does not wait for the chart library
    qtbot.waitUntil(lambda: "my_day" in controller.windows, timeout=5000)
    window = controller.windows["my_day"]
    assert window.view == "week" and window.windowTitle() == "Agent Companion — My week"
    with pytest.raises(Exception, match="unknown view"):
        ipc.parse_request(b'{"v":1,"cmd":"show","view":"year"}')


def test_quitting_mid_call_keeps_the_ticks_so_far(controller, desk, clock):
    controller.start_call("Q")
    controller.windows["checklist_panel"].tick_number(1)
    clock.advance(12)
    controller.shutdown()
    with desk.db.reading() as s:
        row = s.one("SELECT * FROM checklist_runs")
        assert (row.ticked_count, row.handle_seconds) == (1, 12.0)


def test_the_outcome_step_saves_by_itself_and_goes_away(qtbot, desk, monkeypatch):
    monkeypatch.setattr("ui.windows.checklist_panel.OUTCOME_SECONDS", 0)
    panel = panel_for(qtbot, desk)
    desk.end_call()
    panel.end(desk.checklists.last_saved)
    panel.outcome_buttons["positive"].click()  # restarts the (zero-length) timer
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=2000)
    with desk.db.reading() as s:
        assert s.one("SELECT * FROM checklist_runs").outcome == "positive"


@pytest.mark.parametrize("corner", ["top_right", "top_left", "bottom_right", "bottom_left"])
def test_the_panel_opens_in_the_corner_chosen_in_settings(controller, desk, corner):
    from PySide6.QtGui import QGuiApplication

    desk.save_settings(desk.settings().with_changes(panel_corner=corner))
    controller.start_call("4711")
    panel = controller.windows["checklist_panel"]
    area = QGuiApplication.primaryScreen().availableGeometry()
    frame = panel.geometry()
    assert area.contains(frame)
    near_left = frame.left() - area.left() < area.right() - frame.right()
    near_top = frame.top() - area.top() < area.bottom() - frame.bottom()
    assert (("left" if near_left else "right"), ("top" if near_top else "bottom")) == tuple(reversed(corner.split("_")))


def test_the_panel_corner_is_a_setting(qtbot, desk):
    from companion.errors import InvalidInput
    from companion.autostart import XdgAutostart
    from ui.windows.settings import SettingsWindow

    window = SettingsWindow(desk, XdgAutostart(desk.db.path.parent / "config"), lambda: ["companion"])
    qtbot.addWidget(window)
    window.panel_corner.setCurrentIndex(window.panel_corner.findData("bottom_left"))
    assert window.collect().panel_corner == "bottom_left"
    with pytest.raises(InvalidInput, match="corner"):
        desk.settings().with_changes(panel_corner="middle")


# -- moving, hiding and bringing back; the reset offer inside the outcome step ---------------------------
def drag(qtbot, panel, by):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtCore import QEvent

    start = panel.title.mapToGlobal(QPoint(5, 5))
    for kind, where, buttons in ((QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseMove, start + by, Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseButtonRelease, start + by, Qt.MouseButton.NoButton)):
        local = panel.title.mapFromGlobal(where)
        event = QMouseEvent(kind, QPointF(local), QPointF(where), Qt.MouseButton.LeftButton, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(panel.title, event)


def test_the_panel_can_be_dragged_and_reopens_where_it_was_dropped(controller, desk, qtbot):
    controller.start_call("A")
    panel = controller.windows["checklist_panel"]
    before = panel.pos()
    drag(qtbot, panel, QPoint(-300, 120))
    assert panel.pos() == before + QPoint(-300, 120)
    assert desk.store.get_state("checklist_panel.position") == {"x": panel.x(), "y": panel.y(),
                                                               "corner": "top_right"}
    assert not desk.checklists.active.ticked  # dragging by the header ticks nothing
    controller.end_call(False)
    panel.skip_button.click()
    controller.start_call("B")  # the next call: where the agent put it
    assert panel.pos() == before + QPoint(-300, 120)
    controller.end_call(False)
    panel.skip_button.click()
    desk.save_settings(desk.settings().with_changes(panel_corner="bottom_left"))  # a new corner wins
    controller.start_call("C")
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert panel.x() <= area.left() + 40 and panel.geometry().bottom() >= area.bottom() - 40


def test_a_drop_off_the_screen_is_pulled_back_inside(controller, desk):
    controller.start_call("A")
    panel = controller.windows["checklist_panel"]
    drag(None, panel, QPoint(5000, 5000))
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.contains(panel.geometry())


def test_after_esc_the_tray_and_the_socket_bring_the_panel_back_for_the_same_call(controller, desk, qtbot):
    controller.start_call("A")
    panel = controller.windows["checklist_panel"]
    panel.tick_number(1)
    panel.take_keyboard()
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.isVisible() and not panel._ticker.isActive()  # nothing ticks while hidden
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("Show the checklist").trigger()
    assert panel.isVisible() and panel.boxes[0].isChecked() and panel._ticker.isActive()
    assert not panel.windowHandle().flags() & Qt.WindowType.WindowDoesNotAcceptFocus  # asked for: keyboard
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Show the checklist") is None  # showing: nothing to bring back
    panel.hide()
    ok, text, _ = controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"panel.show"}'))
    assert ok and text == "The checklist panel is showing." and panel.isVisible()
    assert panel.run is desk.checklists.active and desk.checklists.active.ticked.keys() == {"greet"}


def test_panel_show_without_a_call_is_refused_clearly(controller, desk):
    from companion.errors import InvalidInput

    with pytest.raises(InvalidInput, match="No call is in progress"):
        controller.handle_request(ipc.parse_request(b'{"v":1,"cmd":"panel.show"}'))
    answer = ipc.respond(b'{"v":1,"cmd":"panel.show"}', controller.handle_request)
    assert b'"ok": false' in answer.replace(b'"ok":false', b'"ok": false') and b"No call is in progress" in answer


def test_the_reset_offer_after_a_tough_call_is_part_of_the_outcome_step(controller, desk, clock, qtbot):
    controller.start_call("T")
    panel = controller.windows["checklist_panel"]
    clock.advance(30)
    controller.end_call(True)
    assert controller.toasts.visible == []  # not a second card in another corner
    assert panel.current_page() is panel.outcome_page and panel.offer_box.isVisible()
    assert panel.offer_text.text() == "Take a 60-second reset? That was a tough one. A minute of breathing helps."
    assert panel.height() == panel.natural_height()
    panel.outcome_buttons["negative"].click()
    panel.offer_start.click()
    window = controller.windows["reset"]
    assert window.isVisible() and window.session.trigger == "after_call" and not panel.isVisible()
    with desk.db.reading() as s:
        assert s.one("SELECT outcome FROM checklist_runs").outcome == "negative"  # saved as it stood
        assert s.scalar("SELECT call_id FROM resets") is None  # still running
    assert desk.reset_offer() is None


def test_not_now_in_the_panel_answers_the_offer_and_saving_keeps_it_takeable(controller, desk, clock):
    controller.start_call("T1")
    panel = controller.windows["checklist_panel"]
    controller.end_call(True)
    panel.offer_later.click()
    assert not panel.offer_box.isVisible() and desk.reset_offer() is None and panel.isVisible()
    assert panel.height() == panel.natural_height()
    panel.save_button.click()
    controller.start_call("T2")
    controller.end_call(True)
    assert panel.offer_box.isVisible()
    panel.save_button.click()  # the outcome step ends; the offer is not answered: the tray keeps it
    assert not panel.isVisible() and desk.reset_offer() is not None
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Take the offered reset") is not None


def test_a_reset_started_elsewhere_takes_the_offer_out_of_the_panel(controller, desk, clock):
    controller.start_call("T")
    panel = controller.windows["checklist_panel"]
    controller.end_call(True)
    assert panel.offer_box.isVisible()
    controller.open_reset(3, None, "tray")  # e.g. from the tray: the offer is answered
    assert not panel.offer_box.isVisible() and panel.offer is None
    assert panel.height() == panel.natural_height()


def test_an_offer_without_a_checklist_run_is_a_toast(controller, desk, clock):
    desk.start_call()  # not through the controller: no panel for this call
    clock.advance(30)
    desk.end_call(tough=True)
    assert [t.kind for t in controller.toasts.visible] == ["reset_offer"]


def test_the_outcome_step_and_its_offer_work_from_the_keyboard(controller, desk, qtbot):
    controller.start_call("K")
    panel = controller.windows["checklist_panel"]
    controller.end_call(True)
    panel.take_keyboard()
    qtbot.waitUntil(lambda: panel.obstacle_edit.hasFocus())
    chain, widget = [], panel.obstacle_edit
    for _ in range(12):  # Tab goes through every control of the step, the offer's buttons too
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisibleTo(panel):
            widget = widget.nextInFocusChain()
        chain.append(widget)
    for control in (panel.outcome_buttons["positive"], panel.raise_box, panel.save_button, panel.skip_button,
                    panel.offer_start, panel.offer_later):
        assert control in chain, control.accessibleName()
    panel.offer_start.setFocus()
    qtbot.waitUntil(panel.offer_start.hasFocus)
    qtbot.keyClick(panel.offer_start, Qt.Key.Key_Return)
    assert controller.windows["reset"].session.trigger == "after_call"


def test_the_panel_can_be_dragged_by_its_background_too(controller, desk, qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    controller.start_call("A")
    panel = controller.windows["checklist_panel"]
    before = panel.pos()
    start = panel.mapToGlobal(QPoint(3, 3))  # the margin: the panel itself, no child
    assert panel.childAt(QPoint(3, 3)) is None
    for kind, where, buttons in ((QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseMove, start + QPoint(-100, 50), Qt.MouseButton.LeftButton),
                                 (QEvent.Type.MouseButtonRelease, start + QPoint(-100, 50), Qt.MouseButton.NoButton)):
        event = QMouseEvent(kind, QPointF(panel.mapFromGlobal(where)), QPointF(where), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(panel, event)
    assert panel.pos() == before + QPoint(-100, 50)
    assert desk.store.get_state("checklist_panel.position")["x"] == panel.x()
