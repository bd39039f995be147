"""Send kudos: built for under three seconds. It opens on the recipient field; two letters find a teammate
(by name or display name), Enter takes the match; a digit 1-5 picks the H.E.A.R.T. category (Alt+1..5 from
anywhere); type the message; Enter sends."""
from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.errors import CompanionError
from companion.kudos.categories import CATEGORIES
from companion.kudos.rules import MAX_MESSAGE
from companion.team.identity import NameNeeded
from ui import a11y
from ui.icons import app_icon
from ui import theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label
from ui.windows.name import AskNameDialog
from ui.widgets.keys import close_on_escape

_LABEL = re.compile(r".*\(([a-z][a-z0-9_.-]{1,62})\)\s*")


class KudosDialog(QWidget):
    sent = Signal(object)  # the KudosView

    def __init__(self, desk: Desk, call_ref: str | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.name_dialog: AskNameDialog | None = None
        self.setWindowTitle(theme.window_title("Send kudos"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.mates = desk.roster.mates()
        me = desk.settings().agent_name
        self.mates = [m for m in self.mates if m.name != me]

        form = QFormLayout()
        self.to = QLineEdit()
        self.to.setPlaceholderText("Type two letters of a teammate's name")
        self.names = QStringListModel([m.label for m in self.mates], self)  # kept: the completer does not own it
        self.completer = QCompleter(self.names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.to.setCompleter(self.completer)
        form.addRow("To", self.to)
        a11y.name(self.to, "To: teammate", "Type two letters of a teammate's name, then Enter")
        self.category = QComboBox()
        for number, cat in enumerate(CATEGORIES, start=1):
            self.category.addItem(f"{number}  {cat.name}", cat.key)
        form.addRow("For", self.category)
        a11y.name(self.category, "For: kudos category", "Keys 1 to 5 pick a category")
        self.category_help = plain_label(CATEGORIES[0].description, wrap=True)
        theme.set_role(self.category_help, "muted")
        form.addRow("", self.category_help)
        self.message = QLineEdit()
        self.message.setPlaceholderText("Say what they did (plain text)")
        self.counter = plain_label(f"0/{MAX_MESSAGE}")
        theme.set_role(self.counter, "muted")
        row = QHBoxLayout()
        row.addWidget(self.message)
        row.addWidget(self.counter)
        form.addRow("Message", row)
        a11y.name(self.message, "Message", f"What they did, up to {MAX_MESSAGE} characters; Enter sends")
        a11y.name(self.counter, "Characters used")
        self.ref = QLineEdit(call_ref or "")
        self.ref.setPlaceholderText("optional")
        self.ref.setMaxLength(64)
        form.addRow("Call reference", self.ref)
        a11y.name(self.ref, "Call reference (optional)")

        layout = QVBoxLayout(self)
        if not self.mates:
            layout.addWidget(plain_label("Your team roster is empty: add teammates in Settings → Team "
                                         "(or join your team hub).", wrap=True))
        layout.addLayout(form)
        self.error = Feedback()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        theme.set_icon(self.send_button, "kudos", "on_accent")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

        self.category.currentIndexChanged.connect(self._category_changed)
        self.message.textChanged.connect(self._count)
        self.to.returnPressed.connect(self._to_entered)
        self.message.returnPressed.connect(self.send)
        self.ref.returnPressed.connect(self.send)
        self.shortcuts = []
        for number in range(1, len(CATEGORIES) + 1):
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.category.setCurrentIndex(n - 1))
            self.shortcuts.append(shortcut)
        self.to.setFocus()

    # -- keyboard flow ----------------------------------------------------------------------------
    def _to_entered(self) -> None:
        if self.completer.popup().isVisible():
            return
        if self.message.text().strip():
            self.send()
        else:
            self.category.setFocus()

    def _category_changed(self, index: int) -> None:
        self.category_help.setText(CATEGORIES[index].description)
        if self.category.hasFocus():  # picked with a digit: straight on to the message
            self.message.setFocus()

    def _count(self, text: str) -> None:
        length = len(text.strip())
        self.counter.setText(f"{length}/{MAX_MESSAGE}")
        theme.set_role(self.counter, "counter-over" if length > MAX_MESSAGE else "muted")

    def recipient(self) -> str:
        """The roster name behind what was typed: "Dana Scully (dana)", "dana", or a unique display name."""
        text = self.to.text().strip()
        match = _LABEL.fullmatch(text)
        if match:
            return match.group(1)
        lowered = text.lower()
        for mate in self.mates:
            if mate.name == lowered:
                return mate.name
        found = [m for m in self.mates if m.display_name.lower() == lowered]
        if not found and len(lowered) >= 2:
            found = [m for m in self.mates if lowered in m.label.lower()]
        return found[0].name if len(found) == 1 else text

    # -- sending ----------------------------------------------------------------------------------
    def send(self) -> bool:
        try:
            view = self.desk.kudos.send(self.recipient(), self.category.currentData(), self.message.text(),
                                        self.ref.text().strip() or None)
        except NameNeeded:
            self.name_dialog = AskNameDialog(self.desk, self.send, self)
            self.name_dialog.open()
            return False
        except CompanionError as exc:
            self.error.error(str(exc))
            return False
        self.error.clear()
        mate = self.desk.roster.find(view.recipient)
        a11y.announce(self, f"Kudos sent to {mate.display_name if mate else view.recipient}.")
        self.sent.emit(view)
        self.close()
        return True
