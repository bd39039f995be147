"""Cut text, found by widget geometry: every visible QLabel's and button's text must fit the space its widget
gives it (font metrics against the contents rectangle, word-wrap aware), at any scale factor.

``python -m tests.ui.clipping`` opens every window of the app in one offscreen process (QT_SCALE_FACTOR and
COMPANION_THEME as the caller set them), lays them out at their natural size and prints, as JSON, each
window's clipped texts. tests/ui/test_clipping.py runs it at 1x and 2x (a scale factor is fixed when the
QApplication starts, so each scale needs its own process).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

TOLERANCE = 2  # px: rounding between the font metrics and the layout, and the glyphs' side bearings


def _text_area(widget):
    """The rectangle a label or button draws its text in, and the room the text needs there."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QRadioButton, QStyle, QStyleOptionButton

    fm = widget.fontMetrics()
    text = widget.text()
    if isinstance(widget, QLabel):
        area = widget.contentsRect()
        margin = widget.margin()
        area = area.adjusted(margin, margin, -margin, -margin)
        flags = int(widget.alignment().value) | (int(Qt.TextFlag.TextWordWrap.value) if widget.wordWrap() else 0)
        need = fm.boundingRect(QRect(0, 0, max(1, area.width()), 100_000), flags, text)
        return area, need.width(), need.height()
    if not isinstance(widget, QPushButton | QCheckBox | QRadioButton):  # a tool button: its size hint is the need
        hint = widget.sizeHint()
        return widget.rect(), hint.width(), hint.height()
    option = QStyleOptionButton()
    widget.initStyleOption(option)
    element = {QCheckBox: QStyle.SubElement.SE_CheckBoxContents,
               QRadioButton: QStyle.SubElement.SE_RadioButtonContents}.get(type(widget))
    if element is None and isinstance(widget, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    if element is None and isinstance(widget, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    size = fm.size(int(Qt.TextFlag.TextShowMnemonic.value), text)  # mnemonics and line breaks as drawn
    if element is None:  # a push button: its contents rect (the style sheet's padding is outside it)
        element = QStyle.SubElement.SE_PushButtonContents
    area = widget.style().subElementRect(element, option, widget)
    width = size.width()
    if element == QStyle.SubElement.SE_PushButtonContents and not widget.icon().isNull():
        width += widget.iconSize().width() + 4  # the icon and Qt's gap before the text
    return area, width, size.height()


def clipped_texts(window) -> list[str]:
    """The visible labels and buttons of ``window`` whose text does not fit, as readable lines."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLabel,
        QLineEdit,
    )

    found = []
    for header in window.findChildren(QHeaderView):  # a column title wider than its column
        if header.window() is not window or not header.isVisibleTo(window) or header.model() is None:
            continue
        for section in range(header.count()):
            title = header.model().headerData(section, header.orientation())
            if header.isSectionHidden(section) or not isinstance(title, str) or not title:
                continue
            need = header.sectionSizeHint(section)  # the title in the header's own (style-sheet) font
            if need > header.sectionSize(section) + TOLERANCE:
                found.append(f"column title {title!r}: needs {need} px, has {header.sectionSize(section)}")
    for field in window.findChildren(QLineEdit) + window.findChildren(QComboBox) \
            + window.findChildren(QAbstractSpinBox):
        if field.window() is not window or not field.isVisibleTo(window) \
                or isinstance(field.parent(), (QComboBox, QAbstractSpinBox)):
            continue
        need = field.minimumSizeHint().height()
        if field.height() + TOLERANCE < need:
            found.append(f"{type(field).__name__} {field.accessibleName()!r}: squeezed to {field.height()} px "
                         f"high, needs {need}")
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        if widget.window() is not window or not widget.isVisibleTo(window) or not widget.text().strip():
            continue  # a dialog of this window is checked as its own window
        if widget.objectName().startswith("qt_") or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and widget.textFormat().name == "RichText":
            continue  # rich text lays out by its own document
        area, width, height = _text_area(widget)
        if width > area.width() + TOLERANCE or height > area.height() + TOLERANCE:
            found.append(f"{type(widget).__name__} {widget.text()!r}: needs {width}x{height}, "
                         f"has {area.width()}x{area.height()}")
    return found


def open_every_window(controller) -> dict[str, object]:
    """Every window of the app (outside the tray menu), as an agent would open them, keyed by a short name."""
    from ui.windows.name import AskNameDialog

    desk = controller.desk
    windows: dict[str, object] = {}
    windows["tray quick panel"] = controller.tray.open_panel()
    if controller.tray.standin is not None:
        windows["tray stand-in window"] = controller.tray.standin
    windows["send kudos"] = controller.open_kudos()
    windows["name prompt"] = AskNameDialog(desk, lambda: None, windows["send kudos"])
    windows["name prompt"].show()
    windows["team feed"] = controller.open_feed()
    windows["voice of the customer"] = controller.open_voice()
    windows["group deep breath"] = controller.open_breath()
    windows["checklists editor"] = controller.open_checklists()
    windows["settings"] = controller.open_settings()
    day = controller.open_my_day()
    windows["my day"] = day
    day.confirm_delete()
    windows["delete my data"] = day.delete_dialog
    controller.start_call("CLIP-1")
    windows["in-call checklist panel"] = controller.windows["checklist_panel"]
    return windows


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from companion.autostart import XdgAutostart
    from companion.db.engine import open_database
    from companion.desk import Desk
    from companion.notify.base import NotifierChain
    from tests.fakes import FakeClock, RecordingNotifier
    from ui import theme
    from ui.controller import Controller

    app = QApplication(sys.argv[:1])
    theme.apply(app)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "companion.sqlite")
        desk = Desk(db, FakeClock(), NotifierChain([RecordingNotifier()]))
        desk.set_agent_name("alex")
        desk.roster.add_local("dana", "Dana Scully")
        controller = Controller(use_tray=False, autostart=XdgAutostart(Path(tmp) / "config"),
                                launch_command=lambda: ["companion"])
        controller.attach(desk)
        report: dict[str, list[str]] = {}

        def check(name: str, window) -> None:
            window.show()
            app.processEvents()
            report[name] = clipped_texts(window)

        windows = open_every_window(controller)
        for name, window in windows.items():
            check(name, window)
        kudos = windows["send kudos"]  # an error grows the dialog, it does not squeeze the fields
        kudos.to.setText("nobody")
        kudos.message.setText("Thanks for the handover notes")
        kudos.send()
        check("send kudos, with an error", kudos)
        day = windows["my day"]
        day.show_view("week")
        check("my week", day)
        controller.end_call(True)
        check("in-call panel, outcome step", controller.windows["checklist_panel"])
        for window in list(controller.windows.values()):
            window.close()
        reset = controller.open_reset(1, None, "cli")
        check("reset", reset)
        controller.shutdown()
        db.close()
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
