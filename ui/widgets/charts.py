"""Small charts painted with QPainter: grouped bars (counts per day) and lines (shares per day), each with a
legend, colours from the theme and an accessible description that gives every number.

Why not a charting library: My week has two charts of seven points a series. pyqtgraph (with numpy) made the
first open of a session 0.3-1.3 s slower and added ~50 MB of memory for the rest of the session (and ~80 MB
installed); Qt Charts needs the PySide6-Addons wheel and a QGraphicsView scene per chart. A painter draws
both in ~15 ms and imports nothing new (bench/README.md, "Charting approach", has the figures).

Text is drawn with ``QPainter.drawText``, which never interprets markup: a checklist item's text (typed by a
person) is shown as it was typed, elided to fit.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme


class Series(NamedTuple):
    name: str                            # the legend's words (plain text)
    colour: str                          # a palette name of ui.theme ("chart_1"), never a literal colour
    values: tuple[float | None, ...]     # one per label; None: nothing that day
    bold: bool = False                   # a line drawn thicker (the whole checklist's score)
    dashed: bool = False                 # a dashed line: told apart from a line that shares its colour


def nice_top(value: float) -> int:
    """The axis top for counts up to ``value``: a whole number with a whole step of at most five ticks."""
    if value <= 0:
        return 1
    step = max(1, math.ceil(value / 5))
    return step * math.ceil(value / step)


class Chart(QWidget):
    """The shared frame: title, plot area with a y axis, day labels under it, legend under those."""

    kind = "chart"

    def __init__(self, title: str, unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.unit = unit  # "%" for shares, "" for counts
        self.empty_text = "Nothing yet in these seven days."
        self.labels: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a picture: its numbers are in its description and the table
        self.setAccessibleName(f"{self.kind.capitalize()}: {title}")

    # -- data ---------------------------------------------------------------------------------------
    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        self.labels = tuple(labels)
        self.series = tuple(series)
        self.setAccessibleDescription(self.describe())
        self.setMaximumHeight(self.maximumHeightForContent())  # a short table leaves room, not taller charts
        self.updateGeometry()
        self.update()

    def _value_text(self, value: float | None) -> str:
        if value is None:
            return "none"
        return f"{round(value)} {self.unit}".rstrip() if self.unit else f"{value:g}"

    def describe(self) -> str:
        """Every number, as a screen reader reads it: "Calls: Mon 3, Tue 5; Resets: ..."."""
        if self.is_empty():
            return self.empty_text
        return "; ".join(f"{s.name}: " + ", ".join(f"{label} {self._value_text(v)}"
                                                    for label, v in zip(self.labels, s.values))
                         for s in self.series) + "."

    def is_empty(self) -> bool:
        return not any(v for series in self.series for v in series.values)

    # -- geometry -----------------------------------------------------------------------------------
    def _legend_columns(self) -> int:
        return 1 if len(self.series) <= 3 else 2

    def _legend_rows(self) -> int:
        return math.ceil(len(self.series) / self._legend_columns()) if self.series else 0

    def _line(self) -> int:
        return QFontMetrics(self.font()).height()

    def legend_height(self) -> int:
        return self._legend_rows() * (self._line() + 2)

    def maximumHeightForContent(self) -> int:
        return self._line() * 20 + self.legend_height()

    def minimumSizeHint(self) -> QSize:
        line = self._line()
        return QSize(line * 16, line * 8 + self.legend_height())

    def sizeHint(self) -> QSize:
        line = self._line()
        return QSize(line * 24, line * 11 + self.legend_height())

    # -- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 - the whole widget is cheap to paint
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        pad = theme.space(2)
        painter.fillRect(self.rect(), theme.qcolor("surface"))
        painter.setPen(QPen(theme.qcolor("border"), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        # title
        title_font = theme.font("body")
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(theme.qcolor("text"))
        title_rect = QRectF(pad, pad, self.width() - 2 * pad, line + 2)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                             int(title_rect.width())))
        painter.setFont(self.font())
        top_value = self.axis_top()
        axis_width = metrics.horizontalAdvance(self._tick_text(top_value)) + pad
        legend_h = self.legend_height()
        plot = QRectF(pad + axis_width, title_rect.bottom() + pad + line / 2,
                      self.width() - 2 * pad - axis_width,
                      self.height() - title_rect.bottom() - 3 * pad - line * 1.5 - legend_h - line / 2)
        if plot.height() < line or plot.width() < line:
            painter.end()
            return
        # grid and y ticks
        steps = self.tick_steps(top_value)
        for k in range(steps + 1):
            value = top_value * k / steps
            y = plot.bottom() - plot.height() * k / steps
            painter.setPen(QPen(theme.qcolor("border"), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(theme.qcolor("text_muted"))
            painter.drawText(QRectF(pad, y - line / 2, axis_width - pad / 2, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._tick_text(value))
        # day labels
        count = max(1, len(self.labels))
        slot = plot.width() / count
        painter.setPen(theme.qcolor("text_muted"))
        for i, label in enumerate(self.labels):
            painter.drawText(QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, line),
                             Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot)))
        if self.is_empty():  # say so in the plot: an empty frame looks broken
            painter.setPen(theme.qcolor("text_muted"))
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
        self.paint_series(painter, plot, slot, top_value)
        # axis line
        painter.setPen(QPen(theme.qcolor("border_strong"), 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        self._paint_legend(painter, QRectF(pad, self.height() - pad - legend_h, self.width() - 2 * pad, legend_h))
        painter.end()

    def _tick_text(self, value: float) -> str:
        return f"{round(value)}{self.unit}"

    def _paint_legend(self, painter: QPainter, area: QRectF) -> None:
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        columns = self._legend_columns()
        width = area.width() / columns
        for index, s in enumerate(self.series):
            row, column = divmod(index, columns)
            x, y = area.left() + column * width, area.top() + row * (line + 2)
            self.paint_swatch(painter, QRectF(x, y + line * 0.2, line * 1.4, line * 0.6), s)
            painter.setPen(theme.qcolor("text"))
            text_rect = QRectF(x + line * 1.8, y, width - line * 2.2, line)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(s.name, Qt.TextElideMode.ElideRight, int(text_rect.width())))

    # -- per kind -----------------------------------------------------------------------------------
    def axis_top(self) -> float:
        raise NotImplementedError

    def tick_steps(self, top: float) -> int:
        raise NotImplementedError

    def paint_series(self, painter: QPainter, plot: QRectF, slot: float, top: float) -> None:
        raise NotImplementedError

    def paint_swatch(self, painter: QPainter, rect: QRectF, series: Series) -> None:
        raise NotImplementedError


class BarChart(Chart):
    """Counts per day, one bar per series side by side (calls and resets)."""

    kind = "bar chart"

    def axis_top(self) -> float:
        return nice_top(max([v or 0 for s in self.series for v in s.values] + [0]))

    def tick_steps(self, top: float) -> int:
        return int(top // max(1, math.ceil(top / 5)))

    def paint_series(self, painter: QPainter, plot: QRectF, slot: float, top: float) -> None:
        if not self.series:
            return
        group = slot * 0.7
        bar = group / len(self.series)
        painter.setPen(Qt.PenStyle.NoPen)
        for k, s in enumerate(self.series):
            painter.setBrush(theme.qcolor(s.colour))
            for i, value in enumerate(s.values):
                if not value:
                    continue
                height = plot.height() * value / top
                x = plot.left() + i * slot + (slot - group) / 2 + k * bar
                painter.drawRect(QRectF(x + 1, plot.bottom() - height, bar - 2, height))

    def paint_swatch(self, painter: QPainter, rect: QRectF, series: Series) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.qcolor(series.colour))
        painter.drawRect(QRectF(rect.left(), rect.top() - rect.height() * 0.3, rect.height() * 1.6,
                                rect.height() * 1.6))


class LineChart(Chart):
    """Shares per day in per cent (0-100), one line per series, a dot on each day with a value."""

    kind = "line chart"

    def axis_top(self) -> float:
        return 100.0

    def tick_steps(self, top: float) -> int:
        return 4

    def paint_series(self, painter: QPainter, plot: QRectF, slot: float, top: float) -> None:
        for s in sorted(self.series, key=lambda s: s.bold):  # the bold line on top
            colour = theme.qcolor(s.colour)
            width = 3.0 if s.bold else 1.6
            path = QPainterPath()
            points = []
            started = False
            for i, value in enumerate(s.values):
                if value is None:
                    started = False  # a gap: no line across a day without calls
                    continue
                point = QPointF(plot.left() + (i + 0.5) * slot, plot.bottom() - plot.height() * value / top)
                points.append(point)
                if started:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    started = True
            painter.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(colour, width)
            if s.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(path)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            radius = 4.0 if s.bold else 3.0
            for point in points:
                if s.bold:
                    painter.drawRect(QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius))
                else:
                    painter.drawEllipse(point, radius, radius)

    def paint_swatch(self, painter: QPainter, rect: QRectF, series: Series) -> None:
        colour = QColor(theme.color(series.colour))
        pen = QPen(colour, 3.0 if series.bold else 2.0)
        if series.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        y = rect.center().y()
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        if series.bold:
            painter.drawRect(QRectF(rect.center().x() - 4, y - 4, 8, 8))
        else:
            painter.drawEllipse(rect.center(), 3.0, 3.0)
