"""My week: the last seven days in two small charts (ui.widgets.charts, painted with QPainter: nothing heavy
to import, so the first open of a session stays well under 250 ms on a heavy year) and one table that holds
every figure. Each chart has a legend and an accessible description with its numbers; its colours are the
theme's. Item texts are typed by people: the charts draw them as plain text, the table shows plain text.
"""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHBoxLayout,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.week import WeekSummary, summarise_week
from ui import a11y, theme
from ui.plurals import count
from ui.widgets.charts import BarChart, LineChart, Series
from ui.widgets.text import headline_label, mmss, plain_label

CALLS_COLOUR = "chart_1"   # palette names (ui/theme): the charts follow light, dark and high contrast
RESETS_COLOUR = "chart_3"
SCORE_COLOUR = "text"
ITEM_COLOURS = ("chart_1", "chart_2", "chart_3", "chart_4", "chart_5", "chart_6")
MOMENTS = (("positive", "%n positive moment(s)"), ("neutral", "%n neutral moment(s)"), ("negative", "%n negative moment(s)"))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def week_headline(week: WeekSummary) -> str:
    parts = [count("%n call(s)", week.calls)]
    if week.average_handle is not None:
        parts.append(f"average handle time {mmss(week.average_handle)}")
    if week.average_score is not None:
        parts.append(f"Moment of Truth score {_percent(week.average_score)}")
    parts.append(count("%n reset(s)", week.resets))
    parts.append(f"kudos: {week.kudos_sent} sent, {week.kudos_received} received")
    return "The last 7 days: " + ", ".join(parts) + "."


def item_colour(index: int) -> str:
    return ITEM_COLOURS[index % len(ITEM_COLOURS)]


class WeekView(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.space(2))
        self.headline = headline_label()
        layout.addWidget(self.headline)
        self.moments = plain_label("", wrap=True)
        layout.addWidget(self.moments)
        charts = QHBoxLayout()
        charts.setSpacing(theme.space(3))
        self.activity = BarChart("Calls and resets per day")
        self.scores = LineChart("Moment of Truth items, % of calls ticked", unit="%")
        self.activity.empty_text = "No calls or resets in the last seven days."
        self.scores.empty_text = "No checklists filled in during the last seven days."
        charts.addWidget(self.activity, 2)
        charts.addWidget(self.scores, 3)
        layout.addLayout(charts, 1)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        a11y.name(self.table, "The last seven days, day by day")
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.table)
        layout.addStretch(0)
        self.refresh()

    def refresh(self) -> None:
        desk = self.desk
        try:
            active = desk.checklists.templates.active()
            texts = {item.key: item.text for item in active.template.items}
        except Exception:  # noqa: BLE001 - names are a nicety; the figures still show by item key
            texts = {}
        self.summary = week = summarise_week(desk.db, datetime.now(timezone.utc), desk.settings().agent_name, texts)
        self.headline.setText(week_headline(week))
        said = [count(source, week.outcomes[key]) for key, source in MOMENTS if key in week.outcomes]
        self.moments.setText(("How your calls felt: " + ", ".join(said) + ".") if said else "")
        self.moments.setVisible(bool(said))
        labels = [d.day.strftime("%a") for d in week.days]  # seven days: the weekday names are unique
        self.activity.set_data(labels, [
            Series("Calls", CALLS_COLOUR, tuple(float(d.calls) for d in week.days)),
            Series("Resets", RESETS_COLOUR, tuple(float(d.resets) for d in week.days)),
        ])
        lines = [Series(f"{i + 1}  {item.text}", item_colour(i),
                        tuple(None if v is None else v * 100 for v in item.per_day),
                        dashed=i >= len(ITEM_COLOURS))  # the 7th item on shares a colour: dashed
                 for i, item in enumerate(week.items)]
        lines.append(Series("Whole checklist", SCORE_COLOUR,
                            tuple(None if d.average_score is None else d.average_score * 100 for d in week.days),
                            bold=True))
        self.scores.set_data(labels, lines)
        self._fill_table(week)

    def _fill_table(self, week: WeekSummary) -> None:
        headers = ["Item"] + [d.day.strftime("%a") for d in week.days] + ["Week"]
        rows = [[f"{i + 1}  {item.text}"] + [_percent(v) for v in item.per_day] + [_percent(item.week)]
                for i, item in enumerate(week.items)]
        rows.append(["Calls"] + [str(d.calls) for d in week.days] + [str(week.calls)])
        rows.append(["Average handle time"] + [mmss(d.average_handle) if d.average_handle is not None else "—"
                                               for d in week.days]
                    + [mmss(week.average_handle) if week.average_handle is not None else "—"])
        rows.append(["Resets"] + [str(d.resets) for d in week.days] + [str(week.resets)])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(headers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)  # plain text
                if c:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 0 and r < len(week.items):  # the item's colour in the chart: a dot; the text stays text
                    cell.setIcon(dot_icon(item_colour(r)))
                    cell.setToolTip(item_tooltip(week.items[r].text))
                self.table.setItem(r, c, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(len(rows)))
        self.table.setFixedHeight(height)  # every row in view: the table never scrolls


def item_tooltip(text: str) -> str:
    from ui.widgets.text import plain_tooltip

    return plain_tooltip(text)


def dot_icon(colour: str):
    """A filled circle in the theme colour ``colour``: the line's colour beside its row in the table."""
    from PySide6.QtGui import QIcon, QPainter, QPixmap

    size = 12
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.qcolor(colour))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)
