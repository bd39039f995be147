"""The icon set (Lucide, ISC; resources/icons/lucide/), recoloured for the palette when an icon is first used.

Each SVG is read once and drawn by Qt's SVG renderer at the exact size and device-pixel ratio asked for,
so icons stay sharp at 2x and follow the palette: the normal state in the colour asked for, the disabled
state in ``text_disabled``. Nothing is loaded at start-up; icons are cached per (name, colours).
"""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap

from companion import resources
from ui.theme.data import ICONS


@lru_cache(maxsize=None)
def svg_source(name: str) -> str:
    """The SVG text of an icon by its app name (KeyError for a name the app does not ship)."""
    return resources.path(f"icons/lucide/{ICONS[name]}.svg").read_text(encoding="utf-8")


def recoloured(name: str, hex_color: str) -> bytes:
    return svg_source(name).replace("currentColor", hex_color).encode("utf-8")


class _SvgEngine(QIconEngine):
    """Draws one recoloured SVG at whatever size a view asks for."""

    def __init__(self, name: str, normal: str, disabled: str) -> None:
        super().__init__()
        self._name, self._normal, self._disabled = name, normal, disabled
        self._renderers: dict[str, object] = {}

    def _renderer(self, mode: QIcon.Mode):
        from PySide6.QtSvg import QSvgRenderer  # QtSvg loads when the first icon is drawn, not at start-up

        color = self._disabled if mode == QIcon.Mode.Disabled else self._normal
        renderer = self._renderers.get(color)
        if renderer is None:
            renderer = QSvgRenderer(QByteArray(recoloured(self._name, color)))
            self._renderers[color] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        side = min(rect.width(), rect.height())
        target = QRectF(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side)
        self._renderer(mode).render(painter, target)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._name, self._normal, self._disabled)

    def key(self) -> str:
        return "companion-svg"

    def isNull(self) -> bool:
        return False


@lru_cache(maxsize=256)
def make_icon(name: str, normal: str, disabled: str) -> QIcon:
    svg_source(name)  # a wrong name fails here, loudly, not as an empty icon
    return QIcon(_SvgEngine(name, normal, disabled))
