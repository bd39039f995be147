"""One obstacle on the huddle board as a card: the text (wrapped; a long one collapsed with "Show all"), who
logged it (a display name, "you" or "Anonymous"), the +1 count and the +1 button always at the card's right
edge, and how a lead acted on it. A lead's card has "Mark acted on", which opens a reply field in the card.

The card takes keyboard focus (Tab; ↑/↓ move between cards), "+" gives the +1, Enter or Space shows all of a
long text. Its accessible name reads as one sentence: "Tools and systems: CRM times out, by Dana Scully,
3 plus-ones". Every text a person typed is plain text, tooltips included.
"""
from __future__ import annotations

import re
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from companion.obstacles.service import CATEGORY_NAMES, MAX_REPLY
from ui import a11y, theme
from ui.widgets.text import plain_label, plain_tooltip

COLLAPSE_AT = 240  # characters: a longer text shows its start and "Show all"
_LONG_WORD = re.compile(r"\S{28,}")


def breakable(text: str) -> str:
    """``text`` with a zero-width break opportunity every 24 characters of a very long word (a pasted link, a
    ticket id run): a label wraps it inside the card instead of pushing the +1 out of view."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(m.group(0)[i:i + 24] for i in range(0, len(m.group(0)), 24)),
                          text)


def collapsed(text: str, limit: int = COLLAPSE_AT) -> str:
    """The start of a long text, cut at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + " …"


_column_width: dict[tuple, int] = {}


def vote_column_width() -> int:
    """The +1 column's width: the wider of the "+1" and "Given" buttons as the stylesheet draws them."""
    from PySide6.QtGui import QGuiApplication

    key = (theme.current(), QGuiApplication.font().pointSizeF())
    if key not in _column_width:
        widths = []
        for text, icon in (("+1", "plus-one"), ("Given", "success")):
            probe = QPushButton(text)
            probe.setProperty("role", "vote")
            probe.setIcon(theme.icon(icon))
            widths.append(probe.sizeHint().width())
            probe.deleteLater()
        _column_width[key] = max(widths)
    return _column_width[key]


def plus_ones(count: int) -> str:
    return f"{count} plus-one" if count == 1 else f"{count} plus-ones"


