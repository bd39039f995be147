"""Icons from resources/ (SVG, rendered by Qt's SVG icon engine)."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from companion import resources


@lru_cache(maxsize=None)
def state_icon(state: str) -> QIcon:
    return QIcon(str(resources.path(f"icons/state-{state}.svg")))


@lru_cache(maxsize=None)
def app_icon() -> QIcon:
    return QIcon(str(resources.path("icons/agent-companion.svg")))
