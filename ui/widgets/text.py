"""Labels that never interpret rich text: every text a person or program typed goes through these."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    from PySide6.QtCore import Qt  # Qt's enum namespace costs ~25 ms on first use: not before the tray shows

    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    return label


def headline_label(parent: QWidget | None = None) -> QLabel:
    """A window's one-sentence summary: a wrapping plain label one step up the type scale (ui/theme)."""
    from ui import theme

    label = plain_label("", parent, wrap=True)
    label.setFont(theme.font("heading"))
    return label


def mmss(seconds: float) -> str:
    """A duration as minutes:seconds ("1:05"); negative counts as 0."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` exactly as typed. Qt guesses whether a tooltip is rich text, so someone
    else's text (an obstacle, say) could otherwise render markup and load local images: it is escaped and
    wrapped so Qt takes it as (harmless) rich text, line breaks kept."""
    from PySide6.QtGui import Qt as QtGui

    return QtGui.convertFromPlainText(text, QtGui.WhiteSpaceMode.WhiteSpaceNormal) if text else ""
