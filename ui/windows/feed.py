"""The team feed: this week's kudos as cards (who thanked whom, for what, the whole message, when), the
week's Service Stars as a small celebration (every name on a tie, no ranking list), and my kudos with the new
ones marked and a one-click "Say thanks".

Data comes a page at a time (50 cards, "Show more"): the feed stays as quick with 100,000 kudos stored as
with ten (companion.kudos.service.KudosService.feed_page, keyset paging on the sent_at index).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.kudos.service import PAGE, Page
from ui import a11y, theme
from ui.icons import app_icon
from ui.widgets.keys import close_on_escape
from ui.widgets.kudos_card import EmptyState, KudosCard, StarsCard
from ui.widgets.text import plain_label


class CardList(QScrollArea):
    """Cards in a column, a page at a time; "Show more" fetches the next page after the last card."""

    def __init__(self, name: str, fetch: Callable[[object], Page], make_card: Callable[[object], QWidget],
                 empty: Callable[[], QWidget], load: bool = True) -> None:
        super().__init__()
        self.fetch, self.make_card, self.make_empty = fetch, make_card, empty
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        a11y.name(self, name)
        self.cards: list[QWidget] = []
        self.next = None
        self.empty: QWidget | None = None
        self.more: QPushButton | None = None
        self.loaded = False
        if load:
            self.reload()

    def reload(self) -> None:
        """Page one again. One body for the list's lifetime: old cards are removed and deleted later (a card's
        own button may be what asked for the reload), never a body swapped out from under its widgets."""
        self.loaded = True
        if self.widget() is None:
            body = QWidget()
            body.setProperty("role", "cards")
            self.column = QVBoxLayout(body)
            self.column.setContentsMargins(theme.space(1), theme.space(1), theme.space(3), theme.space(1))
            self.column.setSpacing(theme.space(3))
            self.more = QPushButton("Show more", body)
            theme.set_role(self.more, "quiet")
            self.more.clicked.connect(self.show_more)
            self.column.addWidget(self.more, 0, Qt.AlignmentFlag.AlignHCenter)
            self.column.addStretch(1)
            self.setWidget(body)
        for old in [*self.cards, *([self.empty] if self.empty is not None else [])]:
            self.column.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.cards, self.next, self.empty = [], None, None
        page = self.fetch(None)
        self._add(page)
        if not self.cards:
            self.empty = self.make_empty()
            self.column.insertWidget(0, self.empty)

    def _add(self, page: Page) -> QWidget | None:
        first = None
        for item in page.items:
            card = self.make_card(item)
            self.column.insertWidget(self.column.indexOf(self.more), card)
            self.cards.append(card)
            first = first or card
        self.next = page.next
        self.more.setVisible(page.next is not None)
        a11y.name(self.more, f"Show {PAGE} more kudos" if page.next is not None else "Show more")
        return first

    def show_more(self) -> None:
        if self.next is None:
            return
        first = self._add(self.fetch(self.next))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)  # the keyboard carries on where the new ones start


class TeamFeedWindow(QWidget):
    def __init__(self, desk: Desk, on_change: Callable[[], None] | None = None,
                 send_kudos: Callable[..., object] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.on_change = on_change
        self.send_kudos = send_kudos  # (to=None, category=None): opens Send kudos (the controller's)
        self.setWindowTitle(theme.window_title("Team feed"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(660, 620)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.space(5), theme.space(4), theme.space(5), theme.space(4))
        layout.setSpacing(theme.space(3))
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(theme.space(1))
        title = plain_label("Team feed")
        theme.set_role(title, "title")
        titles.addWidget(title)
        self.headline = plain_label("", wrap=True)
        theme.set_role(self.headline, "muted")
        titles.addWidget(self.headline)
        top.addLayout(titles, 1)
        self.send_button = QPushButton("Send kudos")
        theme.set_role(self.send_button, "primary")
        theme.set_icon(self.send_button, "kudos", "on_accent")
        self.send_button.clicked.connect(lambda: self._send())
        self.send_button.setVisible(send_kudos is not None)
        top.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        a11y.name(self.tabs, "Team feed views")
        layout.addWidget(self.tabs, 1)

        self._context()
        self.stars_views: list[QWidget] = []
        self.week_list = CardList("Kudos this week", lambda after: self.desk.kudos.feed_page(after),
                                  self._card, self._week_empty)
        self.tabs.addTab(self.week_list, "This week")
        self.stars_page = QScrollArea()
        self.stars_page.setWidgetResizable(True)
        self.stars_page.setFrameShape(QFrame.Shape.NoFrame)
        a11y.name(self.stars_page, "Service Stars this week")
        self.tabs.addTab(self.stars_page, "Service Stars")
        mine = QWidget()
        mine_layout = QVBoxLayout(mine)
        mine_layout.setContentsMargins(0, theme.space(2), 0, 0)
        bar = QHBoxLayout()
        self.inbox_status = plain_label("", wrap=True)
        theme.set_role(self.inbox_status, "muted")
        bar.addWidget(self.inbox_status, 1)
        self.mark_read = QPushButton("Mark all as read")
        self.mark_read.clicked.connect(self.mark_all_read)
        bar.addWidget(self.mark_read)
        mine_layout.addLayout(bar)
        self.inbox_list = CardList("My kudos", lambda after: self.desk.kudos.feed_page(after, mine=True),
                                   self._card, self._inbox_empty, load=False)  # loaded when first shown
        mine_layout.addWidget(self.inbox_list, 1)
        self.tabs.addTab(mine, "My kudos")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.refresh(reload=False)
        self.tabs.setFocus()  # the tab bar: arrows switch views, Tab goes on to the cards

    # -- content ----------------------------------------------------------------------------------
    def _who(self, name: str) -> str:
        if name == self._me:
            return "you"
        return self._names.get(name, name)

    def _card(self, kudos) -> QWidget:
        card = KudosCard(kudos, self._who, self._me, self._now)
        card.say_thanks.connect(lambda to, category, k=kudos: self.say_thanks(k, to, category))
        return card

    def _send(self, to: str | None = None, category: str | None = None) -> object:
        return self.send_kudos(to, category) if self.send_kudos is not None else None

    def _week_empty(self) -> QWidget:
        return EmptyState("kudos", "No kudos yet this week",
                          "Someone helped you today? Thank them: it takes three seconds, and the whole team "
                          "sees it here.", "Send kudos" if self.send_kudos else None, self._send)

    def _inbox_empty(self) -> QWidget:
        return EmptyState("kudos-thanks", "No kudos for you yet",
                          "They will show up here. Meanwhile, thanking someone is the surest way to start.",
                          "Send kudos" if self.send_kudos else None, self._send)

    def _stars_view(self) -> QWidget:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(theme.space(1), theme.space(3), theme.space(3), theme.space(1))
        column.setSpacing(theme.space(3))
        if not self.stars:
            column.addWidget(EmptyState("kudos-stars", "No Service Stars yet this week",
                                        "Stars appear as soon as someone is thanked: one per category, "
                                        "every name on a tie.", "Send kudos" if self.send_kudos else None,
                                        self._send))
        else:
            head = QHBoxLayout()
            party = QLabel()
            side = round(theme.font("heading").pointSizeF() * 2)
            party.setPixmap(theme.icon("kudos-stars", "accent").pixmap(side, side))
            head.addWidget(party)
            words = plain_label("This week's Service Stars", wrap=True)
            theme.set_role(words, "heading")
            head.addWidget(words, 1)
            column.addLayout(head)
            note = plain_label("Thanked most in each category this week; a tie lists everyone. "
                               "There is no leaderboard.", wrap=True)
            theme.set_role(note, "muted")
            column.addWidget(note)
            self.star_cards = [StarsCard(s, self._who) for s in self.stars]
            for card in self.star_cards:
                column.addWidget(card)
        column.addStretch(1)
        return body

    def _context(self) -> None:
        self._me, self._names = self.desk.settings().agent_name, self.desk.roster.display_names()
        self._now = self.desk.clock.now()

    def refresh(self, reload: bool = True) -> None:
        kudos = self.desk.kudos
        self._context()
        self.count, self.stars, unread = kudos.feed_count(), kudos.service_stars(), kudos.unread_count()
        if reload:
            self.week_list.reload()
            if self.inbox_list.loaded or self.tabs.currentIndex() == 2:
                self.inbox_list.reload()
        self.star_cards = []
        if self.stars_page.widget() is None:
            body = QWidget()
            self.stars_column = QVBoxLayout(body)
            self.stars_column.setContentsMargins(0, 0, 0, 0)
            self.stars_page.setWidget(body)
        for old in self.stars_views:
            self.stars_column.removeWidget(old)
            old.hide()
            old.deleteLater()
        self.stars_views = [self._stars_view()]
        self.stars_column.addWidget(self.stars_views[0])
        news = f" · {unread} new for you" if unread else ""
        self.headline.setText(f"This week: {self.count:,} kudos across the team{news}."
                              if self.count else f"No kudos yet this week{news}.")
        self.tabs.setTabText(0, f"This week ({self.count:,})")
        self.tabs.setTabText(2, f"My kudos ({unread} new)" if unread else "My kudos")
        self.inbox_status.setText(f"{unread} new: marked “New”." if unread else "All read.")
        self.mark_read.setEnabled(unread > 0)

    def _tab_shown(self, index: int) -> None:
        if index == 2 and not self.inbox_list.loaded:
            self.inbox_list.reload()

    def show_mine(self) -> None:
        """The "My kudos" view (loaded on first show)."""
        self.tabs.setCurrentIndex(2)

    # -- actions ----------------------------------------------------------------------------------
    def say_thanks(self, kudos, to: str, category: str) -> object:
        """Answer a kudos I received: Send kudos opens with the teammate and the category filled in, the
        focus in the message; the kudos answered counts as read."""
        if not kudos.read:
            self.desk.kudos.mark_read([kudos.id])
            self.refresh()
            if self.on_change is not None:
                self.on_change()
        return self._send(to, category)

    def mark_all_read(self) -> None:
        self.desk.kudos.mark_read()
        self.refresh()
        if self.on_change is not None:
            self.on_change()
