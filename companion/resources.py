"""Locating shipped resources (icons, sounds, desktop entries) in the installed or frozen package."""
from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

REQUIRED = (
    "icons/agent-companion.svg",
    "icons/state-ready.svg",
    "icons/state-on_call.svg",
    "icons/state-reset.svg",
    "icons/state-paused.svg",
    "icons/state-offline.svg",
    "sounds/chime.wav",
    "sounds/pace.wav",
    "agent-companion.desktop",
    "checklists/moment-of-truth.json",
    "checklists/deescalation.json",
    "checklists/template.schema.json",
)


@lru_cache(maxsize=1)
def _root() -> Path:
    # The package is always installed as real files (wheel, editable, PyInstaller one-folder), so its
    # folder is enough; importlib.resources would cost start-up time for nothing.
    spec = find_spec("companion_resources")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the companion_resources package is missing from this installation")
    return Path(list(spec.submodule_search_locations)[0])


def path(name: str) -> Path:
    """A real filesystem path for a shipped resource."""
    return _root() / name


def missing() -> list[str]:
    return [name for name in REQUIRED if not path(name).is_file()]
