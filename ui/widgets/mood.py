"""The optional, private mood tap: one question, five radio buttons (1-5), never synced, never inferred.

A step of its own in the reset window (before and after the breathing). One tap or the keys 1-5 answer it;
the answer is acknowledged in place ("Noted privately: 4 Good.") and announced to screen readers. The window
around it gives the one way out of the step (Skip before, Close after).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QRadioButton, QVBoxLayout, QWidget

from ui import theme
from ui.widgets.announce import announce
from ui.widgets.text import plain_label

MOODS = ((1, "Drained"), (2, "Tense"), (3, "Okay"), (4, "Good"), (5, "Great"))
PRIVATE = "Private: it stays on this computer. Press 1 to 5, or tap."


def tile_style() -> str:
    """The five choices as tiles (radio buttons underneath: one choice, read as such by screen readers)."""
    c, s, r = theme.color, theme.space, theme.radius
    edge = 2 if theme.is_high_contrast() else 1
    return (f"QRadioButton#moodChoice {{ background: {c('surface')}; border: {edge}px solid {c('border_strong')};"
            f" border-radius: {r('large')}px; padding: {s(2)}px {s(3)}px; }}"
            f"QRadioButton#moodChoice:hover {{ background: {c('surface_hover')}; }}"
            f"QRadioButton#moodChoice:focus {{ border: {edge + 1}px solid {c('focus')}; }}"
            f"QRadioButton#moodChoice:checked {{ background: {c('accent')}; color: {c('on_accent')};"
            f" border-color: {c('accent')}; }}"
            f"QRadioButton#moodChoice:disabled:!checked {{ color: {c('text_disabled')}; }}"
            f"QRadioButton#moodChoice::indicator {{ width: 0px; height: 0px; }}")


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
        side = theme.space(7) + theme.space(6)
        for value, word in MOODS:
            button = QRadioButton(f"{value}\n{word}")  # a tile: the key above the word
            button.setObjectName("moodChoice")
            button.setFont(theme.font("heading"))
            button.setMinimumSize(side + theme.space(4), side)
            button.setAccessibleName(f"Mood {value} of 5: {word}")
            button.setToolTip("Private: stays on this computer")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            # clicked, not toggled: moving the focus with the arrow keys must not answer for the agent
            button.clicked.connect(lambda _=False, v=value: self.choose(v))
            self.group.addButton(button, value)
            row.addWidget(button)
            self.buttons[value] = button
        row.insertStretch(0, 1)
        row.addStretch(1)
        layout.addLayout(row)
        self.setStyleSheet(tile_style())
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
