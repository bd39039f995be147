"""The quick panel (ui/widgets/quick_panel.py) with a large system font: it grows, no text is cut."""
from ui.tray import Tray, TrayMenu


def test_the_quick_panel_grows_with_a_large_system_font_without_cutting_text(qtbot, qapp):
    from PySide6.QtWidgets import QLabel

    from ui import theme

    status = lambda: {"state": "ready", "call_ref": None}  # noqa: E731
    original = qapp.font()
    large = qapp.font()
    large.setPointSizeF(original.pointSizeF() * 2)  # an agent who reads with a big system font
    qapp.setFont(large)
    old_base = theme._base_point_size
    theme._base_point_size = large.pointSizeF()
    try:
        theme.apply(qapp, theme.current())  # the type scale and spacing follow the new base size
        tray = Tray(TrayMenu(status), status, use_tray=True)
        panel = tray.open_panel()
        qtbot.addWidget(panel)
        qtbot.waitExposed(panel)
        for label in panel.findChildren(QLabel):
            if not (label.isVisible() and label.text()):
                continue
            if label.wordWrap():  # wrapped text needs the height its width calls for
                assert label.height() >= label.heightForWidth(label.width()), label.text()
            else:
                assert label.width() >= label.sizeHint().width(), label.text()
                assert label.height() >= label.sizeHint().height(), label.text()
        big = panel.actions.buttons["breathe"]
        assert big.height() >= 24 and big.title_label.font().pointSizeF() > large.pointSizeF()
        tray.hide()
    finally:
        qapp.setFont(original)
        theme._base_point_size = old_base
        theme.apply(qapp, theme.current())
