"""A kudos as a card (who thanked whom, for what, the whole message, when; "New" on unread ones; "Say thanks" on
one I received), a Service Stars card, and the empty state that invites the first kudos.

Cards take keyboard focus (Tab, and the arrow keys move from card to card) and each has an accessible name
that reads as one sentence: "Dana Scully thanked you for Helping others, today at 09:12: Thanks for covering
my queue. New." Everything typed by a person is plain text.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from PySide6.QtCore import QDateTime, QLocale, Qt, QTimeZone, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui import a11y, theme
from ui.theme.kudos import CATEGORY_LOOK
from ui.widgets.category_chips import CategoryBadge
from ui.widgets.text import plain_label


def when_text(when: datetime, now: datetime, locale: QLocale | None = None) -> str:
    """One date format for every kudos: "Today 09:12", "Yesterday 17:40", else "Mon 30 Nov 09:12" (in the
    system locale's words and time format; the year only when it is not this year's)."""
    locale = locale or QLocale()
    local, today = when.astimezone(), now.astimezone().date()
    stamp = QDateTime.fromSecsSinceEpoch(int(local.timestamp()), QTimeZone.systemTimeZone())
    clock = locale.toString(stamp.time(), QLocale.FormatType.ShortFormat)
    if local.date() == today:
        return f"Today {clock}"
    if local.date() == today - timedelta(days=1):
        return f"Yesterday {clock}"
    pattern = "ddd d MMM" if local.year == today.year else "ddd d MMM yyyy"
    return f"{locale.toString(stamp.date(), pattern)} {clock}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text.startswith(("Today", "Yesterday")) else f"on {text}"


class KudosCard(QFrame):
    """One kudos. ``say_thanks`` is emitted with (sender, category key) from the card of a kudos I received."""

    say_thanks = Signal(str, str)

    def __init__(self, kudos, who: Callable[[str], str], me: str, now: datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kudos = kudos
        self.setProperty("role", "kudos-card")
        self.setProperty("fresh", bool(kudos.recipient == me and not kudos.read))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        sender, recipient = who(kudos.sender), who(kudos.recipient)
        when = when_text(kudos.sent_at, now)
        self.fresh = kudos.recipient == me and not kudos.read

        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.space(4), theme.space(3), theme.space(4), theme.space(3))
        layout.setSpacing(theme.space(2))
        top = QHBoxLayout()
        top.setSpacing(theme.space(2))
        self.headline = plain_label(_cap(f"{sender} thanked {recipient}"), wrap=True)
        self.headline.setFont(theme.font("strong"))
        top.addWidget(self.headline, 1)
        self.new_mark: QWidget | None = None
        if self.fresh:  # a word and an icon, not colour alone
            mark = QWidget()
            row = QHBoxLayout(mark)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(theme.space(1))
            icon = QLabel()
            theme.set_icon(icon, "kudos-new", "accent")
            row.addWidget(icon)
            word = plain_label("New")
            theme.set_role(word, "kudos-new")
            row.addWidget(word)
            self.new_mark = mark
            top.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        self.when = plain_label(when)
        theme.set_role(self.when, "caption")
        top.addWidget(self.when, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        badge_row = QHBoxLayout()
        self.badge = CategoryBadge(kudos.category)
        badge_row.addWidget(self.badge)
        if kudos.call_ref:
            ref = plain_label(f"Call {kudos.call_ref}")
            theme.set_role(ref, "caption")
            badge_row.addWidget(ref)
        badge_row.addStretch(1)
        layout.addLayout(badge_row)
        self.message = plain_label(kudos.message, wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.thanks_button: QPushButton | None = None
        if kudos.recipient == me and kudos.sender != me:
            self.thanks_button = QPushButton("Say thanks")
            theme.set_icon(self.thanks_button, "kudos-thanks")
            first = sender.split(" ")[0]
            a11y.name(self.thanks_button, f"Say thanks to {sender}",
                      f"Opens Send kudos to {first}, for {kudos.category.name}")
            self.thanks_button.clicked.connect(lambda: self.say_thanks.emit(kudos.sender, kudos.category.key))
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.thanks_button)
            layout.addLayout(row)

        message = kudos.message.rstrip()
        sentence = _cap(f"{sender} thanked {recipient} for {kudos.category.name}, {_lower_first(when)}: "
                    f"{message}{'' if message.endswith(('.', '!', '?')) else '.'}")
        if self.fresh:
            sentence += " New."
        self.setAccessibleName(sentence)
        if self.thanks_button is not None:
            self.setAccessibleDescription("Tab to Say thanks to answer it")

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """Up/Down move between cards, as in a list; Enter on a card I received is Say thanks."""
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.focusNextPrevChild(key == Qt.Key.Key_Down)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.thanks_button is not None:
            self.thanks_button.click()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        parent = self.parentWidget()
        if parent is None:
            return super().focusNextPrevChild(forward)
        cards = [c for c in parent.findChildren(KudosCard) if c.parentWidget() is parent and c.isVisible()]
        if self in cards:
            index = cards.index(self) + (1 if forward else -1)
            if 0 <= index < len(cards):
                cards[index].setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().focusNextPrevChild(forward)

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        from PySide6.QtWidgets import QScrollArea

        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(self, 0, theme.space(2))


class StarsCard(QFrame):
    """A category's Service Star(s) of the week: every name on a tie, no ranking."""

    def __init__(self, stars, who: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "stars-card")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        look = CATEGORY_LOOK[stars.category.key]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(theme.space(4), theme.space(3), theme.space(4), theme.space(3))
        layout.setSpacing(theme.space(3))
        icon = QLabel()
        side = round(theme.font("title").pointSizeF() * 2.2)
        icon.setPixmap(theme.icon(look.icon, look.color).pixmap(side, side))
        icon.setFixedSize(side, side)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(theme.space(1))
        self.category = plain_label(stars.category.name)
        theme.set_role(self.category, "caption")
        text.addWidget(self.category)
        names = [who(n) for n in stars.names]
        self.names = plain_label(_cap(_join(names)), wrap=True)
        self.names.setFont(theme.font("heading"))
        text.addWidget(self.names)
        kudos = "1 kudos" if stars.count == 1 else f"{stars.count} kudos"
        self.detail = plain_label(f"{kudos} for {stars.category.name.lower()} this week"
                                  + (" each" if len(names) > 1 else ""), wrap=True)
        theme.set_role(self.detail, "muted")
        text.addWidget(self.detail)
        layout.addLayout(text, 1)
        star = "Service Stars" if len(names) > 1 else "Service Star"
        self.setAccessibleName(f"{star} for {stars.category.name}: {_cap(_join(names))}, {kudos}"
                               + (" each." if len(names) > 1 else "."))


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class EmptyState(QFrame):
    """A quiet panel that says what is missing and offers the one thing to do about it."""

    def __init__(self, icon: str, title: str, text: str, action: str | None = None,
                 on_action: Callable[[], object] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "empty")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.space(5), theme.space(5), theme.space(5), theme.space(5))
        layout.setSpacing(theme.space(2))
        picture = QLabel()
        side = round(theme.font("display").pointSizeF() * 1.6)
        picture.setPixmap(theme.icon(icon, "accent").pixmap(side, side))
        picture.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(picture)
        self.title = plain_label(title, wrap=True)
        self.title.setFont(theme.font("heading"))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        self.text = plain_label(text, wrap=True)
        theme.set_role(self.text, "muted")
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        self.button: QPushButton | None = None
        if action and on_action is not None:
            self.button = QPushButton(action)
            theme.set_role(self.button, "primary")
            theme.set_icon(self.button, "kudos", "on_accent")
            self.button.clicked.connect(lambda: on_action())
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.button)
            row.addStretch(1)
            layout.addLayout(row)
        self.setAccessibleName(f"{title} {text}")
