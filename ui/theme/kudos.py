"""The kudos look: an icon and a palette colour per H.E.A.R.T. category, and the stylesheet rules of the kudos
widgets (category chips and badges, kudos cards, the "new" marker, the quiet fairness line).

Category colours are the palette's chart colours, so every scheme (light, dark, both high contrasts) has
them at >= 3:1 on surfaces (icons and edges; WCAG 1.4.11). Text on a badge or chip is always the body text
colour: the category is told by its name and icon, never by colour alone.
"""
from __future__ import annotations

from typing import NamedTuple

from ui.theme.data import HIGH_CONTRAST, PALETTES


class Look(NamedTuple):
    icon: str    # an app icon name (ui.theme.data.ICONS, the kudos block)
    color: str   # a palette colour name


CATEGORY_LOOK: dict[str, Look] = {
    "helping": Look("kudos-helping", "chart_3"),
    "exceeding": Look("kudos-exceeding", "chart_6"),
    "achieving": Look("kudos-achieving", "chart_2"),
    "responding": Look("kudos-responding", "chart_4"),
    "teamwork": Look("kudos-teamwork", "chart_1"),
}



def _mix(color: str, base: str, amount: float) -> str:
    """``amount`` of ``color`` over ``base`` (a quiet tint for a badge's background)."""
    a = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(base[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x * amount + y * (1 - amount)):02x}" for x, y in zip(a, b))


def tint(key: str, scheme: str) -> str:
    """The background of a category's badge/chip in ``scheme`` (plain surface in high contrast)."""
    c = PALETTES[scheme]
    if scheme in HIGH_CONTRAST:
        return c["surface"]
    return _mix(c[CATEGORY_LOOK[key].color], c["surface"], 0.14 if scheme == "light" else 0.22)


def rules(scheme: str, space, radius, edge: int) -> list[str]:
    """Stylesheet rules of the kudos widgets for ``scheme`` (ui/theme/style.py appends them)."""
    c = PALETTES[scheme]
    s, r = space, radius
    focus = edge + 1
    out = [
        # a kudos card: a surface that takes keyboard focus (the ring is drawn, the size does not change)
        f"QFrame[role=\"kudos-card\"] {{ background: {c['surface']}; border: {edge}px solid {c['border']};"
        f" border-radius: {r('large')}px; }}",
        f"QFrame[role=\"kudos-card\"]:focus {{ border: {focus}px solid {c['focus']}; }}",
        f"QFrame[role=\"kudos-card\"][fresh=\"true\"] {{ border-left: {s(1)}px solid {c['accent']}; }}",
        f"QFrame[role=\"kudos-card\"][fresh=\"true\"]:focus {{ border: {focus}px solid {c['focus']};"
        f" border-left: {s(1)}px solid {c['focus']}; }}",
        f"QFrame[role=\"kudos-card\"] QLabel {{ background: transparent; border: none; }}",
        f"QLabel[role=\"kudos-new\"] {{ color: {c['accent']}; font-weight: 600; }}",
        f"QFrame[role=\"stars-card\"] {{ background: {c['surface']}; border: {edge}px solid {c['border']};"
        f" border-radius: {r('large')}px; }}",
        f"QFrame[role=\"stars-card\"]:focus {{ border: {focus}px solid {c['focus']}; }}",
        f"QFrame[role=\"stars-card\"] QLabel {{ background: transparent; border: none; }}",
        f"QFrame[role=\"empty\"] {{ background: {c['surface_alt']}; border: {edge}px dashed {c['border_strong']};"
        f" border-radius: {r('large')}px; }}",
        f"QFrame[role=\"empty\"] QLabel {{ background: transparent; }}",
        # the fairness line's names: links, underlined (not colour alone)
        f"QPushButton[role=\"link\"] {{ background: transparent; color: {c['accent']}; border: {edge}px solid"
        f" transparent; padding: 0 {s(1)}px; min-height: 0; text-decoration: underline; }}",
        f"QPushButton[role=\"link\"]:hover {{ background: {c['surface_hover']}; }}",
        f"QPushButton[role=\"link\"]:focus {{ border: {edge}px solid {c['focus']}; padding: 0 {s(1)}px; }}",
    ]
    for key, look in CATEGORY_LOOK.items():
        color, bg = c[look.color], tint(key, scheme)
        ring = c["text"] if c["focus"].lower() == color.lower() else c["focus"]  # a ring unlike the chip's edge
        out += [
            f"QFrame[role=\"kudos-badge\"][category=\"{key}\"] {{ background: {bg};"
            f" border: {edge}px solid {color}; border-radius: {r('medium')}px; }}",
            f"QFrame[role=\"kudos-badge\"] QLabel {{ background: transparent; border: none; color: {c['text']}; }}",
            f"QRadioButton[role=\"chip\"][category=\"{key}\"] {{ background: {c['surface']}; color: {c['text']};"
            f" border: {edge}px solid {color}; border-radius: {r('medium')}px; padding: {s(1)}px {s(2)}px; }}",
            f"QRadioButton[role=\"chip\"][category=\"{key}\"]:checked {{ background: {bg};"
            f" border: {edge + 1}px solid {color}; font-weight: 600; }}",
            f"QRadioButton[role=\"chip\"][category=\"{key}\"]:hover {{ background: {c['surface_hover']}; }}",
            f"QRadioButton[role=\"chip\"][category=\"{key}\"]:focus {{ border: {edge + 1}px solid {ring}; }}",
        ]
    return out
