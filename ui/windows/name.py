"""A small dialog that asks the agent's name on the team (once: the first kudos or obstacle). A name it cannot
take gets its reason in the feedback line (the dialog grows to show it, never squeezes the field) and, when one
can be made from what was typed, a valid name to use with one press: "Dana Smith" -> "Use dana.smith"."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from companion.desk import Desk
from companion.errors import CompanionError
from companion.names import suggest_name
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label


class AskNameDialog(QDialog):
    def __init__(self, desk: Desk, on_saved: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.on_saved = on_saved
        self.setWindowTitle(theme.window_title("Your name on the team"))
        # ~50 characters a line: the explanation and an error read in a few lines instead of a narrow column
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Your teammates see this name on your kudos and obstacles. Use your "
                                     "team login name: lowercase letters, digits, '_', '.' or '-' "
                                     "(for example alex.kim).", wrap=True))
        self.name = QLineEdit()
        self.name.setMaxLength(63)
        self.name.setPlaceholderText("alex.kim")
        layout.addWidget(self.name)
        a11y.name(self.name, "Your name on the team", "Lowercase letters, digits, '_', '.' or '-', "
                  "for example alex.kim")
        self.error = Feedback()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.suggestion = None
        self.use_suggestion = QPushButton("")
        self.use_suggestion.setVisible(False)
        theme.set_icon(self.use_suggestion, "name")
        self.use_suggestion.clicked.connect(self.take_suggestion)
        row.addWidget(self.use_suggestion)
        row.addStretch(1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.setFocus()

    def save(self) -> bool:
        typed = self.name.text()
        try:
            self.desk.set_agent_name(typed)
        except CompanionError as exc:
            suggestion = suggest_name(typed)
            self.suggestion = suggestion if suggestion and suggestion != typed else None
            text = str(exc)
            if self.suggestion:
                text += f" From what you typed: {self.suggestion}"
            self.error.error(text)
            self.use_suggestion.setText(f"Use {self.suggestion}" if self.suggestion else "")
            self.use_suggestion.setAccessibleName(f"Use the name {self.suggestion}" if self.suggestion else "")
            self.use_suggestion.setVisible(self.suggestion is not None)
            a11y.fit_height(self)  # the message and the suggestion grow the dialog
            return False
        self.accept()
        self.on_saved()
        return True

    def take_suggestion(self) -> None:
        """Put the suggested name in the field (the agent still saves it: it is their name)."""
        if self.suggestion:
            self.name.setText(self.suggestion)
            self.error.info(f"“{self.suggestion}” can be used. Save to keep it, or change it first.")
            self.use_suggestion.setVisible(False)
            self.name.setFocus()
