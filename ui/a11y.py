"""Accessibility helpers every window uses: names that say what a control is, and announcements.

A screen reader (Orca, NVDA, Narrator, VoiceOver) reads a control by its accessible name and role. A label
next to a field names it only when it is the field's buddy (QFormLayout rows with a text label do this);
anything else gets its name here. A status change that matters ("Kudos sent", "Logged", an error) is
*announced* (ui.widgets.announce: Qt 6.8+ sends a QAccessibleAnnouncementEvent, AT-SPI ``Announcement``,
UIA notification); every feedback line (ui.widgets.feedback) announces itself.

tests/e2e/test_accessibility.py walks every window over AT-SPI and fails on an unnamed control.
"""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from ui.widgets.announce import announce  # one way to announce (Qt 6.8+ announcement event), shared

__all__ = ["MIN_TARGET", "announce", "fit_height", "label_for", "name", "unnamed_controls"]

MIN_TARGET = 24  # px at 1x: WCAG 2.2 SC 2.5.8 (target size, minimum)


def name(widget: QWidget, text: str, description: str | None = None) -> QWidget:
    """Give ``widget`` the accessible name ``text`` (what it is, as a person would say it)."""
    widget.setAccessibleName(text)
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def label_for(label: QLabel, widget: QWidget) -> QWidget:
    """Make ``label`` the visible name of ``widget``: its buddy (Alt+mnemonic focuses it), and its
    accessible name, so the two never disagree."""
    label.setBuddy(widget)
    widget.setAccessibleName(label.text().replace("&", "").rstrip(":"))
    return widget


def fit_height(widget: QWidget) -> None:
    """Grow ``widget``'s window to the height its content needs now (a message that appeared, wrapped over
    several lines): an error grows the dialog instead of squeezing its fields. Never shrinks it."""
    window = widget.window()
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    screen = window.screen()
    if screen is not None:
        need = min(need, screen.availableGeometry().height())
    if need > window.height():
        window.resize(width, need)


def unnamed_controls(window: QWidget) -> list[QWidget]:
    """Interactive widgets of ``window`` that a screen reader would read without a name (no accessible name,
    no text of their own, no buddy label): the in-process twin of the AT-SPI walk, for pytest-qt tests."""
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
        QScrollBar,
        QTextEdit,
    )

    buddies = {id(lbl.buddy()) for lbl in window.findChildren(QLabel) if lbl.buddy() is not None}
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or isinstance(widget, QHeaderView) \
                or widget.objectName() == "qt_tableview_cornerbutton":
            continue  # a table's headers and corner button are read as part of the table
        if isinstance(widget, QAbstractButton):
            if not (widget.accessibleName() or widget.text().strip()):
                found.append(widget)
        elif isinstance(widget, QScrollBar):
            continue  # named by Qt ("Horizontal"/"Vertical")
        elif isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox,
                                 QAbstractSlider, QAbstractItemView)):
            if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
                continue  # the combo's popup list / the spin box's editor: named through their owner
            if not widget.accessibleName() and id(widget) not in buddies:
                found.append(widget)
    return found
