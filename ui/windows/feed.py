"""The team feed: this week's kudos, the week's Service Stars per H.E.A.R.T. category (every name on a tie,
no ranking list), and my inbox with unread ones marked."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from companion.desk import Desk
from ui.icons import app_icon
from ui.theme import window_title
from ui.widgets.text import plain_label
from ui.windows.my_day import _table
from ui.widgets.keys import close_on_escape


class TeamFeedWindow(QWidget):
    def __init__(self, desk: Desk, on_change: Callable[[], None] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.on_change = on_change
        self.setWindowTitle(window_title("Team feed"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(640, 440)
        layout = QVBoxLayout(self)
        self.headline = plain_label("", wrap=True)
        layout.addWidget(self.headline)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.mark_read = QPushButton("Mark all as read")
        self.mark_read.clicked.connect(self.mark_all_read)
        layout.addWidget(self.mark_read)
        self.refresh()

    def _who(self, name: str) -> str:
        if name == self._me:
            return "you"
        return self._names.get(name, name)

    def refresh(self) -> None:
        kudos = self.desk.kudos
        self._me, self._names = self.desk.settings().agent_name, self.desk.roster.display_names()
        self.feed, self.stars, self.inbox = kudos.feed(), kudos.service_stars(), kudos.inbox()
        unread = sum(1 for k in self.inbox if not k.read)
        self.headline.setText(f"This week: {len(self.feed)} kudos across the team."
                              if self.feed else "No kudos yet this week. Be the first to thank someone.")
        current = self.tabs.currentIndex()
        self.tabs.clear()
        self.feed_table = _table(["When", "From", "To", "For", "Message"], [
            [k.sent_at.astimezone().strftime("%a %H:%M"), self._who(k.sender), self._who(k.recipient),
             k.category.name, k.message] for k in self.feed], stretch=4, name="Kudos this week")
        self.tabs.addTab(self.feed_table, f"This week ({len(self.feed)})")
        self.stars_table = _table(["Category", "Service Star(s)", "Kudos"], [
            [s.category.name, ", ".join(self._who(n) for n in s.names), str(s.count)] for s in self.stars],
            stretch=1, name="Service Stars this week")
        self.tabs.addTab(self.stars_table, "Service Stars")
        self.inbox_table = _table(["", "When", "From", "For", "Message", "Call"], [
            ["new" if not k.read else "", k.sent_at.astimezone().strftime("%a %d %b %H:%M"), self._who(k.sender),
             k.category.name, k.message, k.call_ref or ""] for k in self.inbox],
            stretch=4, name="My kudos inbox")
        self.tabs.addTab(self.inbox_table, f"My inbox ({unread} new)" if unread else "My inbox")
        self.tabs.setCurrentIndex(max(0, current))
        self.mark_read.setEnabled(unread > 0)

    def mark_all_read(self) -> None:
        self.desk.kudos.mark_read()
        self.refresh()
        if self.on_change is not None:
            self.on_change()
