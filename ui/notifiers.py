"""Qt notification backends: the tray balloon (second in the chain; the toast is the last)."""
from __future__ import annotations

from PySide6.QtWidgets import QSystemTrayIcon

from companion.errors import NotifyError


class TrayBalloonNotifier:
    name = "tray"

    def __init__(self, tray: QSystemTrayIcon | None) -> None:
        self._tray = tray

    def notify(self, title: str, body: str) -> None:
        tray = self._tray
        if tray is None or not tray.isVisible() or not QSystemTrayIcon.supportsMessages():
            raise NotifyError("no system tray to show a balloon")
        tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 8000)
