"""Helpers for tests that run the real `companion` process."""
from __future__ import annotations

import sys
import time
from pathlib import Path

COMPANION = str(Path(sys.executable).with_name("companion"))


def wait_for_line(path: Path, line: str, timeout: float = 30.0) -> None:
    """Wait until the app wrote `line` to its COMPANION_READY_FILE."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and line in path.read_text().splitlines():
            return
        time.sleep(0.02)
    raise AssertionError(f"{line!r} never appeared in {path}: {path.read_text() if path.exists() else '-'}")


def mapped_packages(pid: int, names: tuple[str, ...] = ("sqlalchemy", "alembic")) -> list[str]:
    """Which of these Python packages the running process has loaded, judged by its memory map: importing
    SQLAlchemy maps its compiled extensions (``sqlalchemy/engine/_result_cy...so``), so a package in this list
    was imported. Used to prove the tray app works without the ~34 MB database stack (docs/architecture.md)."""
    found = set()
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            for name in names:
                if f"/site-packages/{name}/" in line:
                    found.add(name)
    return sorted(found)
