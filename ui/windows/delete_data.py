"""Delete my data: a confirmation that names what will go, offers the export first, and needs DELETE typed."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from companion import mydata
from companion.desk import Desk
from companion.errors import CompanionError
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label

CONFIRM_WORD = "DELETE"
RETRY_MS = 200


class DeleteDataDialog(QDialog):
    deleted = Signal(str)  # what was removed, in words

    def __init__(self, desk: Desk, export: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle(theme.window_title("Delete my data"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        # about 60 characters a line: wrapped paragraphs stay short enough to fit the screen at 2x (a narrow
        # dialog grows taller than a 1080p screen at 200 % and its paragraphs get cut)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        name = desk.settings().agent_name
        self.counts = mydata.counts(desk.db, name)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("This removes from this computer, for good:", wrap=True))
        lines = [f"• {line}" for line in mydata.describe(self.counts)]
        half = (len(lines) + 1) // 2  # two columns: the list stays short enough for a screen at 2x
        self.what = plain_label("\n".join(lines[:half]), wrap=True)
        self.what_more = plain_label("\n".join(lines[half:]), wrap=True)
        columns = QHBoxLayout()
        columns.addWidget(self.what, 1)
        columns.addWidget(self.what_more, 1)
        layout.addLayout(columns)
        layout.addWidget(plain_label("Your settings, your team roster and your checklist templates stay. "
                                     "Anything still waiting to go to your team hub is not sent.", wrap=True))
        self.hub_note = plain_label(
            "What already reached your team hub (kudos you sent, obstacles and +1s) stays there and stays "
            "visible to your team: it cannot be taken back from this computer.", wrap=True)
        layout.addWidget(self.hub_note)
        self.export_button = QPushButton("Export my data first…")
        self.export_button.clicked.connect(export)
        layout.addWidget(self.export_button)
        confirm_label = plain_label(f"Type {CONFIRM_WORD} to confirm:")
        layout.addWidget(confirm_label)
        self.confirm = QLineEdit()
        a11y.label_for(confirm_label, self.confirm)
        self.confirm.textChanged.connect(lambda text: self.delete_button.setEnabled(text.strip() == CONFIRM_WORD))
        layout.addWidget(self.confirm)
        self.error = Feedback()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.delete_button = QPushButton("Delete my data")
        self.delete_button.setEnabled(False)
        theme.set_role(self.delete_button, "danger")
        theme.set_icon(self.delete_button, "delete", "error")
        self.delete_button.clicked.connect(self.delete)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self._give_up_at = 0.0
        self._retry = QTimer(self)  # owned by the dialog: gone with it
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._retry_delete)

    def delete(self) -> bool:
        """Delete now, or -- while a batch is on its way to the team hub -- wait for it without blocking the
        app (retrying every RETRY_MS up to mydata.DELIVERY_WAIT). True when the data went at once."""
        if self.confirm.text().strip() != CONFIRM_WORD:
            return False
        self._give_up_at = time.monotonic() + mydata.DELIVERY_WAIT
        return self._try_delete()

    def _retry_delete(self) -> None:
        if self.isVisible() and self.confirm.text().strip() == CONFIRM_WORD:  # not closed, not changed its mind
            self._try_delete()

    def _try_delete(self) -> bool:
        try:
            removed = mydata.delete_all(self.desk.db, self.desk.settings().agent_name,
                                        on_call=self.desk.calls.on_call,
                                        in_reset=self.desk.resets.current is not None,
                                        delivery=self.desk.delivery, wait=0)
        except CompanionError as exc:
            if isinstance(exc, mydata.DeliveryInProgress) and time.monotonic() < self._give_up_at:
                self.delete_button.setEnabled(False)
                self.error.info("Waiting for a delivery to your team hub to finish…")
                self._retry.start(RETRY_MS)
                return False
            self.delete_button.setEnabled(True)
            self.error.error(f"Nothing was deleted: {exc}")
            return False
        self.deleted.emit(f"Deleted: {', '.join(mydata.describe(removed))}.")
        self.accept()
        return True
