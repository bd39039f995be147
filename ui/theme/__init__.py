"""The design system: one place for colours, spacing, type, radii, icons and the window-title pattern.

Windows never write a colour, a pixel size or a font size of their own; they ask here::

    from ui import theme
    theme.color("accent")          # "#2459a6" in the light scheme
    theme.qcolor("error")          # a QColor
    theme.space(3)                 # 12 (device-independent px, grows with the system font)
    theme.font("title")            # the system font, 1.45x, semibold
    theme.icon("breathe")          # a QIcon in the text colour (theme.icon("error", "error") in red)
    theme.set_role(label, "muted") # styled by the app stylesheet (roles: see ui/theme/style.py)
    theme.window_title("My day")   # "Agent Companion — My day"

The scheme follows the OS (``QStyleHints.colorScheme()`` and the accessibility contrast preference, both
watched for changes); ``COMPANION_THEME=light|dark|high-contrast|high-contrast-light|high-contrast-dark``
overrides it (for testing, or an agent who wants it).

The composition root calls :func:`start` before the tray shows (cheap: the override or the light scheme) and
:func:`follow_os` on the first event-loop turn after it: asking the OS for its scheme costs ~40 ms the first
time (Qt's enum namespace loads), which the tray should not wait for. No window is open before then.
"""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from ui.theme.data import (DARK, HC_DARK, HC_LIGHT, HIGH_CONTRAST, LIGHT, PALETTES, RADII, SCHEMES, SEMANTIC,
                             SPACE, TYPE, Semantic, window_title)

if TYPE_CHECKING:
    from PySide6.QtGui import QColor, QFont, QIcon
    from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["ENV", "SCHEMES", "apply", "color", "current", "detect", "follow_os", "font", "icon", "is_high_contrast",
           "qcolor", "radius", "semantic", "set_icon", "set_role", "space", "start", "tokens", "window_title"]

log = logging.getLogger(__name__)
ENV = "COMPANION_THEME"
ALIASES = {"high-contrast": None, "hc": None}  # "high-contrast" follows the OS's light or dark

_scheme = LIGHT
_base_point_size = 10.0   # the system font's size when the theme was applied
_installed = False  # following the OS's changes
_styled = False     # the Fusion style and the base font size are set


# -- which scheme -------------------------------------------------------------------------------------
def detect(hints=None, env: str | None = None) -> str:
    """The scheme to use: the override if set, else what the OS says (dark? high contrast?)."""
    dark = high = False
    if hints is not None:
        from PySide6.QtCore import Qt

        dark = hints.colorScheme() == Qt.ColorScheme.Dark
        accessibility = getattr(hints, "accessibility", None)  # Qt 6.10+
        if accessibility is not None:
            high = accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast
    wanted = (os.environ.get(ENV, "") if env is None else env).strip().lower()
    if wanted in SCHEMES:
        return wanted
    if wanted in ALIASES:
        return HC_DARK if dark else HC_LIGHT
    if wanted:
        log.warning("%s=%r is not one of %s; following the desktop", ENV, wanted,
                    ", ".join((*SCHEMES, "high-contrast")))
    if high:
        return HC_DARK if dark else HC_LIGHT
    return DARK if dark else LIGHT


def current() -> str:
    return _scheme


def is_high_contrast() -> bool:
    return _scheme in HIGH_CONTRAST


# -- tokens -------------------------------------------------------------------------------------------
def tokens(scheme: str | None = None) -> dict:
    """Every token of a scheme (the current one by default) as plain data."""
    name = scheme or _scheme
    return {"scheme": name, "colors": dict(PALETTES[name]), "space": SPACE, "radii": dict(RADII),
            "type": dict(TYPE), "semantic": dict(SEMANTIC)}


def color(name: str) -> str:
    """A colour of the current scheme as "#rrggbb" (KeyError for a name the palette lacks)."""
    return PALETTES[_scheme][name]


def qcolor(name: str) -> QColor:
    from PySide6.QtGui import QColor

    return QColor(color(name))


def _font_factor() -> float:
    return max(1.0, _base_point_size / 10.0)


def space(step: int) -> int:
    """A spacing step (0-7 on a 4 px grid), grown in proportion when the system font is larger than 10 pt."""
    return round(SPACE[step] * _font_factor())


def radius(name: str = "medium") -> int:
    return RADII[name]


