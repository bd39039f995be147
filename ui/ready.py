"""The "ready file" contract for benchmarks and end-to-end tests (nothing is written unless it is asked for).

When COMPANION_READY_FILE names a file, the app appends one line per milestone: ``tray-shown``,
``services-ready``, ``database-error``, and each time a tray menu (or one of its submenus) opens,
``menu-shown {"menu": <title>, "entries": [...]}`` with the texts of the entries that can be chosen (enabled,
visible, no separators) in order. The e2e harness (tests/e2e/agents.py) uses that to pick an entry by its
text with the keyboard and to know the menu really is open before it takes a screenshot.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import QMenu

READY_FILE_ENV = "COMPANION_READY_FILE"


def write_ready(line: str) -> None:
    target = os.environ.get(READY_FILE_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{line}\n")


def report_menu(menu: QMenu, name: str) -> None:
    if not os.environ.get(READY_FILE_ENV):
        return
    import json  # not on the path to the tray icon

    entries = [a.text() for a in menu.actions() if a.isVisible() and a.isEnabled() and not a.isSeparator()]
    write_ready("menu-shown " + json.dumps({"menu": name, "entries": entries}, ensure_ascii=False))
