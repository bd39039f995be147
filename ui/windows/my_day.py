"""My day / My week: today's calls (with their Moment of Truth score), resets and notifications; the last
seven days with charts; export and delete my data. Esc closes the window."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.day import DaySummary, checklist_ticks, summarise_day
from companion.desk import Desk
from companion.errors import CompanionError
from ui.widgets.feedback import Feedback
from ui.icons import app_icon
from ui import theme
from ui.theme import window_title
from ui.widgets.text import headline_label, mmss, plain_label
from ui.widgets.keys import close_on_escape

VIA = {"plyer": "shown on the desktop", "tray": "shown by the tray icon", "toast": "shown in a card"}
HELD = {"call": "waiting: on a call", "paused": "waiting: paused", "rate": "waiting: hourly limit",
        "undeliverable": "could not be shown yet", "expired": "not shown: expired"}
DAY, WEEK = "day", "week"


def notification_status(note) -> str:
    if note.shown_at is not None:
        return VIA.get(note.shown_via or "", "shown")
    return HELD.get(note.held_reason or "", "waiting")


def reset_length(reset) -> str:
    """Actual length; for a reset that did not run its course, the planned length beside it."""
    text = mmss(reset.actual_seconds)
    if reset.outcome != "completed":
        text += f" of {mmss(reset.planned_seconds)} planned"
    return text


def _table(headers: list[str], rows: list[list[str]], stretch: int | None = None,
           name: str = "") -> QTableWidget:
    """A read-only table; ``name`` is what a screen reader calls it ("Today's calls")."""
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(name)
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


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


class MyDayWindow(QWidget):
    def __init__(self, desk: Desk, view: str = DAY) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.setWindowTitle(window_title("My day"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(920, 680)
        self._layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.view_group = QButtonGroup(self)
        # one of two views: radio buttons (a screen reader says "1 of 2"); toggled, not clicked, so the
        # keyboard's arrows and assistive technology's Toggle action switch the view too
        self.day_button = QRadioButton("Day")
        self.week_button = QRadioButton("Week")
        for button, key in ((self.day_button, DAY), (self.week_button, WEEK)):
            self.view_group.addButton(button)
            button.toggled.connect(lambda on, k=key: self.show_view(k) if on else None)
            bar.addWidget(button)
        bar.addStretch(1)
        self.export_button = QPushButton("Export my data…")
        self.export_button.clicked.connect(self.choose_export)
        self.delete_button = QPushButton("Delete my data…")
        self.delete_button.clicked.connect(self.confirm_delete)
        theme.set_icon(self.delete_button, "delete", "error")
        bar.addWidget(self.export_button)
        bar.addWidget(self.delete_button)
        self._layout.addLayout(bar)
        self.message = Feedback()  # hidden until there is something to say
        self._layout.addWidget(self.message)

        self.views = QStackedWidget()
        self._layout.addWidget(self.views)
        self.day_page = QWidget()
        day_layout = QVBoxLayout(self.day_page)
        day_layout.setContentsMargins(0, 0, 0, 0)
        self.headline = headline_label()
        day_layout.addWidget(self.headline)
        self.tabs = QTabWidget()
        day_layout.addWidget(self.tabs)
        self.views.addWidget(self.day_page)
        self.week = None  # built when first shown: the charting library loads only then
        self.delete_dialog = None
        self.show_view(view)

    # -- views ------------------------------------------------------------------------------------
    def show_view(self, view: str) -> None:
        self.view = WEEK if view == WEEK else DAY
        if self.view == WEEK:
            self.setWindowTitle(window_title("My week"))
            self._check(self.week_button)
            if self.week is None:
                from ui.windows.my_week import WeekView

                self.week = WeekView(self.desk)
                self.views.addWidget(self.week)
            else:
                self.week.refresh()
            self.views.setCurrentWidget(self.week)
        else:
            self.setWindowTitle(window_title("My day"))
            self._check(self.day_button)
            self.refresh()
            self.views.setCurrentWidget(self.day_page)

    def _check(self, button: QRadioButton) -> None:
        """Show which view is on without its toggled signal opening the view a second time."""
        blocked = button.blockSignals(True)
        button.setChecked(True)
        button.blockSignals(blocked)

    def refresh(self) -> None:
        summary = summarise_day(self.desk, datetime.now(timezone.utc).astimezone())
        self.summary = summary
        scores = self._scores(summary)
        self.headline.setText(headline(summary))
        self.tabs.clear()
        self.tabs.addTab(_table(["Started", "Reference", "Handle time", "Tough", "Moment of Truth"], [
            [c.started_at.astimezone().strftime("%H:%M"), c.ref or "—",
             mmss(c.handle_seconds) if c.handle_seconds is not None else "not ended", "yes" if c.tough else "",
             scores.get(c.id, "")]
            for c in summary.calls], name="Today's calls"), f"Calls ({len(summary.calls)})")
        self.tabs.addTab(_table(["Started", "Pattern", "Length", "How it went", "Mood before → after"], [
            [r.started_at.astimezone().strftime("%H:%M"), r.pattern, reset_length(r),
             r.outcome.replace("_", " "), f"{r.mood_before or '–'} → {r.mood_after or '–'}"]
            for r in summary.resets], name="Today's resets"), f"Resets ({len(summary.resets)})")
        self.tabs.addTab(_table(["Time", "Notification", "Status"], [
            [n.created_at.astimezone().strftime("%H:%M"), f"{n.title} — {n.body}", notification_status(n)]
            for n in summary.notifications], stretch=1, name="Today's notifications"),
            f"Notifications ({summary.notification_count})")

    def _scores(self, summary: DaySummary) -> dict[str, str]:
        """call id -> "6 of 8 ticked", for today's calls that had a checklist."""
        ticks = checklist_ticks(self.desk, [c.id for c in summary.calls])
        return {call_id: f"{ticked} of {items} ticked" for call_id, (ticked, items) in ticks.items()}

    # -- my data ----------------------------------------------------------------------------------
    def say(self, text: str, kind: str = "success") -> None:
        self.message.show_message(kind, text)

    def choose_export(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d")
        path, _ = QFileDialog.getSaveFileName(self, "Export my data", f"agent-companion-my-data-{stamp}.zip",
                                              "Zip archive (*.zip)")
        if path:
            self.export_to(path if path.lower().endswith(".zip") else path + ".zip")

    def export_to(self, path: str) -> bool:
        from pathlib import Path

        from companion import mydata

        try:
            written = mydata.export(self.desk.db, self.desk.settings().agent_name, Path(path),
                                    datetime.now(timezone.utc))
        except (CompanionError, OSError) as exc:
            self.say(f"Not exported: {exc}", "error")
            return False
        self.say(f"Exported to {written} (one CSV file per table and my-data.json).")
        return True

    def confirm_delete(self) -> None:
        from ui.windows.delete_data import DeleteDataDialog

        self.delete_dialog = DeleteDataDialog(self.desk, self.choose_export, parent=self)
        self.delete_dialog.deleted.connect(self._after_delete)
        self.delete_dialog.open()

    def _after_delete(self, text: str) -> None:
        self.say(text)
        self.show_view(self.view)


def headline(summary: DaySummary) -> str:
    if not summary.calls and not summary.resets:
        return "Nothing recorded yet today. Take care of yourself."
    parts = [f"{len(summary.calls)} call{'s' if len(summary.calls) != 1 else ''}"]
    if summary.average_handle is not None:
        parts.append(f"average handle time {mmss(summary.average_handle)}")
    parts.append(f"{len(summary.resets)} reset{'s' if len(summary.resets) != 1 else ''} "
                 f"({mmss(summary.reset_seconds)} of breathing)")
    return "Today: " + ", ".join(parts) + "."
