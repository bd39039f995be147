"""Send kudos: built for under three seconds by keyboard alone.

It opens on *To*: two letters find a teammate (by name or display name); Enter takes a single match at once,
↓ and Enter pick one of several (several matches never read as "not on your roster": the list opens, or
stays open), and focus moves on to the categories. A digit 1-5 picks the H.E.A.R.T. category (five visible
chips, radio buttons; Alt+1..5 from anywhere) and moves on to the message. Enter sends; Shift+Enter is a new
line. A refusal is shown in the feedback line, which grows the dialog rather than squeezing it.

Fairness, gently: for teams of 5+ (a setting, on by default) one quiet line names the teammates nobody has
thanked yet this month, by name; a click fills *To*.

Nothing on this path waits: no timer, no animation, no network (tests/ui/test_kudos_flow.py measures it).
"""
from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.errors import CompanionError
from companion.kudos.categories import CATEGORIES
from companion.kudos.rules import MAX_MESSAGE
from companion.team.identity import NameNeeded
from companion.team.roster import Mate
from ui import a11y, theme
from ui.icons import app_icon
from ui.widgets.category_chips import CategoryChips, FlowLayout
from ui.widgets.feedback import Feedback
from ui.widgets.keys import close_on_escape
from ui.widgets.text import plain_label
from ui.windows.name import AskNameDialog

_LABEL = re.compile(r".*\(([a-z][a-z0-9_.-]{1,62})\)\s*")
QUIET_SHOWN = 5  # names the fairness line shows before "and N more"


