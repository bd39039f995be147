"""My day / My week: today's calls (checklist score, outcome, what got in the way, the reset offered after it:
taken, declined or lapsed), resets (pattern names, mood words) and notifications; the last seven days with
charts. Export and delete my data live in Settings → Your data. Esc closes the window."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
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

from companion.day import (
    OUTCOME_WORDS,
    DaySummary,
    call_checklists,
    mood_change,
    offer_states,
    pattern_name,
    reset_outcome,
    summarise_day,
)
from companion.desk import Desk
from ui.icons import app_icon
from ui import theme
from ui.plurals import count
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
    def __init__(self, desk: Desk, view: str = DAY, open_your_data: Callable[[], object] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.setWindowTitle(window_title("My day"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(960, 720)
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
        # Export and Delete are in Settings → Your data (not in the daily view): this only leads there
        self.your_data_button = QPushButton("Your data…")
        self.your_data_button.setAccessibleName("Your data: export or delete (opens Settings)")
        self.your_data_button.setToolTip("Export or delete your data: Settings → Your data")
        self.your_data_button.setVisible(open_your_data is not None)
        if open_your_data is not None:
            self.your_data_button.clicked.connect(lambda: open_your_data())
        bar.addWidget(self.your_data_button)
        self._layout.addLayout(bar)

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
        self.week = None  # built when first shown: its charts' code loads only then
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
        offers = offer_states(summary, datetime.now(timezone.utc))
        self.tabs.addTab(_table(
            ["Started", "Reference", "Handle time", "Tough", "Checklist", "Outcome", "What got in the way",
             "Reset offered"],
            [[c.started_at.astimezone().strftime("%H:%M"), c.ref or "—",
              mmss(c.handle_seconds) if c.handle_seconds is not None else "not ended", "yes" if c.tough else "",
              *scores.get(c.id, ("", "", "")), offers.get(c.id, "")]
             for c in summary.calls], stretch=6, name="Today's calls"), count("Calls (%n)", len(summary.calls)))
        self.tabs.addTab(_table(["Started", "Pattern", "Length", "How it went", "Mood before → after"], [
            [r.started_at.astimezone().strftime("%H:%M"), pattern_name(r.pattern), reset_length(r),
             reset_outcome(r.outcome), mood_change(r.mood_before, r.mood_after)]
            for r in summary.resets], name="Today's resets"), count("Resets (%n)", len(summary.resets)))
        self.tabs.addTab(_table(["Time", "Notification", "Status"], [
            [n.created_at.astimezone().strftime("%H:%M"), f"{n.title} — {n.body}", notification_status(n)]
            for n in summary.notifications], stretch=1, name="Today's notifications"),
            count("Notifications (%n)", summary.notification_count))

    def _scores(self, summary: DaySummary) -> dict[str, tuple[str, str, str]]:
        """call id -> ("6 of 8 ticked", "Positive", what got in the way), for today's calls with a checklist."""
        runs = call_checklists(self.desk, [c.id for c in summary.calls])
        return {call_id: (f"{run.ticked_count} of {run.item_count} ticked", OUTCOME_WORDS.get(run.outcome or "", ""),
                          " ".join((run.obstacle_text or "").split()))  # one line in a cell
                for call_id, run in runs.items()}

def headline(summary: DaySummary) -> str:
    if not summary.calls and not summary.resets:
        return "Nothing recorded yet today. Take care of yourself."
    parts = [count("%n call(s)", len(summary.calls))]
    if summary.average_handle is not None:
        parts.append(f"average handle time {mmss(summary.average_handle)}")
    parts.append(count("%n reset(s)", len(summary.resets)) + f" ({mmss(summary.reset_seconds)} of breathing)")
    return "Today: " + ", ".join(parts) + "."
