"""Settings → Team: my name on the team, the daily kudos limit, and the roster.

Alone, teammates are added and removed here by hand (name + display name; changes apply at once). With a
team hub the roster comes from the hub and is read-only here, and my name is the hub login.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.widgets.feedback import Feedback
from companion.desk import Desk
from companion.errors import CompanionError
from ui import a11y
from ui.widgets.text import plain_label


class TeamSection(QGroupBox):
    def __init__(self, desk: Desk) -> None:
        super().__init__("Team")
        self.desk = desk
        hub = desk.identity.hub()
        settings = desk.settings()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.agent_name = QLineEdit(settings.agent_name)
        self.agent_name.setMaxLength(63)
        self.agent_name.setPlaceholderText("alex.kim")
        self.agent_name.setReadOnly(hub is not None)
        form.addRow("My name on the team", self.agent_name)
        self.daily_cap = QSpinBox()
        self.daily_cap.setRange(1, 50)
        self.daily_cap.setValue(settings.kudos_daily_cap)
        form.addRow("Kudos I can give per day (1–50)", self.daily_cap)
        layout.addLayout(form)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Display name", "From"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column in (0, 1):  # each column at least as wide as its title ("Display name" was cut)
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(120)
        a11y.name(self.table, "Team roster")
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("name (e.g. dana)")
        self.new_display = QLineEdit()
        self.new_display.setPlaceholderText("display name (e.g. Dana Scully)")
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove selected")
        a11y.name(self.new_name, "New teammate: name (login)")
        a11y.name(self.new_display, "New teammate: display name")
        a11y.name(self.add_button, "Add teammate")
        a11y.name(self.remove_button, "Remove selected teammate")
        for widget in (self.new_name, self.new_display, self.add_button, self.remove_button):
            row.addWidget(widget)
        layout.addLayout(row)
        self.message = Feedback()
        layout.addWidget(self.message)
        if hub is not None:
            for widget in (self.new_name, self.new_display, self.add_button, self.remove_button):
                widget.setEnabled(False)
            self.message.info("Your roster comes from the team hub (read-only here).")
        self.add_button.clicked.connect(self.add)
        self.new_display.returnPressed.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.refresh()

    def refresh(self) -> None:
        mates = sorted(self.desk.roster.mates(include_inactive=True), key=lambda m: not m.active)
        self.table.setRowCount(len(mates))
        for r, mate in enumerate(mates):
            for c, text in enumerate((mate.name, mate.display_name, self.origin(mate))):
                self.table.setItem(r, c, QTableWidgetItem(text))  # plain text

    @staticmethod
    def origin(mate: Any) -> str:
        if mate.source == "hub":
            return "team hub" if mate.active else "team hub (no longer listed)"
        return "you" if mate.active else "you (inactive: not on the team hub)"

    def add(self) -> bool:
        try:
            self.desk.roster.add_local(self.new_name.text().strip(), self.new_display.text())
        except CompanionError as exc:
            self.message.error(str(exc))
            return False
        self.message.clear()
        self.new_name.clear()
        self.new_display.clear()
        self.refresh()
        return True

    def remove(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            self.message.error("Select a teammate to remove.")
            return False
        try:
            self.desk.roster.remove_local(self.table.item(row, 0).text())
        except CompanionError as exc:
            self.message.error(str(exc))
            return False
        self.message.clear()
        self.refresh()
        return True

    def changes(self) -> dict[str, Any]:
        return {"agent_name": self.agent_name.text().strip(), "kudos_daily_cap": self.daily_cap.value()}
