"""The tray icon and its menu (rebuilt each time it opens, so it always tells the current state).

A left click opens the quick panel (ui/widgets/quick_panel.py: Breathe, Send kudos, My day as big targets);
the right click opens the full menu. Where the desktop has no system tray (offscreen, some Wayland sessions) a
small stand-in window shows the same quick actions and the same menu.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QToolButton, QVBoxLayout, QWidget, QWidgetAction

from companion import APP_NAME
from companion.reset.patterns import PRESETS
from companion.status import LABELS, OFFLINE, ON_CALL, PAUSED, TEAM_PROBLEMS
from ui import theme
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
    checklist_show_requested = Signal()     # "Show the checklist": the panel hidden with Esc, same call
    offer_requested = Signal()              # "Take the offered reset" while a reset offer lives
    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(self, status_provider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status_provider
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild)
        self.menu.aboutToShow.connect(lambda: report_menu(self.menu, "tray"))  # after rebuild: what it offers
        self._opened = False  # the first build is before the tray shows: icons and the header label come when
        self.rebuild()        # the menu opens (no SVGs read, no Qt enum namespace loaded on the way to the tray)
        self._opened = True

    def _icon(self, name: str) -> QIcon:
        return theme.icon(name) if self._opened else QIcon()

    def rebuild(self) -> None:
        status = self._status()
        menu = self.menu
        for submenu in menu.findChildren(QMenu):  # clear() keeps submenus alive: drop them too
            submenu.setParent(None)
            submenu.deleteLater()
        menu.clear()
        if self._opened:
            self.header = self._add_header(menu, status)
        else:
            self.header = menu.addAction(state_line(status))
            self.header.setEnabled(False)
        menu.addSeparator()

        on_call = status["state"] == ON_CALL
        in_reset = status["state"] == "reset"
        if on_call or in_reset:  # a disabled plain entry: no submenu arrow that leads nowhere
            blocked = menu.addAction("Reset (not during a call)" if on_call else "Reset (one is running)")
            blocked.setIcon(self._icon("reset"))
            blocked.setEnabled(False)
        else:
            reset_menu = menu.addMenu(self._icon("reset"), "Reset")
            for label, pattern, minutes in PRESETS:
                action = reset_menu.addAction(self._icon("breathe" if minutes == 1 else "reset"), label)
                action.triggered.connect(lambda _=False, m=minutes, p=pattern: self.reset_requested.emit(m, p))

        if status.get("reset_offer"):
            menu.addAction("Take the offered reset").triggered.connect(self.offer_requested.emit)
        if status.get("checklist_hidden"):
            menu.addAction("Show the checklist").triggered.connect(self.checklist_show_requested.emit)
        if on_call:
            self._add(menu, "End call", "call-end").triggered.connect(lambda: self.call_end_requested.emit(False))
            self._add(menu, "End call (it was a tough one)", "tough-call").triggered.connect(
                lambda: self.call_end_requested.emit(True))
        else:
            self._add(menu, "Start a call", "call-start").triggered.connect(self.call_start_requested.emit)

        paused_until = status.get("paused_until")
        pause_title = "Pause notifications"
        if paused_until:  # the entry says that a pause runs, and until when
            pause_title = f"Paused until {datetime.fromisoformat(paused_until).astimezone():%H:%M}"
        pause_menu = menu.addMenu(self._icon("pause"), pause_title)
        if paused_until:
            pause_menu.addAction(self._icon("resume"), "Resume now").triggered.connect(self.resume_requested.emit)
            pause_menu.addSeparator()
        for label, value in (("For 30 minutes", 30), ("For 1 hour", 60), ("Until tomorrow", "tomorrow")):
            pause_menu.addAction(label).triggered.connect(lambda _=False, v=value: self.pause_requested.emit(v))

        menu.addSeparator()  # team (issue 3)
        self._add(menu, "Send kudos…", "kudos").triggered.connect(self.kudos_requested.emit)
        unread = status.get("unread_kudos") or 0
        self._add(menu, f"Team feed ({unread} new)" if unread else "Team feed", "feed").triggered.connect(
            self.feed_requested.emit)
        self._add(menu, "Voice of the Customer…", "voice").triggered.connect(self.voice_requested.emit)
        if status.get("lead"):
            self._add(menu, "Group deep breath…", "group-breath").triggered.connect(self.breath_requested.emit)

        menu.addSeparator()
        self._add(menu, "Checklists…", "checklists").triggered.connect(self.checklists_requested.emit)
        self._add(menu, "My day / week", "my-day").triggered.connect(self.my_day_requested.emit)
        self._add(menu, "Settings", "settings").triggered.connect(self.settings_requested.emit)
        menu.addSeparator()
        self._add(menu, "Quit", "quit").triggered.connect(self.quit_requested.emit)
        for submenu in menu.findChildren(QMenu):  # e2e tests and benchmarks (ui/ready.py): what a submenu offers
            submenu.aboutToShow.connect(lambda m=submenu: report_menu(m, m.title()))

    def _add(self, menu: QMenu, text: str, icon: str) -> QAction:
        return menu.addAction(self._icon(icon), text)

    @staticmethod
    def _add_header(menu: QMenu, status: dict) -> QWidgetAction:
        """The state line: a label in full-contrast text, not a greyed-out item. The action is not choosable
        (keyboard navigation skips it and the ready file does not list it); its label is styled as a header."""
        text = state_line(status)
        header = QWidgetAction(menu)
        header.setText(text)  # what a D-Bus menu (no widgets there) and tests read
        header.setIcon(state_icon(status["state"]))
        label = plain_label(text)  # a call reference is typed by a person: never rich text
        label.setProperty("role", "header")
        label.setAccessibleName(f"Status: {text}")
        header.setDefaultWidget(label)
        header.setEnabled(False)
        menu.addAction(header)
        return header

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
    """Takes the tray's place where no system tray exists: the state, the quick actions and the same menu."""

    def __init__(self, menu: QMenu) -> None:
        from ui.widgets.quick_panel import QuickActions

        super().__init__()  # no parent: a top-level window
        self.setWindowTitle(theme.window_title())
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        pad = theme.space(4)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(theme.space(2))
        self.quick = QuickActions()
        self.state_label = self.quick.state_label
        layout.addWidget(self.quick)
        self.menu_button = QToolButton()
        self.menu_button.setText("All actions")
        theme.set_icon(self.menu_button, "menu")
        from PySide6.QtCore import Qt

        self.menu_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setMenu(menu)
        self.menu_button.setAccessibleName("All actions (the full menu)")
        layout.addWidget(self.menu_button)

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
        self.panel = None  # the left-click quick panel, built on first use
        if use_tray:
            self.icon = QSystemTrayIcon(state_icon("ready"))
            self.icon.setContextMenu(menu.menu)
            self.icon.activated.connect(self._activated)
        else:
            self.standin = StandInWindow(menu.menu)
            self._connect_quick(self.standin.quick)
        self.state = "ready"

    def _connect_quick(self, quick) -> None:
        """The quick actions speak through the menu's signals: the controller needs no second wiring."""
        quick.breathe_requested.connect(self._breathe)
        quick.kudos_requested.connect(self.menu.kudos_requested.emit)
        quick.my_day_requested.connect(self.menu.my_day_requested.emit)

    def _breathe(self) -> None:
        """Breathe: the offered reset while an offer lives (it counts as taken), else the 1-minute breath."""
        if self._status().get("reset_offer"):
            self.menu.offer_requested.emit()
        else:
            self.menu.reset_requested.emit(1, None)

    def _update_quick(self, quick, status: dict) -> None:
        quick.update_state(state_line(status), status["state"] == ON_CALL, status["state"] == "reset",
                           offer=bool(status.get("reset_offer")))

    def open_panel(self) -> QWidget:
        """The left-click quick panel beside the icon (built once, refreshed each time it opens)."""
        from ui.widgets.quick_panel import QuickPanel

        if self.panel is None:
            self.panel = QuickPanel()
            self._connect_quick(self.panel.actions)
            self.panel.more_requested.connect(self._more)
        self._update_quick(self.panel.actions, self._status())
        geometry = self.icon.geometry() if self.icon is not None else None
        self.panel.open_near(geometry)
        return self.panel

    def _more(self, where: QPoint) -> None:
        self.menu.menu.popup(where)

    def show(self) -> None:
        self.refresh()
        if self.icon is not None:
            self.icon.show()
        elif self.standin is not None:
            self.standin.show()

    def hide(self) -> None:
        if self.panel is not None:
            self.panel.close()
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
            self._update_quick(self.standin.quick, status)
        if self.panel is not None and self.panel.isVisible():
            self._update_quick(self.panel.actions, status)

    def bring_forward(self) -> None:
        if self.standin is not None:
            self.standin.showNormal()
            self.standin.raise_()
            self.standin.activateWindow()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        """Left click: the quick panel. The right click opens the context menu by itself."""
        if reason == QSystemTrayIcon.ActivationReason.Trigger and self.icon is not None:
            self.open_panel()
