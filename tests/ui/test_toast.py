from PySide6.QtCore import Qt

from companion.notify.centre import Action, Shown
from ui.widgets.toast import Toast, ToastManager


def test_toast_never_takes_focus_and_shows_plain_text(qtbot):
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
