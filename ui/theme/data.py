"""The design tokens (plain data, no Qt: tests and tools read them without a display).

Four schemes share one set of colour names. Text sizes are factors of the system font (so text follows
the desktop's font size and ``QT_SCALE_FACTOR``); spacing and radii are device-independent pixels on a
4-pixel grid, scaled with the system font by :func:`ui.theme.space`.
"""
from __future__ import annotations

from typing import NamedTuple

LIGHT, DARK, HC_LIGHT, HC_DARK = "light", "dark", "high-contrast-light", "high-contrast-dark"
SCHEMES = (LIGHT, DARK, HC_LIGHT, HC_DARK)
HIGH_CONTRAST = (HC_LIGHT, HC_DARK)

# Every scheme defines exactly these names (tests/ui/test_theme.py checks it).
COLOR_NAMES = (
    "window",          # the window background
    "surface",         # cards, inputs, lists, menus
    "surface_alt",     # alternate rows, quiet panels, disabled buttons
    "surface_hover",   # a button or row under the pointer
    "text",            # body text
    "text_muted",      # secondary text (still >= 4.5:1 on window and surface)
    "text_disabled",   # disabled controls (WCAG exempts them; kept >= 3:1 anyway where possible)
    "border",          # quiet separators and card edges
    "border_strong",   # edges that identify a control (>= 3:1 on its background, WCAG 1.4.11)
    "accent",          # the primary action, selection, links
    "accent_hover",
    "on_accent",       # text and icons on accent
    "focus",           # the keyboard focus ring
    "success", "success_bg",
    "warning", "warning_bg",
    "error", "error_bg",
    "info", "info_bg",
    "breath_inner", "breath_outer",   # the breathing circle's gradient
    "chart_1", "chart_2", "chart_3", "chart_4", "chart_5", "chart_6",  # My week's series
)

PALETTES: dict[str, dict[str, str]] = {
    LIGHT: {
        "window": "#f5f7fa", "surface": "#ffffff", "surface_alt": "#eceff4", "surface_hover": "#e3e9f2",
        "text": "#1a1f27", "text_muted": "#4f5866", "text_disabled": "#7c8490",
        "border": "#d5dbe3", "border_strong": "#7d8796",
        "accent": "#2459a6", "accent_hover": "#1c4a8c", "on_accent": "#ffffff", "focus": "#1f6fd6",
        "success": "#1c6b3a", "success_bg": "#e3f4e9",
        "warning": "#7f4d00", "warning_bg": "#fdf0d9",
        "error": "#b0261b", "error_bg": "#fce6e4",
        "info": "#1f5a9e", "info_bg": "#e2edf9",
        "breath_inner": "#d6e8fa", "breath_outer": "#7fb0e0",
        "chart_1": "#2f67ab", "chart_2": "#b8691c", "chart_3": "#3c8a4f", "chart_4": "#9c3f87",
        "chart_5": "#24808a", "chart_6": "#6b5bb5",
    },
    DARK: {
        "window": "#15181d", "surface": "#1e232a", "surface_alt": "#262c35", "surface_hover": "#2e3642",
        "text": "#e7eaef", "text_muted": "#a8b1be", "text_disabled": "#6f7886",
        "border": "#353d48", "border_strong": "#7d8898",
        "accent": "#7cb2f2", "accent_hover": "#9cc6f6", "on_accent": "#0c1320", "focus": "#8ec0ff",
        "success": "#6fd29a", "success_bg": "#15301f",
        "warning": "#f2bd5c", "warning_bg": "#342710",
        "error": "#ff8f85", "error_bg": "#3a1a18",
        "info": "#82bbf5", "info_bg": "#16283d",
        "breath_inner": "#3d6da3", "breath_outer": "#1f3d63",
        "chart_1": "#7cb2f2", "chart_2": "#f0a35e", "chart_3": "#72c98a", "chart_4": "#e08ad0",
        "chart_5": "#5fc8d2", "chart_6": "#ab9cf2",
    },
    HC_LIGHT: {
        "window": "#ffffff", "surface": "#ffffff", "surface_alt": "#f0f0f0", "surface_hover": "#dde8ff",
        "text": "#000000", "text_muted": "#1f1f1f", "text_disabled": "#595959",
        "border": "#000000", "border_strong": "#000000",
        "accent": "#0000b8", "accent_hover": "#000080", "on_accent": "#ffffff", "focus": "#0000b8",
        "success": "#004d1a", "success_bg": "#ffffff",
        "warning": "#5a3300", "warning_bg": "#ffffff",
        "error": "#8c0000", "error_bg": "#ffffff",
        "info": "#00307a", "info_bg": "#ffffff",
        "breath_inner": "#ffffff", "breath_outer": "#0000b8",
        "chart_1": "#0000b8", "chart_2": "#8c0000", "chart_3": "#004d1a", "chart_4": "#5a3300",
        "chart_5": "#5a005a", "chart_6": "#000000",
    },
    HC_DARK: {
        "window": "#000000", "surface": "#000000", "surface_alt": "#141414", "surface_hover": "#1f2a44",
        "text": "#ffffff", "text_muted": "#e6e6e6", "text_disabled": "#a6a6a6",
        "border": "#ffffff", "border_strong": "#ffffff",
        "accent": "#ffe14d", "accent_hover": "#fff08c", "on_accent": "#000000", "focus": "#ffe14d",
        "success": "#7dff9e", "success_bg": "#000000",
        "warning": "#ffd166", "warning_bg": "#000000",
        "error": "#ff9c9c", "error_bg": "#000000",
        "info": "#9cd3ff", "info_bg": "#000000",
        "breath_inner": "#000000", "breath_outer": "#ffe14d",
        "chart_1": "#ffe14d", "chart_2": "#9cd3ff", "chart_3": "#7dff9e", "chart_4": "#ff9cf0",
        "chart_5": "#ffffff", "chart_6": "#ffb36b",
    },
}

