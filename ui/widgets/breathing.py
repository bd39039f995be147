"""The breathing guide: a soft circle that grows on the inhale and shrinks on the exhale, drawn every frame.

The core decides how full the circle is (companion.reset.patterns.breath_scale, from the session's
monotonic clock); this widget only draws it. The reset window drives it from a QVariantAnimation, which runs
on Qt's animation timer (one tick per display frame), so the circle moves without visible steps. Only the
area the circle covers is repainted. A faint ring marks the full breath, so the eye knows where "full" is.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QRadialGradient
from PySide6.QtWidgets import QSizePolicy, QWidget

from companion.reset.patterns import DRIFT, LARGE
from ui import theme


class BreathingWidget(QWidget):
    def __init__(self, reduced_motion: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reduced_motion = reduced_motion
        self.scale = DRIFT
        self.progress = 0.0  # how much of the reset has passed (0..1): an arc along the full-breath ring
        self.frames_painted = 0  # for the benchmark (bench/reset_window.py): paints actually done
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # it paints its whole area itself
        side = self.minimum_side()
        self.setMinimumSize(side, side)
        self.setAccessibleName("Breathing guide")
        self.setAccessibleDescription("A circle that grows as you breathe in and shrinks as you breathe out")

    @staticmethod
    def minimum_side() -> int:
        return theme.space(7) * 6  # 288 at the standard font size; grows with the system font

    def sizeHint(self) -> QSize:
        side = self.minimum_side() + theme.space(7)
        return QSize(side, side)

    def set_scale(self, scale: float, progress: float | None = None) -> None:
        """Show the circle at ``scale`` (SMALL..LARGE) and, if given, the reset's progress (0..1) along the
        ring; repaints only the circle's square, and only when something visibly changed."""
        progress = self.progress if progress is None else min(1.0, max(0.0, progress))
        if abs(scale - self.scale) <= 1e-4 and abs(progress - self.progress) * 360 < 1.0:
            return
        before = self._circle_rect(self.scale)
        self.scale, self.progress = scale, progress
        self.update(before.united(self._circle_rect(scale)))

    def _radius(self, scale: float) -> float:
        return min(self.width(), self.height()) / 2 * 0.86 * scale

    def _ring(self) -> float:
        """The ring just outside the full breath; the reset's progress runs along it."""
        return min(self.width(), self.height()) / 2 * 0.95

    def _circle_rect(self, scale: float) -> QRect:
        radius = self._ring() + theme.space(1)  # the ring and its arc are repainted with the circle
        centre = QPointF(self.width() / 2, self.height() / 2)
        return QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius).toAlignedRect()

    def paintEvent(self, event: object) -> None:
        self.frames_painted += 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(event.rect(), theme.qcolor("window"))  # type: ignore[attr-defined]
        centre = QPointF(self.width() / 2, self.height() / 2)
        full = self._ring()
        ring = QColor(theme.qcolor("breath_outer"))
        ring.setAlphaF(0.35)
        painter.setPen(QPen(ring, max(1.0, theme.space(1) / 2)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, full, full)
        radius = self._radius(self.scale)
        gradient = QRadialGradient(centre, max(radius, 1.0))
        gradient.setColorAt(0.0, theme.qcolor("breath_inner"))
        gradient.setColorAt(0.75, theme.qcolor("breath_inner").darker(104))
        gradient.setColorAt(1.0, theme.qcolor("breath_outer"))
        painter.setPen(QPen(theme.qcolor("breath_outer"), 1.0))
        painter.setBrush(gradient)
        painter.drawEllipse(centre, radius, radius)
        if self.progress > 0:  # the time that has passed, clockwise from the top
            arc = QPen(theme.qcolor("accent"), max(2.0, theme.space(1) * 0.75))
            arc.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(arc)
            painter.drawArc(QRectF(centre.x() - full, centre.y() - full, 2 * full, 2 * full), 90 * 16,
                            -round(self.progress * 360 * 16))
        painter.end()
