"""Qt notification backends: the tray balloon (second in the chain; the toast is the last)."""
from __future__ import annotations

from PySide6.QtWidgets import QSystemTrayIcon

from companion.errors import NotifyError


NOTIFICATIONS_SERVICE = "org.freedesktop.Notifications"


def notification_daemon_available() -> bool:
    """Is a freedesktop notification daemon running (or startable) on the session bus? notify-send's
    failure is invisible through plyer, so the plyer backend asks this first."""
    from PySide6.QtDBus import QDBusConnection

    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    interface = bus.interface()
    if interface.isServiceRegistered(NOTIFICATIONS_SERVICE).value():
        return True
    activatable = interface.activatableServiceNames().value()
    return NOTIFICATIONS_SERVICE in (activatable or [])


class TrayBalloonNotifier:
    name = "tray"

    def __init__(self, tray: QSystemTrayIcon | None) -> None:
        self._tray = tray

    def notify(self, title: str, body: str) -> None:
        tray = self._tray
        if tray is None or not tray.isVisible() or not QSystemTrayIcon.supportsMessages():
            raise NotifyError("no system tray to show a balloon")
        tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 8000)