class ObstacleCard(QFrame):
    """``voted`` is emitted with the obstacle's id (+1), ``acted`` with (id, reply) (a lead's "Mark acted on")."""

    voted = Signal(str)
    acted = Signal(str, str)

    def __init__(self, item, who: Callable[[str | None, bool], str], lead: bool, expanded: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.author = who(item.author, item.mine)
        self.acted_by = who(item.acted_by, False) if item.acted_by else None
        self.long = len(item.text) > COLLAPSE_AT
        self.expanded = expanded and self.long
        self.setProperty("role", "obstacle-card")
        self.setProperty("acted", item.status != "open")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        row = QHBoxLayout(self)
        row.setContentsMargins(theme.space(4), theme.space(3), theme.space(3), theme.space(3))
        row.setSpacing(theme.space(3))
        body = QVBoxLayout()
        body.setSpacing(theme.space(1))
        self.text_label = plain_label("", wrap=True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setToolTip(plain_tooltip(item.text))  # the whole text, exactly as typed
        self.text_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        body.addWidget(self.text_label)
        self.expand_button: QPushButton | None = None
        if self.long:
            self.expand_button = QPushButton()
            theme.set_role(self.expand_button, "quiet")
            self.expand_button.clicked.connect(lambda *_: self.toggle_expanded())
            line = QHBoxLayout()
            line.addWidget(self.expand_button)
            line.addStretch(1)
            body.addLayout(line)
        when = item.logged_at.astimezone().strftime("%a %d %b")
        self.meta = plain_label(f"by {self.author} · {when}", wrap=True)
        theme.set_role(self.meta, "muted")
        meta_row = QHBoxLayout()  # who and when, and a lead's "Mark acted on" on the same line
        meta_row.setSpacing(theme.space(2))
        meta_row.addWidget(self.meta, 1)
        body.addLayout(meta_row)
        self.status_label: QLabel | None = None
        if item.status != "open":
            status = QHBoxLayout()
            status.setSpacing(theme.space(1))
            icon = QLabel()
            theme.set_icon(icon, "acted-on", "success")
            icon.setAlignment(Qt.AlignmentFlag.AlignTop)
            status.addWidget(icon)
            by = f" by {self.acted_by}" if self.acted_by else ""
            self.status_label = plain_label(f"Acted on{by}: {item.reply or ''}".rstrip(": "), wrap=True)
            self.status_label.setProperty("kind", "success")
            status.addWidget(self.status_label, 1)
            body.addLayout(status)
        self.act_button: QPushButton | None = None
        self.reply: QLineEdit | None = None
        self.reply_row: QWidget | None = None
        if lead and item.status == "open":
            self.act_button = QPushButton("Mark acted on")
            theme.set_role(self.act_button, "quiet")
            theme.set_icon(self.act_button, "reply")
            a11y.name(self.act_button, f"Mark acted on: {item.text[:80]}")
            self.act_button.clicked.connect(lambda *_: self.open_reply())
            meta_row.addWidget(self.act_button)
            self.reply_row = QWidget()
            reply_line = QHBoxLayout(self.reply_row)
            reply_line.setContentsMargins(0, 0, 0, 0)
            reply_line.setSpacing(theme.space(2))
            self.reply = QLineEdit()
            self.reply.setMaxLength(MAX_REPLY)
            self.reply.setPlaceholderText("What was done (the author is told)")
            a11y.name(self.reply, f"What was done about: {item.text[:80]}", "The author is told")
            self.reply.returnPressed.connect(self.confirm)
            reply_line.addWidget(self.reply, 1)
            self.confirm_button = QPushButton("Save reply")
            theme.set_role(self.confirm_button, "primary")
            a11y.name(self.confirm_button, "Save the reply and mark acted on")
            self.confirm_button.clicked.connect(lambda *_: self.confirm())
            reply_line.addWidget(self.confirm_button)
            self.reply_row.hide()
            body.addWidget(self.reply_row)
        body.addStretch(1)  # packed at the top when the +1 column is the taller one
        row.addLayout(body, 1)

        votes = QVBoxLayout()  # the +1 column: always at the card's right edge, whatever the width
        votes.setSpacing(0)
        self.count_label = plain_label(str(item.votes))
        self.count_label.setProperty("role", "vote-count")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        votes.addWidget(self.count_label)
        caption = plain_label("+1s" if item.votes != 1 else "+1")
        theme.set_role(caption, "caption")
        caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        votes.addWidget(caption)
        self.vote_button: QPushButton | None = None
        if item.status == "open" and not item.mine:
            self.vote_button = QPushButton("Given" if item.voted else "+1")
            self.vote_button.setProperty("role", "vote")
            self.vote_button.setProperty("voted", item.voted)
            theme.set_icon(self.vote_button, "success" if item.voted else "plus-one",
                           "success" if item.voted else "text")
            self.vote_button.setEnabled(not item.voted)
            self.vote_button.setToolTip("You gave this a +1" if item.voted else "This holds me back too (+)")
            a11y.name(self.vote_button, f"{'+1 given' if item.voted else '+1'}: {item.text[:80]}")
            self.vote_button.clicked.connect(lambda *_: self.voted.emit(item.id))
            votes.addSpacing(theme.space(1))
            votes.addWidget(self.vote_button, 0, Qt.AlignmentFlag.AlignHCenter)
        votes.addStretch(1)
        column = QWidget()  # one width on every card: the counts line up, with or without a button
        column.setLayout(votes)
        votes.setContentsMargins(0, 0, 0, 0)
        column.setMinimumWidth(vote_column_width())
        row.addWidget(column)
        self._show_text()

    # -- text ---------------------------------------------------------------------------------------
    def _show_text(self) -> None:
        shown = self.item.text if (self.expanded or not self.long) else collapsed(self.item.text)
        self.text_label.setText(breakable(shown))
        if self.expand_button is not None:
            self.expand_button.setText("Show less" if self.expanded else "Show all")
            theme.set_icon(self.expand_button, "collapse" if self.expanded else "expand")
            a11y.name(self.expand_button, ("Show less of: " if self.expanded else "Show all of: ")
                      + self.item.text[:60])
        self.setAccessibleName(self.sentence())
        self.setAccessibleDescription("Press + to give a +1." if self.vote_button is not None else "")

    def toggle_expanded(self) -> None:
        if not self.long:
            return
        self.expanded = not self.expanded
        self._show_text()

    def sentence(self) -> str:
        """What a screen reader says for the card: category, the whole text, who, the +1s, what was done."""
        said = f"{CATEGORY_NAMES.get(self.item.category, self.item.category)}: {self.item.text}, by {self.author}, " \
               f"{plus_ones(self.item.votes)}"
        if self.item.voted:
            said += ", including yours"
        if self.item.status != "open":
            said += f", acted on: {self.item.reply}" if self.item.reply else ", acted on"
        return said

    # -- a lead's reply -----------------------------------------------------------------------------
    def open_reply(self, focus: bool = True) -> None:
        if self.reply_row is None:
            return
        self.act_button.hide()
        self.reply_row.show()
        if focus:
            self.reply.setFocus()

    def confirm(self) -> None:
        if self.reply is not None:
            self.acted.emit(self.item.id, self.reply.text())

    # -- keyboard -----------------------------------------------------------------------------------
    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        from PySide6.QtWidgets import QScrollArea

        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:  # a card reached by Tab or the arrows scrolls into view
            parent.ensureWidgetVisible(self, 0, theme.space(2))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Plus and self.vote_button is not None and self.vote_button.isEnabled():
            self.vote_button.click()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.long:
            self.toggle_expanded()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            cards = [c for c in self.parentWidget().window().findChildren(ObstacleCard) if c.isVisible()]
            cards.sort(key=lambda c: c.mapTo(c.window(), c.rect().topLeft()).y())
            index = cards.index(self) + (1 if key == Qt.Key.Key_Down else -1)
            if 0 <= index < len(cards):
                cards[index].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)
