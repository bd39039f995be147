from PySide6.QtCore import Qt

from companion.notify.centre import Action, Shown
from ui.widgets.toast import Toast, ToastManager


def test_toast_never_takes_focus_by_itself_and_shows_plain_text(qtbot):
    toast = Toast("<i>Title</i>", "<a href='x'>click</a> &amp;")
    qtbot.addWidget(toast)
    flags = toast.windowFlags()
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus and flags & Qt.WindowType.WindowStaysOnTopHint
    assert toast.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert toast.body_label.textFormat() == Qt.TextFormat.PlainText
    assert toast.body_label.text() == "<a href='x'>click</a> &amp;"
    assert toast.title_label.textFormat() == Qt.TextFormat.PlainText


def test_actionable_prompt_reports_the_choice(qtbot):
    chosen = []
    manager = ToastManager(on_action=lambda nid, key: chosen.append((nid, key)))
    manager.present(Shown("n1", "reset_offer", "Take a 60-second reset?", "body",
                          (Action("start", "Start"), Action("dismiss", "Not now")), {}))
    (toast,) = manager.visible
    assert list(toast.buttons) == ["start", "dismiss"]
    assert toast.buttons["start"].focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(toast.buttons["start"], Qt.MouseButton.LeftButton)
    assert chosen == [("n1", "start")]
    qtbot.waitUntil(lambda: manager.visible == [])


def test_toasts_stack_and_expire(qtbot, monkeypatch):
    monkeypatch.setattr("ui.widgets.toast.PLAIN_SECONDS", 0)
    manager = ToastManager()
    manager.notify("one", "1")
    manager.notify("two", "2")
    first, second = manager.visible
    assert second.y() < first.y()  # stacked upwards from the corner
    qtbot.waitUntil(lambda: manager.visible == [], timeout=2000)


def test_reset_offer_start_opens_a_reset(controller, desk, clock):
    desk.start_call()
    clock.advance(9 * 60)
    desk.end_call()
    toast = controller.toasts.visible[-1]
    toast.buttons["start"].click()
    window = controller.windows["reset"]
    assert window.isVisible() and window.session.trigger == "after_call" and window.session.planned_seconds == 60


def test_starting_a_reset_dismisses_the_offer(controller, desk, clock):
    desk.start_call()
    clock.advance(30)
    desk.end_call(tough=True)
    assert [t.kind for t in controller.toasts.visible] == ["reset_offer"]
    controller.open_reset(1, None, "cli")
    assert controller.toasts.visible == []


def test_a_new_call_dismisses_the_last_calls_offer(controller, desk, clock):
    desk.start_call()
    clock.advance(30)
    desk.end_call(tough=True)
    assert [t.kind for t in controller.toasts.visible] == ["reset_offer"]
    controller.start_call("next")
    assert controller.toasts.visible == []


def test_an_offer_card_tucks_away_but_the_offer_lives_on_in_the_tray(controller, desk, clock, qtbot, monkeypatch):
    """README: the offer lapses after 10 minutes. The card may go after ACTION_SECONDS; the tray still has
    "Take the offered reset" until the ten minutes are up, and taking it starts the after-call reset."""
    from ui.widgets import toast as toast_module

    assert toast_module.ACTION_SECONDS <= 10 * 60
    monkeypatch.setattr(toast_module, "ACTION_SECONDS", 0)
    desk.start_call()
    clock.advance(9 * 60)
    desk.end_call()
    (card,) = controller.toasts.visible
    assert "Take the offered reset" in card.footnote.text()
    qtbot.waitUntil(lambda: controller.toasts.visible == [], timeout=3000)  # tucked away
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Take the offered reset") is not None
    clock.advance(9 * 60)  # still within the ten minutes
    controller.menu.menu.aboutToShow.emit()
    controller.menu.action("Take the offered reset").trigger()
    window = controller.windows["reset"]
    assert window.session.trigger == "after_call" and window.session.planned_seconds == 60
    window.close()
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Take the offered reset") is None  # taken: gone


def test_the_tray_entry_goes_when_the_offer_lapses(controller, desk, clock):
    desk.start_call()
    clock.advance(30)
    desk.end_call(tough=True)
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Take the offered reset") is not None
    clock.advance(10 * 60 + 1)
    controller.menu.menu.aboutToShow.emit()
    assert controller.menu.action("Take the offered reset") is None


def test_the_card_takes_the_keyboard_once_clicked_into(qtbot):
    chosen = []
    manager = ToastManager(on_action=lambda nid, key: chosen.append((nid, key)))
    manager.present(Shown("n1", "reset_offer", "Take a 60-second reset?", "body",
                          (Action("start", "Start a 60-second reset"), Action("dismiss", "Not now")), {}))
    (card,) = manager.visible
    assert not card.has_keyboard and card.buttons["start"].focusPolicy() == Qt.FocusPolicy.NoFocus
    assert card.buttons["start"].accessibleName() == "Start a 60-second reset" and card.accessibleName()
    qtbot.mouseClick(card.body_label, Qt.MouseButton.LeftButton)  # a click anywhere on the card
    assert card.has_keyboard and card.buttons["start"].focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert not card.windowHandle().flags() & Qt.WindowType.WindowDoesNotAcceptFocus
    qtbot.waitUntil(lambda: card.buttons["start"].hasFocus())
    qtbot.keyClick(card, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: card.buttons["dismiss"].hasFocus())
    qtbot.keyClick(card.buttons["dismiss"], Qt.Key.Key_Return)
    assert chosen == [("n1", "dismiss")]


def test_escape_tucks_the_card_away_without_answering(qtbot):
    chosen = []
    manager = ToastManager(on_action=lambda nid, key: chosen.append((nid, key)))
    manager.present(Shown("n1", "reset_offer", "Take a 60-second reset?", "body",
                          (Action("start", "Start"), Action("dismiss", "Not now")), {}))
    (card,) = manager.visible
    card.take_keyboard()
    qtbot.keyClick(card, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: manager.visible == [])
    assert chosen == []
