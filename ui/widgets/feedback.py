"""The feedback line: success, warning, error or info, each with its own colour, icon AND word.

    self.feedback = Feedback()
    self.feedback.error("Not saved: the disk is full.")   # red, a crossed circle, "Error"
    self.feedback.success("Saved.")                        # green, a ticked circle, "Done"
    self.feedback.clear()                                  # hidden, takes no space

``text()`` is the message without the word (what tests and callers compare); ``kind()`` says which state;
``shown`` is emitted with (kind, message) each time a message is shown (screen-reader announcements hook here).
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ui import theme
from ui.widgets.text import plain_label

KINDS = ("success", "warning", "error", "info")


class Feedback(QFrame):
    shown = Signal(str, str)  # kind, message

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import Qt

        self.setProperty("role", "feedback")
        self.setProperty("kind", "info")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(theme.space(2), theme.space(1) + 2, theme.space(3), theme.space(1) + 2)
        layout.setSpacing(theme.space(2))
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.icon_label)
        self.word_label = plain_label("")
        self.word_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.word_label.setFont(theme.font("strong"))
        layout.addWidget(self.word_label)
        self.message_label = plain_label("", wrap=True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label, 1)
        self._kind = ""
        self.hide()

    # -- API ---------------------------------------------------------------------------------------
    def show_message(self, kind: str, text: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown feedback kind {kind!r}")
        if not text:
            self.clear()
            return
        sem = theme.semantic(kind)
        self._kind = kind
        self.setProperty("kind", kind)
        theme.set_icon(self.icon_label, sem.icon, sem.color)
        self.word_label.setText(sem.word)
        self.message_label.setText(text)
        self.setAccessibleName(f"{sem.word}: {text}")
        style = self.style()
        style.unpolish(self)
        style.polish(self)
        for child in (self.icon_label, self.word_label, self.message_label):
            style.unpolish(child)
            style.polish(child)
        self.show()
        from ui import a11y  # the screen reader says it too: "Error: …" at once, the others politely

        a11y.announce(self, f"{sem.word}: {text}", assertive=kind == "error")
        a11y.fit_height(self)  # the message grows the window; it never squeezes the fields above it
        self.shown.emit(kind, text)

    def success(self, text: str) -> None:
        self.show_message("success", text)

    def warning(self, text: str) -> None:
        self.show_message("warning", text)

    def error(self, text: str) -> None:
        self.show_message("error", text)

    def info(self, text: str) -> None:
        self.show_message("info", text)

    def clear(self) -> None:
        self._kind = ""
        self.message_label.setText("")
        self.word_label.setText("")
        self.setAccessibleName("")
        self.hide()

    def text(self) -> str:
        return self.message_label.text()

    def kind(self) -> str:
        return self._kind

    def word(self) -> str:
        return self.word_label.text()
