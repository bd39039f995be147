"""The breathing guide: a soft circle that grows on the inhale and shrinks on the exhale."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QRadialGradient
from PySide6.QtWidgets import QSizePolicy, QWidget

from companion.reset.patterns import DRIFT, Pattern, breath_scale
from companion.reset.session import Snapshot


class BreathingWidget(QWidget):
    def __init__(self, reduced_motion: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reduced_motion = reduced_motion
        self.scale = DRIFT
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Breathing guide")

    def sizeHint(self) -> QSize:
        return QSize(260, 260)

    def show_snapshot(self, pattern: Pattern, snap: Snapshot) -> None:
        scale = breath_scale(pattern, snap.phase_index, snap.phase_progress, self.reduced_motion)
        if abs(scale - self.scale) > 1e-4:
            self.scale = scale
            self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        radius = side / 2 * 0.95 * self.scale
        centre = QPointF(self.width() / 2, self.height() / 2)
        gradient = QRadialGradient(centre, max(radius, 1.0))
        gradient.setColorAt(0.0, QColor("#cfe3f7"))
        gradient.setColorAt(1.0, QColor("#7fb0e0"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawEllipse(centre, radius, radius)
        painter.end()
