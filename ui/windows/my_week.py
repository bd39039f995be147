"""My week: the last seven days with charts (pyqtgraph). This module is imported only when the Week view
opens, so pyqtgraph and numpy never load at start-up or while the app idles in the tray.

pyqtgraph renders legends and titles as rich text, so no text that comes from a person (checklist item texts)
goes into the charts: the table below the charts names each line in its colour, as plain text.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from companion.desk import Desk
from companion.week import WeekSummary, summarise_week
from ui import a11y, theme
from ui.widgets.text import headline_label, mmss, plain_label

CALLS_COLOUR = "chart_1"   # palette names (ui/theme): the charts follow light, dark and high contrast
RESETS_COLOUR = "chart_3"
SCORE_COLOUR = "text"
ITEM_COLOURS = ("chart_1", "chart_2", "chart_3", "chart_4", "chart_5", "chart_6")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def week_headline(week: WeekSummary) -> str:
    parts = [f"{week.calls} call{'s' if week.calls != 1 else ''}"]
    if week.average_score is not None:
        parts.append(f"Moment of Truth score {_percent(week.average_score)}")
    parts.append(f"{week.resets} reset{'s' if week.resets != 1 else ''}")
    parts.append(f"kudos: {week.kudos_sent} sent, {week.kudos_received} received")
    return "The last 7 days: " + ", ".join(parts) + "."


class WeekView(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.headline = headline_label()
        layout.addWidget(self.headline)
        self.moments = plain_label("", wrap=True)
        layout.addWidget(self.moments)
        charts = QHBoxLayout()
        pg.setConfigOptions(background=theme.color("surface"), foreground=theme.color("text"), antialias=True)
        self.activity = pg.PlotWidget(title="Calls and resets per day")
        self.scores = pg.PlotWidget(title="Moment of Truth items, % of calls")
        for plot in (self.activity, self.scores):
            plot.disableAutoRange()  # fixed ranges: no range recomputation for every item added
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMinimumHeight(220)
            charts.addWidget(plot)
        # the charts are pictures: a screen reader is told so, and the table below has the same figures
        a11y.name(self.activity, "Chart: calls and resets per day", "The table below has the same figures")
        a11y.name(self.scores, "Chart: Moment of Truth items, % of calls per day",
                  "The table below has the same figures")
        layout.addLayout(charts)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        a11y.name(self.table, "The last seven days, day by day")
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
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
        if week.outcomes:
            self.moments.setText("Your moments: " + ", ".join(
                f"{week.outcomes[k]} {k}" for k in ("positive", "neutral", "negative") if k in week.outcomes) + ".")
        else:
            self.moments.setText("")
        self._draw_activity(week)
        self._draw_scores(week)
        self._fill_table(week)

    def _day_ticks(self, week: WeekSummary) -> list[list[tuple[float, str]]]:
        return [[(i, d.day.strftime("%a %d")) for i, d in enumerate(week.days)]]

    def _draw_activity(self, week: WeekSummary) -> None:
        plot = self.activity
        plot.clear()
        xs = list(range(len(week.days)))
        top = max([d.calls for d in week.days] + [d.resets for d in week.days] + [1])
        plot.setYRange(0, top * 1.15, padding=0)
        plot.setXRange(-0.6, len(xs) - 0.4, padding=0)
        if plot.getPlotItem().legend is None:
            plot.addLegend(offset=(10, 5))  # fixed labels of ours only
        plot.addItem(pg.BarGraphItem(x=[x - 0.18 for x in xs], height=[d.calls for d in week.days], width=0.34,
                                     brush=theme.color(CALLS_COLOUR), pen=None, name="Calls"))
        plot.addItem(pg.BarGraphItem(x=[x + 0.18 for x in xs], height=[d.resets for d in week.days], width=0.34,
                                     brush=theme.color(RESETS_COLOUR), pen=None, name="Resets"))
        plot.getAxis("bottom").setTicks(self._day_ticks(week))
        step = max(1, math.ceil(top / 5))
        plot.getAxis("left").setTickSpacing(step, step)  # whole numbers: these are counts

    def _draw_scores(self, week: WeekSummary) -> None:
        plot = self.scores
        plot.clear()  # no legend: the table below names each line in its colour (and escapes nothing)
        plot.setYRange(0, 105, padding=0)
        plot.setXRange(-0.5, len(week.days) - 0.5, padding=0)
        spots = []
        for index, item in enumerate(week.items):
            points = [(i, v * 100) for i, v in enumerate(item.per_day) if v is not None]
            if not points:
                continue
            colour = theme.color(ITEM_COLOURS[index % len(ITEM_COLOURS)])
            plot.addItem(pg.PlotCurveItem([p[0] for p in points], [p[1] for p in points],
                                          pen=pg.mkPen(colour, width=1.5)))
            spots += [{"pos": p, "brush": colour} for p in points]
        overall = [(i, d.average_score * 100) for i, d in enumerate(week.days) if d.average_score is not None]
        if overall:
            plot.addItem(pg.PlotCurveItem([p[0] for p in overall], [p[1] for p in overall],
                                          pen=pg.mkPen(theme.color(SCORE_COLOUR), width=3)))
            spots += [{"pos": p, "brush": theme.color(SCORE_COLOUR), "size": 8, "symbol": "s"} for p in overall]
        if spots:  # one scatter item for every point: far cheaper than one per line
            plot.addItem(pg.ScatterPlotItem(spots=spots, size=6, pen=None))
        plot.getAxis("bottom").setTicks(self._day_ticks(week))
        plot.getAxis("left").setLabel("%")

    def _fill_table(self, week: WeekSummary) -> None:
        headers = ["Item"] + [d.day.strftime("%a") for d in week.days] + ["Week"]
        rows = [[f"● {i + 1}  {item.text}"] + [_percent(v) for v in item.per_day] + [_percent(item.week)]
                for i, item in enumerate(week.items)]
        rows.append(["Calls"] + [str(d.calls) for d in week.days] + [str(week.calls)])
        rows.append(["Average handle time"] + [mmss(d.average_handle) if d.average_handle is not None else "—"
                                               for d in week.days] + [""])
        rows.append(["Resets"] + [str(d.resets) for d in week.days] + [str(week.resets)])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(headers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)  # plain text
                if c == 0 and r < len(week.items):  # the item's colour in the chart
                    cell.setForeground(theme.qcolor(ITEM_COLOURS[r % len(ITEM_COLOURS)]))
                self.table.setItem(r, c, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
