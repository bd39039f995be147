"""The huddle board's look (Voice of the Customer): obstacle cards that take keyboard focus, the +1 count,
the "acted on" line and the empty state. ui/theme/style.py appends these rules to the app stylesheet.

Every colour is a palette token, so light, dark and both high contrasts follow; state is never colour alone
(an acted-on card says "Acted on" beside its icon).
"""
from __future__ import annotations

from ui.theme.data import PALETTES

CATEGORY_ICONS = {"tools": "voice-tools", "rights": "voice-rights", "process": "voice-process",
                  "knowledge": "voice-knowledge", "customer": "voice-customer", "other": "voice-other"}


def rules(scheme: str, space, radius, edge: int) -> list[str]:
    from ui import theme

    c = PALETTES[scheme]
    s, r = space, radius
    focus = edge + 1
    return [
        f"QFrame[role=\"obstacle-card\"] {{ background: {c['surface']}; border: {edge}px solid {c['border']};"
        f" border-radius: {r('large')}px; }}",
        f"QFrame[role=\"obstacle-card\"]:focus {{ border: {focus}px solid {c['focus']}; }}",
        f"QFrame[role=\"obstacle-card\"][acted=\"true\"] {{ background: {c['surface_alt']}; }}",
        f"QFrame[role=\"obstacle-card\"] QLabel {{ background: transparent; border: none; }}",
        f"QLabel[role=\"vote-count\"] {{ font-size: {theme.point_size('title')}pt; font-weight: 600;"
        f" color: {c['text']}; }}",
        f"QFrame[role=\"board-empty\"] {{ background: {c['surface_alt']}; border: {edge}px dashed"
        f" {c['border_strong']}; border-radius: {r('large')}px; }}",
        f"QFrame[role=\"board-empty\"] QLabel {{ background: transparent; }}",
        f"QScrollArea[role=\"board\"] {{ background: transparent; border: none; }}",
        f"QWidget[role=\"board-content\"] {{ background: {c['window']}; }}",
        f"QPushButton[role=\"vote\"] {{ padding: {s(1)}px {s(3)}px; font-weight: 600; }}",
        f"QPushButton[role=\"vote\"][voted=\"true\"]:disabled {{ color: {c['success']};"
        f" border-color: {c['success']}; background: {c['surface']}; }}",
    ]
