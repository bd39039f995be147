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
        layout.addWidget(plain_label(question))
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
        self.hide()
        self.chosen.emit(value)
