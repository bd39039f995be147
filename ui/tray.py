"""The tray icon and its menu (rebuilt each time it opens, so it always tells the current state).

Where the desktop has no system tray (offscreen, some Wayland sessions) a small stand-in window with the
same menu takes its place.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QToolButton, QVBoxLayout, QWidget

from companion import APP_NAME
from companion.reset.patterns import PRESETS
from companion.status import LABELS, OFFLINE, ON_CALL, PAUSED, TEAM_PROBLEMS
from ui.icons import app_icon, state_icon
from ui.ready import report_menu
from ui.widgets.text import plain_label


class TrayMenu(QObject):
    """Builds the menu from the desk's state. Emits what the agent asked for; the controller acts."""

    reset_requested = Signal(int, object)   # minutes, pattern key or None
    pause_requested = Signal(object)        # minutes (int) or "tomorrow"
    resume_requested = Signal()
    call_start_requested = Signal()
    call_end_requested = Signal(bool)       # tough
    my_day_requested = Signal()
    kudos_requested = Signal()              # team (issue 3)
    feed_requested = Signal()
    voice_requested = Signal()
    breath_requested = Signal()
    checklists_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(self, status_provider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status_provider
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild)
        self.menu.aboutToShow.connect(lambda: report_menu(self.menu, "tray"))  # after rebuild: what it offers
        self.rebuild()

    def rebuild(self) -> None:
        status = self._status()
        menu = self.menu
        for submenu in menu.findChildren(QMenu):  # clear() keeps submenus alive: drop them too
            submenu.setParent(None)
            submenu.deleteLater()
        menu.clear()
        header = menu.addAction(state_line(status))
        header.setEnabled(False)
        menu.addSeparator()

        on_call = status["state"] == ON_CALL
        in_reset = status["state"] == "reset"
        reset_menu = menu.addMenu("Reset")
        reset_menu.setEnabled(not on_call and not in_reset)
        if on_call:
            reset_menu.setTitle("Reset (not during a call)")
        for label, pattern, minutes in PRESETS:
            action = reset_menu.addAction(label)
            action.triggered.connect(lambda _=False, m=minutes, p=pattern: self.reset_requested.emit(m, p))

        if on_call:
            menu.addAction("End call").triggered.connect(lambda: self.call_end_requested.emit(False))
            menu.addAction("End call (it was a tough one)").triggered.connect(
                lambda: self.call_end_requested.emit(True))
        else:
            menu.addAction("Start a call").triggered.connect(self.call_start_requested.emit)

        pause_menu = menu.addMenu("Pause notifications")
        if status.get("paused_until"):
            pause_menu.addAction("Resume now").triggered.connect(self.resume_requested.emit)
            pause_menu.addSeparator()
        for label, value in (("For 30 minutes", 30), ("For 1 hour", 60), ("Until tomorrow", "tomorrow")):
            pause_menu.addAction(label).triggered.connect(lambda _=False, v=value: self.pause_requested.emit(v))

        menu.addSeparator()  # team (issue 3)
        menu.addAction("Send kudos…").triggered.connect(self.kudos_requested.emit)
        unread = status.get("unread_kudos") or 0
        menu.addAction(f"Team feed ({unread} new)" if unread else "Team feed").triggered.connect(
            self.feed_requested.emit)
        menu.addAction("Voice of the Customer…").triggered.connect(self.voice_requested.emit)
        if status.get("lead"):
            menu.addAction("Group deep breath…").triggered.connect(self.breath_requested.emit)

        menu.addSeparator()
        menu.addAction("Checklists…").triggered.connect(self.checklists_requested.emit)
        menu.addAction("My day / week").triggered.connect(self.my_day_requested.emit)
        menu.addAction("Settings").triggered.connect(self.settings_requested.emit)
        menu.addSeparator()
        menu.addAction("Quit").triggered.connect(self.quit_requested.emit)
        for submenu in menu.findChildren(QMenu):  # e2e tests and benchmarks (ui/ready.py): what a submenu offers
            submenu.aboutToShow.connect(lambda m=submenu: report_menu(m, m.title()))

    def action(self, text: str) -> QAction | None:
        """Find an action by its text, in the menu or its submenus (for tests and the stand-in)."""
        for action in self.menu.actions():
            if action.text() == text:
                return action
            if action.menu() is not None:
                for sub in action.menu().actions():
                    if sub.text() == text:
                        return sub
        return None