# Text/background pairs that must read: (text, background). Each needs 4.5:1 (7:1 in high contrast).
TEXT_PAIRS = (
    ("text", "window"), ("text", "surface"), ("text", "surface_alt"), ("text", "surface_hover"),
    ("text_muted", "window"), ("text_muted", "surface"), ("text_muted", "surface_alt"),
    ("on_accent", "accent"), ("on_accent", "accent_hover"), ("accent", "window"), ("accent", "surface"),
    ("success", "success_bg"), ("success", "window"), ("success", "surface"),
    ("warning", "warning_bg"), ("warning", "window"), ("warning", "surface"),
    ("error", "error_bg"), ("error", "window"), ("error", "surface"),
    ("info", "info_bg"), ("info", "window"), ("info", "surface"),
)
# Non-text edges a person must see (control boundaries, focus ring): 3:1 (WCAG 1.4.11).
EDGE_PAIRS = (("border_strong", "surface"), ("border_strong", "window"), ("focus", "window"), ("focus", "surface"))


class Semantic(NamedTuple):
    color: str    # a colour name in the palette
    bg: str       # its quiet background
    icon: str     # an icon name (ICONS)
    word: str     # the word shown beside it: state is never colour alone


SEMANTIC: dict[str, Semantic] = {
    "success": Semantic("success", "success_bg", "success", "Done"),
    "warning": Semantic("warning", "warning_bg", "warning", "Warning"),
    "error": Semantic("error", "error_bg", "error", "Error"),
    "info": Semantic("info", "info_bg", "info", "Note"),
}

# Spacing steps in device-independent pixels (space(0) .. space(7)).
SPACE = (0, 4, 8, 12, 16, 24, 32, 48)
# Corner radii.
RADII = {"small": 4, "medium": 8, "large": 12, "round": 999}


class TextStyle(NamedTuple):
    scale: float   # a factor of the system font's size
    weight: int    # a CSS/QFont weight (400 normal, 600 semibold, 700 bold)


# The type scale: every size is relative to the system font (text grows with the desktop's setting).
TYPE: dict[str, TextStyle] = {
    "caption": TextStyle(0.9, 400),
    "body": TextStyle(1.0, 400),
    "strong": TextStyle(1.0, 600),
    "heading": TextStyle(1.2, 600),
    "title": TextStyle(1.45, 600),
    "display": TextStyle(2.2, 300),
}

# Icon names the app uses -> Lucide file names in resources/icons/lucide/ (ISC licence shipped beside them).
ICONS: dict[str, str] = {
    "breathe": "wind", "reset": "timer", "kudos": "hand-heart", "my-day": "sun", "my-week": "chart-column",
    "feed": "newspaper", "voice": "megaphone", "group-breath": "users", "checklists": "list-checks",
    "settings": "settings", "call-start": "phone", "call-end": "phone-off", "tough-call": "heart-crack",
    "pause": "bell-off", "resume": "bell", "quit": "power",
    "success": "circle-check", "warning": "triangle-alert", "error": "circle-x", "info": "info",
    "close": "x", "delete": "trash-2", "name": "user-pen", "send": "send", "save": "save", "add": "plus",
    "clock": "clock", "mood": "smile", "menu": "menu", "help": "circle-help",
    "check": "check",  # the tick inside a checked check box (ui/theme/style.py)
    "up": "chevron-up", "down": "chevron-down",  # spin box arrows
}
# the kudos windows (issue 11): the five H.E.A.R.T. categories (ui/theme/kudos.py), "new", Service Stars, Say thanks
ICONS.update({"kudos-helping": "hand-helping", "kudos-exceeding": "rocket", "kudos-achieving": "trophy",
              "kudos-responding": "heart", "kudos-teamwork": "users", "kudos-new": "sparkles",
              "kudos-stars": "party-popper", "kudos-thanks": "message-circle-heart", "kudos-star": "star"})

APP_TITLE = "Agent Companion"


def window_title(part: str | None = None) -> str:
    """The one title pattern: "Agent Companion — My day" (or just the app's name)."""
    return f"{APP_TITLE} — {part}" if part else APP_TITLE


# -- contrast (WCAG 2.x relative luminance) -------------------------------------------------------------
def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def required_text_contrast(scheme: str) -> float:
    return 7.0 if scheme in HIGH_CONTRAST else 4.5


# Voice of the Customer's board and the checklists editor (issue 11, `board`): one icon per obstacle category,
# the +1, expand/collapse, acted on; the editor's template and item actions.
ICONS.update({
    "voice-tools": "wrench", "voice-rights": "lock-keyhole", "voice-process": "workflow",
    "voice-knowledge": "graduation-cap", "voice-customer": "message-square-quote", "voice-other": "circle-ellipsis",
    "plus-one": "thumbs-up", "expand": "chevrons-up-down", "collapse": "chevrons-down-up",
    "acted-on": "check-check", "reply": "message-square-reply",
    "new": "file-plus", "duplicate": "copy", "import": "file-input", "export": "file-output",
    "publish": "share-2", "archive": "archive", "restore": "archive-restore", "use": "circle-check-big",
    "add-item": "list-plus", "remove-item": "list-minus", "move-up": "arrow-up", "move-down": "arrow-down",
})
