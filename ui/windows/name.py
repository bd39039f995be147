"""A small dialog that asks the agent's name on the team (once: the first kudos or obstacle)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from companion.desk import Desk
from companion.errors import CompanionError
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label


class AskNameDialog(QDialog):
    def __init__(self, desk: Desk, on_saved: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.on_saved = on_saved
        self.setWindowTitle(theme.window_title("Your name on the team"))
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
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.setFocus()

    def save(self) -> bool:
        try:
            self.desk.set_agent_name(self.name.text())
        except CompanionError as exc:
            self.error.error(str(exc))
            return False
        self.accept()
        self.on_saved()
        return True