def describe(status: dict) -> str:
    text = LABELS[status["state"]]
    if status.get("call_ref"):
        text += f" ({status['call_ref']})"
    if status.get("paused_until"):  # also said on a call or in a reset: the pause outlasts them
        until = datetime.fromisoformat(status["paused_until"]).astimezone()
        if status["state"] == PAUSED:
            text = f"Notifications paused until {until:%H:%M}"
        else:
            text += f"; notifications paused until {until:%H:%M}"
    if status["state"] == OFFLINE:  # what waits is the team hub's outbox: "Team hub offline — 3 waiting"
        text = TEAM_PROBLEMS.get(status.get("team_problem") or "", text)
        return f"{text} — {status.get('team_waiting', 0)} waiting"
    if status.get("waiting_notifications"):
        text += f" — {status['waiting_notifications']} waiting"
    return text


def state_line(status: dict) -> str:
    """The tray's tooltip and state line: ``describe`` plus whether automatic call detection works (only here,
    not in ``companion status``, whose text scripts compare)."""
    text = describe(status)
    if status.get("detection") == "unavailable":  # ui/detection.py
        text += "; call detection unavailable"
    return text


class StandInWindow(QWidget):
    """Takes the tray's place where no system tray exists: the state and the same menu."""

    def __init__(self, menu: QMenu) -> None:
        super().__init__()  # no parent: a top-level window
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        self.state_label = plain_label("")
        layout.addWidget(self.state_label)
        self.menu_button = QToolButton()
        self.menu_button.setText("Menu")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setMenu(menu)
        layout.addWidget(self.menu_button)
        self.resize(260, 90)

    def closeEvent(self, event: QCloseEvent) -> None:  # closing the stand-in minimises; Quit quits
        event.ignore()
        self.showMinimized()


class Tray(QObject):
    """The tray icon when there is a system tray, else the stand-in window. One API for both."""

    def __init__(self, menu: TrayMenu, status_provider, use_tray: bool | None = None) -> None:
        super().__init__()
        self.menu = menu
        self._status = status_provider
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon: QSystemTrayIcon | None = None
        self.standin: StandInWindow | None = None
        if use_tray:
            self.icon = QSystemTrayIcon(state_icon("ready"))
            self.icon.setContextMenu(menu.menu)
            self.icon.activated.connect(self._activated)
        else:
            self.standin = StandInWindow(menu.menu)
        self.state = "ready"

    def show(self) -> None:
        self.refresh()
        if self.icon is not None:
            self.icon.show()
        elif self.standin is not None:
            self.standin.show()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
        if self.standin is not None:
            self.standin.hide()
            self.standin.deleteLater()
            self.standin = None

    def refresh(self) -> None:
        status = self._status()
        self.state = status["state"]
        text = f"{APP_NAME} — {state_line(status)}"
        if self.icon is not None:
            self.icon.setIcon(state_icon(self.state))
            self.icon.setToolTip(text)
        if self.standin is not None:
            self.standin.setWindowIcon(state_icon(self.state))
            self.standin.state_label.setText(state_line(status))

    def bring_forward(self) -> None:
        if self.standin is not None:
            self.standin.showNormal()
            self.standin.raise_()
            self.standin.activateWindow()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger and self.icon is not None:
            geometry = self.icon.geometry()
            self.menu.menu.popup(geometry.center() if geometry.isValid() else self.menu.menu.pos())