def point_size(role: str) -> float:
    return round(_base_point_size * TYPE[role].scale, 1)


def font(role: str = "body") -> QFont:
    """The system font at a step of the type scale."""
    from PySide6.QtGui import QFont, QGuiApplication

    style = TYPE[role]
    result = QFont(QGuiApplication.font())
    result.setPointSizeF(point_size(role))
    result.setWeight(QFont.Weight(style.weight))
    return result


def semantic(kind: str) -> Semantic:
    """success, warning, error, info: a colour name, its background, an icon and a word."""
    return SEMANTIC[kind]


# -- icons --------------------------------------------------------------------------------------------
def icon(name: str, color_name: str = "text") -> QIcon:
    """An icon of the set in a palette colour (disabled: ``text_disabled``); cached, drawn at any size."""
    from ui.theme.icons import make_icon

    palette = PALETTES[_scheme]
    return make_icon(name, palette[color_name], palette["text_disabled"])


def set_icon(widget: QWidget, name: str, color_name: str = "text") -> None:
    """Give a button/action/label an icon that is redrawn when the scheme changes."""
    widget.setProperty("themeIcon", f"{name}:{color_name}")
    _apply_icon(widget, name, color_name)


def _apply_icon(widget, name: str, color_name: str) -> None:
    from PySide6.QtWidgets import QLabel

    if isinstance(widget, QLabel):
        side = widget.fontMetrics().height()
        widget.setPixmap(icon(name, color_name).pixmap(side, side))
    else:
        widget.setIcon(icon(name, color_name))


def set_role(widget: QWidget, role: str) -> None:
    """Style a widget by a role of the app stylesheet (ui/theme/style.py: muted, title, card, primary…)."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


# -- applying -----------------------------------------------------------------------------------------
def start(app: QApplication) -> str:
    """Before the tray shows: the override if one is set, else the light scheme until :func:`follow_os`."""
    return apply(app, detect(None))


def follow_os(app: QApplication) -> str:
    """Take the OS's scheme now and follow its changes from here on (light/dark, high contrast)."""
    global _installed
    if not _installed:
        _installed = True
        hints = app.styleHints()
        hints.colorSchemeChanged.connect(lambda *_: _follow_os(app))
        accessibility = getattr(hints, "accessibility", None)
        if accessibility is not None:
            accessibility().contrastPreferenceChanged.connect(lambda *_: _follow_os(app))
    _follow_os(app)
    return _scheme


def apply(app: QApplication, scheme: str | None = None) -> str:
    """Apply the palette and the stylesheet of a scheme (by default the one the OS asks for) to the whole app."""
    global _scheme, _base_point_size, _styled
    if not _styled:
        _styled = True
        if app.style().name().lower() != "fusion":  # the same widgets on every OS, drawn from our palette
            app.setStyle("Fusion")
        point = app.font().pointSizeF()
        _base_point_size = point if point > 0 else 10.0
    _scheme = scheme or detect(app.styleHints())
    from ui.theme.style import palette, stylesheet

    sheet = stylesheet(_scheme)
    with _no_gc_while_walking_widgets():
        app.setPalette(palette(PALETTES[_scheme]))
        app.setStyleSheet(sheet)
    return _scheme


def _follow_os(app: QApplication) -> None:
    before = _scheme
    wanted = detect(app.styleHints())
    if wanted != before:
        with _no_gc_while_walking_widgets():
            apply(app, wanted)
            log.info("theme changed to %s", _scheme)
            _refresh_icons(app)


class _no_gc_while_walking_widgets:
    """Collect garbage first, then none while Qt (or we) walk every widget: a closed window that only a
    reference cycle kept alive, collected in the middle of ``setStyleSheet``'s walk or of ``allWidgets()``,
    is a dangling pointer in that walk (a segfault seen with the kudos windows, issue 11)."""

    def __enter__(self) -> None:
        import gc

        gc.collect()
        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        import gc

        if self._was:
            gc.enable()


def _refresh_icons(app: QApplication) -> None:
    for widget in app.allWidgets():
        spec = widget.property("themeIcon")
        if isinstance(spec, str) and ":" in spec:
            name, color_name = spec.split(":", 1)
            _apply_icon(widget, name, color_name)


def _reset_for_tests() -> None:
    """Forget the installed state (tests apply schemes one after another)."""
    global _scheme
    _scheme = LIGHT
