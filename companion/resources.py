"""Locating shipped resources (icons, sounds, desktop entries) in the installed or frozen package."""
from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

REQUIRED = (
    "icons/agent-companion.svg",
    "icons/state-ready.svg",
    "icons/state-on_call.svg",
    "icons/state-reset.svg",
    "icons/state-paused.svg",
    "icons/state-offline.svg",
    "sounds/chime.wav",
    "agent-companion.desktop",
)


def path(name: str) -> Path:
    """A real filesystem path for a resource (the package is installed as files, also when frozen)."""
    with as_file(files("companion_resources").joinpath(name)) as p:
        return Path(p)


def missing() -> list[str]:
    return [name for name in REQUIRED if not path(name).is_file()]
