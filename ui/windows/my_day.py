"""My day: today's calls with their handle time, resets taken, and today's notifications."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget

from companion.day import DaySummary, summarise_day
from companion.desk import Desk
from ui.icons import app_icon
from ui.widgets.text import plain_label
from ui.windows.reset import mmss


VIA = {"plyer": "shown on the desktop", "tray": "shown by the tray icon", "toast": "shown in a card"}
HELD = {"call": "waiting: on a call", "paused": "waiting: paused", "rate": "waiting: hourly limit",
        "undeliverable": "could not be shown yet", "expired": "not shown: expired"}


def notification_status(note) -> str:
    if note.shown_at is not None:
        return VIA.get(note.shown_via or "", "shown")
    return HELD.get(note.held_reason or "", "waiting")


def _table(headers: list[str], rows: list[list[str]], stretch: int | None = None) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))  # items are plain text
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


class MyDayWindow(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.setWindowTitle("Agent Companion — My day")
        self.setWindowIcon(app_icon())
        self.resize(560, 460)
        self._layout = QVBoxLayout(self)
        self.headline = plain_label("", wrap=True)
        font = self.headline.font()
        font.setPointSize(font.pointSize() + 2)
        self.headline.setFont(font)
        self._layout.addWidget(self.headline)
        self.tabs = QTabWidget()
        self._layout.addWidget(self.tabs)
        self.refresh()

    def refresh(self) -> None:
        summary = summarise_day(self.desk, datetime.now(timezone.utc).astimezone())
        self.summary = summary
        self.headline.setText(headline(summary))
        self.tabs.clear()
        self.tabs.addTab(_table(["Started", "Reference", "Handle time", "Tough"], [
            [c.started_at.astimezone().strftime("%H:%M"), c.ref or "—",
             mmss(c.handle_seconds) if c.handle_seconds is not None else "not ended", "yes" if c.tough else ""]
            for c in summary.calls]), f"Calls ({len(summary.calls)})")
        self.tabs.addTab(_table(["Started", "Pattern", "Length", "How it went", "Mood before → after"], [
            [r.started_at.astimezone().strftime("%H:%M"), r.pattern, mmss(r.actual_seconds),
             r.outcome.replace("_", " "), f"{r.mood_before or '–'} → {r.mood_after or '–'}"]
            for r in summary.resets]), f"Resets ({len(summary.resets)})")
        self.tabs.addTab(_table(["Time", "Notification", "Status"], [
            [n.created_at.astimezone().strftime("%H:%M"), f"{n.title}: {n.body}", notification_status(n)]
            for n in summary.notifications], stretch=1), f"Notifications ({len(summary.notifications)})")


def headline(summary: DaySummary) -> str:
    if not summary.calls and not summary.resets:
        return "Nothing recorded yet today. Take care of yourself."
    parts = [f"{len(summary.calls)} call{'s' if len(summary.calls) != 1 else ''}"]
    if summary.average_handle is not None:
        parts.append(f"average handle time {mmss(summary.average_handle)}")
    parts.append(f"{len(summary.resets)} reset{'s' if len(summary.resets) != 1 else ''} "
                 f"({mmss(summary.reset_seconds)} of breathing)")
    return "Today: " + ", ".join(parts) + "."