class RecipientField(QLineEdit):
    """*To*: completes teammates; Enter takes the one match (or the highlighted one) and emits ``picked``."""

    picked = Signal(str)      # the roster name
    ambiguous = Signal(int)   # several teammates match: the list is open
    unknown = Signal(str)     # nobody matches what was typed

    def __init__(self, mates: list[Mate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mates = mates
        self._by_label = {m.label: m for m in mates}
        self.model = QStringListModel([m.label for m in mates], self)  # kept: the completer does not own it
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setMaxVisibleItems(8)
        self.setCompleter(self.completer_)
        # While the list is open it has the keyboard; QCompleter hands each key to this field first, so
        # keyPressEvent below sees Enter there too (no event filter: filters on widgets that die with us crash)

    def matches(self) -> list[Mate]:
        """The teammates what was typed can mean: an exact label, name or display name first; else every
        teammate whose "Display Name (name)" contains it."""
        text = self.text().strip()
        if not text:
            return []
        label = _LABEL.fullmatch(text)
        lowered = text.lower()
        exact = [m for m in self.mates if (label and m.name == label.group(1)) or m.name == lowered
                 or m.display_name.lower() == lowered]
        if len(exact) == 1:
            return exact
        return [m for m in self.mates if lowered in m.label.lower()]

    def take(self, mate: Mate) -> None:
        self.completer_.popup().hide()
        self.setText(mate.label)
        self.picked.emit(mate.name)

    def open_list(self) -> None:
        self.completer_.setCompletionPrefix(self.text().strip())
        self.completer_.complete()

    def commit(self) -> None:
        """Enter: the highlighted match, else the only match; several: the list (opened or kept open)."""
        popup = self.completer_.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            mate = self._by_label.get(popup.currentIndex().data())
            if mate is not None:
                self.take(mate)
                return
        found = self.matches()
        if len(found) == 1:
            self.take(found[0])
        elif found:
            if not popup.isVisible():
                self.open_list()
            self.ambiguous.emit(len(found))
        else:
            self.unknown.emit(self.text().strip())

    def _move(self, step: int) -> None:
        popup = self.completer_.popup()
        if not popup.isVisible():
            if not self.text().strip():
                return
            self.open_list()
        model = popup.model()
        rows = model.rowCount()
        if rows:
            row = popup.currentIndex().row()
            row = 0 if row < 0 else max(0, min(rows - 1, row + step))
            popup.setCurrentIndex(model.index(row, 0))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
            self.commit()
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and not mods:
            self._move(1 if key == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)



class MessageEdit(QPlainTextEdit):
    """A few lines of plain text: Enter sends (``submitted``), Shift+Enter is a new line, Tab moves on."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        lines = self.fontMetrics().lineSpacing()
        self.setMinimumHeight(lines * 3 + theme.space(3))
        self.setMaximumHeight(lines * 5 + theme.space(3))

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")  # a real line break (Qt's own Shift+Enter inserts U+2028)
                return
            if not mods or mods == Qt.KeyboardModifier.ControlModifier:
                self.submitted.emit()
                return
        super().keyPressEvent(event)


class QuietLine(QWidget):
    """ "Not thanked yet this month: Dana Scully, Sam Okafor" — names as links, by name; a click picks one."""

    picked = Signal(object)  # the Mate

    def __init__(self, mates: list[Mate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mates = mates
        self.flow = FlowLayout(self, spacing=theme.space(1))
        self.intro = plain_label("Not thanked yet this month:")
        theme.set_role(self.intro, "muted")
        self.flow.addWidget(self.intro)
        self.links: list[QPushButton] = []
        for index, mate in enumerate(mates):
            link = QPushButton(mate.display_name)
            theme.set_role(link, "link")
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            a11y.name(link, f"Thank {mate.display_name}", "Not thanked yet this month: fills in To")
            link.clicked.connect(lambda _=False, m=mate: self.picked.emit(m))
            link.setVisible(index < QUIET_SHOWN)
            self.flow.addWidget(link)
            self.links.append(link)
        self.more: QPushButton | None = None
        if len(mates) > QUIET_SHOWN:
            self.more = QPushButton(f"and {len(mates) - QUIET_SHOWN} more")
            theme.set_role(self.more, "link")
            a11y.name(self.more, f"Show {len(mates) - QUIET_SHOWN} more teammates not thanked yet this month")
            self.more.clicked.connect(self.show_all)
            self.flow.addWidget(self.more)

    def show_all(self) -> None:
        for link in self.links:
            link.show()
        if self.more is not None:
            self.more.hide()
            self.links[QUIET_SHOWN].setFocus()
        a11y.fit_height(self)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self.flow.heightForWidth(width)

    def sizeHint(self):  # noqa: N802
        """One line at the width it has (the layout's own hint would wrap at its narrowest width)."""
        hint = super().sizeHint()
        hint.setHeight(self.heightForWidth(self.width() if self.width() > hint.width() else 10_000))
        return hint


class KudosDialog(QWidget):
    sent = Signal(object)  # the KudosView

    def __init__(self, desk: Desk, call_ref: str | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.name_dialog: AskNameDialog | None = None
        self.setWindowTitle(theme.window_title("Send kudos"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        me = desk.settings().agent_name
        self.mates = [m for m in desk.roster.mates() if m.name != me]

        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.space(5), theme.space(4), theme.space(5), theme.space(4))
        layout.setSpacing(theme.space(3))
        heading = plain_label("Thank a teammate", wrap=True)
        theme.set_role(heading, "title")
        layout.addWidget(heading)
        self.keys_hint = plain_label("Two letters and Enter · a digit 1–5 · your message · Enter to send", wrap=True)
        theme.set_role(self.keys_hint, "caption")
        layout.addWidget(self.keys_hint)
        if not self.mates:
            self.empty_roster = plain_label("Your team roster is empty: add teammates in Settings → Team "
                                            "(or join your team hub).", wrap=True)
            theme.set_role(self.empty_roster, "muted")
            layout.addWidget(self.empty_roster)

        form = QFormLayout()
        form.setSpacing(theme.space(2))
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.to = RecipientField(self.mates)
        self.completer = self.to.completer_
        self.to.setPlaceholderText("Type two letters of a teammate's name")
        form.addRow("To", self.to)
        a11y.name(self.to, "To: teammate", "Type two letters of a teammate's name, then Enter; "
                                           "several matches: Down and Enter")
        self.quiet: QuietLine | None = None
        quiet = desk.kudos.quiet_teammates() if self.mates else []
        if quiet:
            self.quiet = QuietLine(quiet)
            self.quiet.picked.connect(self.to.take)
            form.addRow("", self.quiet)

        self.chips = CategoryChips()
        form.addRow("For", self.chips)
        self.category_help = plain_label("Press 1–5, or click what they did.", wrap=True)
        theme.set_role(self.category_help, "muted")
        form.addRow("", self.category_help)

        self.message = MessageEdit()
        self.message.setPlaceholderText("Say what they did (plain text)")
        a11y.name(self.message, "Message", f"What they did, up to {MAX_MESSAGE} characters; Enter sends, "
                                           "Shift+Enter starts a new line")
        form.addRow("Message", self.message)
        below = QHBoxLayout()
        self.newline_hint = plain_label("Shift+Enter for a new line")
        theme.set_role(self.newline_hint, "caption")
        below.addWidget(self.newline_hint)
        below.addStretch(1)
        self.counter = plain_label(f"0/{MAX_MESSAGE}")
        theme.set_role(self.counter, "muted")
        a11y.name(self.counter, "Characters used")
        below.addWidget(self.counter)
        form.addRow("", below)
        self.ref = QLineEdit(call_ref or "")
        self.ref.setPlaceholderText("optional")
        self.ref.setMaxLength(64)
        form.addRow("Call reference", self.ref)
        a11y.name(self.ref, "Call reference (optional)")
        layout.addLayout(form)

        self.error = Feedback()
        layout.addWidget(self.error)
        layout.addStretch(1)  # room the window has beyond its content goes here, not between the fields
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        theme.set_role(self.send_button, "primary")
        theme.set_icon(self.send_button, "kudos", "on_accent")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

        self.to.picked.connect(self._recipient_picked)
        self.to.ambiguous.connect(self._ambiguous)
        self.to.unknown.connect(self._unknown)
        self.chips.chosen.connect(self._category_chosen)
        self.chips.changed.connect(self._category_changed)
        self.message.textChanged.connect(self._count)
        self.message.submitted.connect(self.send)
        self.ref.returnPressed.connect(self.send)
        self.shortcuts = []
        for number in range(1, len(CATEGORIES) + 1):
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.chips.buttons[CATEGORIES[n - 1].key].setChecked(True))
            self.shortcuts.append(shortcut)
        self.setMinimumWidth(round(theme.font("body").pointSizeF() * 62))
        self.to.setFocus()

    # -- keyboard flow ----------------------------------------------------------------------------
    def _recipient_picked(self, name: str) -> None:
        if self.error.kind() in ("info", "error"):
            self.error.clear()
        if self.chips.key() is None:
            self.chips.focus_chip()
        else:
            self.message.setFocus()

    def _ambiguous(self, count: int) -> None:
        self.error.info(f"{count} teammates match “{self.to.text().strip()}”: pick one with ↓ and Enter, "
                        "or type more letters.")

    def _unknown(self, text: str) -> None:
        if text:
            self.error.error(f"Nobody on your team roster matches “{text}”. Check the spelling, or add them in "
                             "Settings → Team.")
        else:
            self.error.info("Type two letters of a teammate's name.")

    def _category_chosen(self, key: str) -> None:
        self.message.setFocus()

    def _category_changed(self, key: str) -> None:
        cat = self.chips.category()
        self.category_help.setText(cat.description if cat else "Press 1–5, or click what they did.")

    def _count(self) -> None:
        length = len(self.message.text().strip())
        self.counter.setText(f"{length}/{MAX_MESSAGE}")
        theme.set_role(self.counter, "counter-over" if length > MAX_MESSAGE else "muted")
        self.counter.setAccessibleName(f"Characters used: {length} of {MAX_MESSAGE}")

    def prefill(self, to: str | None, category: str | None = None) -> None:
        """Say thanks: the teammate (and the category) filled in, focus in the message."""
        mate = next((m for m in self.mates if m.name == to), None)
        if mate is not None:
            self.to.setText(mate.label)
            self.to.completer_.popup().hide()
        if category:
            self.chips.set_key(category)
        if mate is not None and category:
            self.message.setFocus()
        elif mate is not None:
            self.chips.focus_chip()

    def recipient(self) -> str:
        """The roster name behind what was typed ("Dana Scully (dana)", "dana", a unique display name or a
        unique part of one), else the text as typed (the service says what is wrong with it)."""
        found = self.to.matches()
        return found[0].name if len(found) == 1 else self.to.text().strip()

    # -- sending ----------------------------------------------------------------------------------
    def send(self) -> bool:
        found = self.to.matches()
        if len(found) > 1:  # several teammates: never "not on your roster"; the list opens
            self.to.setFocus()
            self.to.open_list()
            self._ambiguous(len(found))
            return False
        try:
            view = self.desk.kudos.send(self.recipient(), self.chips.key() or "", self.message.text(),
                                        self.ref.text().strip() or None)
        except NameNeeded:
            self.name_dialog = AskNameDialog(self.desk, self.send, self)
            self.name_dialog.open()
            return False
        except CompanionError as exc:
            if not self.to.text().strip():
                self.error.error("Who is it for? Type two letters of a teammate's name in To.")
            else:
                self.error.error(str(exc))
            if len(found) != 1:
                self.to.setFocus()
            elif self.chips.key() is None:
                self.chips.focus_chip()
            else:
                self.message.setFocus()
            return False
        self.error.clear()
        mate = self.desk.roster.find(view.recipient)
        a11y.announce(self, f"Kudos sent to {mate.display_name if mate else view.recipient}.")
        self.sent.emit(view)
        self.close()
        return True
