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
