"""Settings → Presence hooks: the commands run when a reset starts and when it ends (companion.presence).

A field IT set in the operations config shows IT's command, read-only, and says so.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QVBoxLayout

from companion import presence
from companion.desk import Desk
from ui.widgets.text import plain_label

HELP = ("Optional commands that tell your contact-centre system you are taking a wellness break, e.g. "
        "curl … to set “Not Ready – Wellness” and back to “Available”. They run without a shell; "
        "$COMPANION_RESET_MINUTES and the other variables in the README are filled in.")
LOCKED = "Set by your IT department (operations config); it cannot be changed here."


class PresenceSection(QGroupBox):
    def __init__(self, desk: Desk, operations: presence.OperationsConfig | None = None) -> None:
        super().__init__("Presence hooks")
        ops = operations or presence.OperationsConfig()
        commands = presence.effective(ops, desk.settings())
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(HELP, wrap=True))
        form = QFormLayout()
        self.reset_start = self._field(commands.reset_start, "reset_start" in ops.locked)
        form.addRow("When a reset starts", self.reset_start)
        self.reset_end = self._field(commands.reset_end, "reset_end" in ops.locked)
        form.addRow("When a reset ends", self.reset_end)
        layout.addLayout(form)
        self.locked = ops.locked
        self.notice = plain_label(ops.problem or (LOCKED if ops.locked else ""), wrap=True)
        self.notice.setVisible(bool(self.notice.text()))
        layout.addWidget(self.notice)

    @staticmethod
    def _field(text: str, locked: bool) -> QLineEdit:
        field = QLineEdit(text)
        field.setMaxLength(presence.MAX_COMMAND)
        field.setPlaceholderText("none")
        field.setReadOnly(locked)
        field.setEnabled(not locked)
        if locked:
            field.setToolTip(LOCKED)
        return field

    def changes(self) -> dict[str, Any]:
        """The agent's own values; a field IT locked keeps the agent's stored value (IT's wins anyway)."""
        out: dict[str, Any] = {}
        if "reset_start" not in self.locked:
            out["reset_start_hook"] = self.reset_start.text().strip()
        if "reset_end" not in self.locked:
            out["reset_end_hook"] = self.reset_end.text().strip()
        return out
