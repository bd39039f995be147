"""The optional, private mood tap: one question, five radio buttons (1-5), never synced, never inferred.

A step of its own in the reset window (before and after the breathing). One tap or the keys 1-5 answer it;
the answer is acknowledged in place ("Noted privately: 4 Good.") and announced to screen readers. The window
around it gives the one way out of the step (Skip before, Close after).
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QRadioButton, QVBoxLayout, QWidget

from ui import theme
from ui.widgets.announce import announce
from ui.widgets.text import plain_label

MOODS = ((1, "Drained"), (2, "Tense"), (3, "Okay"), (4, "Good"), (5, "Great"))
PRIVATE = "Private: it stays on this computer. Press 1 to 5, or tap."


class MoodChoice(QRadioButton):
    """One of the five choices, drawn as a tile: the key large, the word under it, both centred. Still a radio
    button underneath (one choice of five, read as such by screen readers; arrows move, Space chooses)."""

    def __init__(self, value: int, word: str) -> None:
        super().__init__(f"{value}\n{word}")
        self.value, self.word = value, word
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setFont(theme.font("body"))

    def _fonts(self) -> tuple[QFont, QFont]:
        return theme.font("title"), theme.font("body")

    def sizeHint(self) -> QSize:
        big, small = self._fonts()
        width = max(QFontMetrics(big).horizontalAdvance(str(self.value)),
                    QFontMetrics(small).horizontalAdvance(self.word))
        height = QFontMetrics(big).height() + QFontMetrics(small).height()
        return QSize(width + 2 * theme.space(4), height + 2 * theme.space(3))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def hitButton(self, pos: QPoint) -> bool:  # the whole tile, not only a round indicator
        return self.rect().contains(pos)

    def paintEvent(self, event: object) -> None:
        edge = 2 if theme.is_high_contrast() else 1
        checked, enabled = self.isChecked(), self.isEnabled()
        background = "accent" if checked else "surface_hover" if self.underMouse() and enabled else "surface"
        border = "focus" if self.hasFocus() else "accent" if checked else "border_strong" if enabled else "border"
        width = edge + 1 if self.hasFocus() else edge
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.qcolor(border), width))
        painter.setBrush(theme.qcolor(background))
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                theme.radius("large"), theme.radius("large"))
        painter.setPen(theme.qcolor("on_accent" if checked else "text" if enabled else "text_disabled"))
        big, small = self._fonts()
        top = QRectF(self.rect()).adjusted(0, theme.space(3), 0, -theme.space(3))
        number_height = QFontMetrics(big).height()
        painter.setFont(big)
        painter.drawText(QRectF(top.left(), top.top(), top.width(), number_height),
                         int(Qt.AlignmentFlag.AlignCenter), str(self.value))
        painter.setFont(small)
        painter.drawText(QRectF(top.left(), top.top() + number_height, top.width(), top.height() - number_height),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), self.word)
        painter.end()


class MoodTap(QWidget):
    chosen = Signal(object)  # int 1..5

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moodTap")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.space(4))
        self.question = plain_label(question, wrap=True)
        self.question.setFont(theme.font("title"))
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.question)
        self.detail = plain_label(PRIVATE, wrap=True)
        self.detail.setFont(theme.font("caption"))
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.detail, "muted")
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        row.setSpacing(theme.space(2))
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[int, QRadioButton] = {}
        for value, word in MOODS:
            button = MoodChoice(value, word)  # a tile: the key above the word
            button.setAccessibleName(f"Mood {value} of 5: {word}")
            button.setToolTip("Private: stays on this computer")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            # clicked, not toggled: moving the focus with the arrow keys must not answer for the agent
            button.clicked.connect(lambda _=False, v=value: self.choose(v))
            self.group.addButton(button, value)
            row.addWidget(button)
            self.buttons[value] = button
        widest = max(button.sizeHint().width() for button in self.buttons.values())
        for button in self.buttons.values():  # five tiles of one width
            button.setMinimumWidth(widest)
        row.insertStretch(0, 1)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = plain_label("", wrap=True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setAccessibleName("Mood answer")
        layout.addWidget(self.status)
        self.setAccessibleName(question)
        self.value: int | None = None

    @property
    def answered(self) -> bool:
        return not self.buttons[1].isEnabled()

    def choose(self, value: int) -> None:
        """Answer (a tap, or the key): acknowledged in place and announced, then reported."""
        if self.answered:
            return
        self.value = value
        self.buttons[value].setChecked(True)
        self.close_tap(f"Noted privately: {value} {dict(MOODS)[value]}.")
        self.chosen.emit(value)

    def close_tap(self, text: str) -> None:
        """No more answers: say why (or what was noted) where the answer would be."""
        self.status.setText(text)
        for button in self.buttons.values():
            button.setEnabled(False)
        announce(self.status, text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_5:
            self.choose(event.key() - Qt.Key.Key_0)
            return
        super().keyPressEvent(event)
