"""The baseline for bench/startup.py: a bare PySide6 app that only shows a tray icon.

It follows the same "ready" contract as Agent Companion: when COMPANION_READY_FILE is set, it appends the line
``tray-shown`` to that file on the first event-loop turn after ``QSystemTrayIcon.show()``. The icon is the
app's own SVG (so both pay for the SVG image plugin); ``--pixmap`` draws a plain square instead.
Extra arguments (such as ``--data-dir DIR``) are ignored, so it can stand in for the real app.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "agent-companion.svg"


def _write_ready(state: str) -> None:
    target = os.environ.get("COMPANION_READY_FILE")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{state}\n")


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    if ICON.exists() and "--pixmap" not in sys.argv:
        icon = QIcon(str(ICON))
    else:
        pixmap = QPixmap(22, 22)
        pixmap.fill(QColor("#2e7d32"))
        icon = QIcon(pixmap)
    tray = QSystemTrayIcon(icon)
    tray.setToolTip("bare tray")
    tray.show()
    QTimer.singleShot(0, lambda: _write_ready("tray-shown"))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
