"""A lead's "Group deep breath": confirm, send, and see how the last one went (a count only, and only
when the team has at least 5 agents)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout, QWidget

from companion.desk import Desk
from companion.errors import CompanionError
from companion.team.breath import WINDOW
from ui.icons import app_icon
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label
from ui.widgets.keys import close_on_escape



class GroupBreathWindow(QWidget):
    REFRESH_MS = 5000  # while shown: the join count arrives from the hub while the deep breath is open

    def __init__(self, desk: Desk, on_sent: Callable[[], None] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.on_sent = on_sent
        self.setWindowTitle(theme.window_title("Group deep breath"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        minutes = int(WINDOW.total_seconds() // 60)
        layout.addWidget(plain_label(
            "Invite your team to a 1-minute deep breath together. Agents who are free are invited at once; "
            f"agents on a call are invited when it ends, within {minutes} minutes. You will see only how many "
            "joined, never who.", wrap=True))
        self.last = plain_label("", wrap=True)
        layout.addWidget(self.last)
        self.error = Feedback()  # the feedback line: success, note or error, each with its colour, icon and word
        self.feedback = self.error
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send_button = self.buttons.addButton("Invite the team now", QDialogButtonBox.ButtonRole.AcceptRole)
        theme.set_role(self.send_button, "primary")
        theme.set_icon(self.send_button, "group-breath", "on_accent")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)
        # Close has the keyboard first, so Enter or Space never invites the whole team by accident (the button
        # box orders its tab chain as it is drawn, Invite first, once a stylesheet is set).
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        self._timer = QTimer(self)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        last = self.desk.breath.last_sent()
        if last is None:
            self.last.setText("You have not invited the team to a group deep breath yet.")
        else:
            self.last.setText(f"Last one: {last.sent_at.astimezone():%a %H:%M} — {last.joined}.")

    def send(self) -> bool:
        try:
            self.desk.breath.send()
        except CompanionError as exc:
            self.error.error(str(exc))
            a11y.fit_height(self)
            return False
        self.error.success("Invited. Teammates who are free see the invitation now; those on a call see it "
                           "when their call ends.")
        a11y.fit_height(self)
        self.refresh()
        if self.on_sent is not None:
            self.on_sent()
        return True
