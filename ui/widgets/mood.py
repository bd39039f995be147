"""The optional, private mood tap: five buttons and a skip. Never synced, never inferred."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.widgets.text import plain_label

MOODS = ((1, "Drained"), (2, "Tense"), (3, "Okay"), (4, "Good"), (5, "Great"))


class MoodTap(QWidget):
    chosen = Signal(object)  # int 1..5, or None when skipped

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.question = plain_label(question)
        layout.addWidget(self.question)
        row = QHBoxLayout()
        self.buttons: dict[int, QPushButton] = {}
        for value, word in MOODS:
            button = QPushButton(f"{value} {word}")
            button.setToolTip("Private: stays on this computer")
            button.clicked.connect(lambda _=False, v=value: self._choose(v))
            row.addWidget(button)
            self.buttons[value] = button
        self.skip = QPushButton("Skip")
        self.skip.clicked.connect(lambda: self._choose(None))
        row.addWidget(self.skip)
        layout.addLayout(row)

    def _choose(self, value: int | None) -> None:
        """Acknowledge in place (no layout jump) and report the choice."""
        word = dict(MOODS).get(value)
        self.close_tap("Noted privately: " + f"{value} {word}." if word else "Skipped.")
        self.chosen.emit(value)

    def close_tap(self, text: str) -> None:
        self.question.setText(text)
        for button in [*self.buttons.values(), self.skip]:
            button.setEnabled(False)
