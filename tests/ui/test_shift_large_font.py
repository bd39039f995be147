"""The reset window, the in-call panel and the offer card with a large system font (twice the usual size):
they grow with it and no text is cut (checked by widget geometry, every step and page)."""
import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from ui import theme
from ui.widgets.toast import Toast


@pytest.fixture
def large_font(qapp):
    original = qapp.font()
    large = qapp.font()
    large.setPointSizeF(original.pointSizeF() * 2)  # an agent who reads with a big system font
    qapp.setFont(large)
    old_base = theme._base_point_size
    theme._base_point_size = large.pointSizeF()
    theme.apply(qapp, theme.current())
    yield large
    qapp.setFont(original)
    theme._base_point_size = old_base
    theme.apply(qapp, theme.current())


def nothing_cut(root: QWidget) -> list[str]:
    """Every visible text of ``root`` has the room it needs."""
    cut = []
    for label in root.findChildren(QLabel):
        if not (label.isVisibleTo(root) and label.isVisible() and label.text()):
            continue
        if label.wordWrap():
            if label.height() < label.heightForWidth(label.width()):
                cut.append(f"label {label.text()!r}: {label.size()} < height for width")
        elif label.width() < label.sizeHint().width() or label.height() < label.sizeHint().height():
            cut.append(f"label {label.text()!r}: {label.size()} < {label.sizeHint()}")
    for button in root.findChildren(QAbstractButton):
        if not (button.isVisible() and button.text()):
            continue
        lines = button.text().replace("&&", "&").split("\n")
        metrics = button.fontMetrics()
        if max(metrics.horizontalAdvance(line) for line in lines) > button.width() \
                or metrics.height() * len(lines) > button.height():
            cut.append(f"button {button.text()!r}: {button.size()}")
    return cut


def test_the_reset_window_grows_with_a_large_font(controller, desk, clock, qtbot, large_font):
    window = controller.open_reset(1, "box", "tray")
    window.resize(window.minimumSizeHint())  # the smallest it can be made: still nothing cut
    qtbot.waitExposed(window)
    assert nothing_cut(window.before_page) == []
    window.skip_button.click()
    window.vent_button.click()
    qtbot.wait(20)
    assert nothing_cut(window.breathing_page) == []
    assert window.phase_label.font().pointSizeF() > large_font.pointSizeF() * 2
    for _ in range(60):
        clock.advance(1)
        window.tick()
    qtbot.wait(20)
    assert window.pages.currentWidget() is window.after_page
    assert nothing_cut(window.after_page) == []


def test_the_panel_grows_with_a_large_font_on_every_page(controller, desk, clock, qtbot, large_font):
    controller.start_call("4711")
    panel = controller.windows["checklist_panel"]
    qtbot.waitExposed(panel)
    clock.advance(5)
    panel.refresh()
    qtbot.wait(20)
    assert nothing_cut(panel) == [] and panel.height() == panel.natural_height()
    panel.toggle_cards()
    for _ in range(len(panel.cards)):
        panel.step_card(1)
        qtbot.wait(10)
        assert nothing_cut(panel) == [], panel.card_title.text()
    panel.toggle_cards()
    controller.end_call(True)
    qtbot.wait(20)
    assert panel.offer_box.isVisible() and nothing_cut(panel) == []


def test_the_offer_card_grows_with_a_large_font(qtbot, large_font):
    card = Toast("Take a 60-second reset?", "That was a tough one. A minute of breathing helps.",
                 (("start", "Start a 60-second reset"), ("dismiss", "Not now")), footnote="Later: tray → Take the "
                 "offered reset (for 10 minutes).")
    qtbot.addWidget(card)
    card.show_in_corner()
    qtbot.waitExposed(card)
    assert nothing_cut(card) == []
