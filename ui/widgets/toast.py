"""The app's own toast: a small always-on-top card in the bottom-right corner that never takes focus
from the softphone. It shows actionable prompts (with buttons) and is the last notification backend."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout

if TYPE_CHECKING:
    from companion.notify.centre import Shown
from ui.widgets.text import plain_label

PLAIN_SECONDS = 8
ACTION_SECONDS = 45
MARGIN = 16


class Toast(QFrame):
    closed = Signal()

    def __init__(self, title: str, body: str, actions: tuple[tuple[str, str], ...] = (),
                 on_action: Callable[[str], None] | None = None, seconds: int | None = None,
                 kind: str = "") -> None:
        from PySide6.QtCore import Qt  # Qt's enum namespace costs ~25 ms on first use: not before the tray shows

        # Not managed by the X11 window manager: no taskbar entry and it can never take the focus.
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus
                         | Qt.WindowType.X11BypassWindowManagerHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("toast")
        self.setStyleSheet("#toast { background: #fdfdfb; border: 1px solid #b9c4cf; border-radius: 8px; }")
        self.setWindowTitle(title)
        self._on_action = on_action
        self.kind = kind
        self.notification_id = ""  # the notification an actionable prompt shows (set by the manager)
        self.chosen: str | None = None
        layout = QVBoxLayout(self)
        self.title_label = plain_label(title)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.body_label = plain_label(body, wrap=True)
        self.body_label.setMaximumWidth(340)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label)
        self.buttons: dict[str, QPushButton] = {}
        if actions:
            row = QHBoxLayout()
            for key, label in actions:
                button = QPushButton(label)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, k=key: self._choose(k))
                row.addWidget(button)
                self.buttons[key] = button
            layout.addLayout(row)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.close)
        self._timer.start((PLAIN_SECONDS if seconds is None else seconds) * 1000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self.closed.emit()
        super().closeEvent(event)

    def _choose(self, key: str) -> None:
        self.chosen = key
        self.close()
        if self._on_action is not None:
            self._on_action(key)

    def show_in_corner(self, stack_offset: int = 0) -> None:
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(QPoint(area.right() - self.width() - MARGIN,
                             area.bottom() - self.height() - MARGIN - stack_offset))
        self.show()


class ToastManager:
    """Shows toasts stacked in the corner. Presenter for actionable prompts; also a Notifier backend."""

    name = "toast"

    def __init__(self, on_action: Callable[[str, str], None] | None = None) -> None:
        self._on_action = on_action
        self.visible: list[Toast] = []

    def _show(self, toast: Toast) -> Toast:
        offset = sum(t.height() + 8 for t in self.visible)
        toast.closed.connect(lambda: self._forget(toast))
        toast.show_in_corner(offset)
        self.visible.append(toast)
        return toast

    def _forget(self, toast: Toast) -> None:
        if toast in self.visible:
            self.visible.remove(toast)

    def notify(self, title: str, body: str) -> None:
        self._show(Toast(title, body))

    def present(self, shown: Shown) -> None:
        def chosen(key: str) -> None:
            if self._on_action is not None:
                self._on_action(shown.id, key)

        toast = Toast(shown.title, shown.body, tuple((a.key, a.label) for a in shown.actions), chosen,
                      seconds=ACTION_SECONDS, kind=shown.kind)
        toast.notification_id = shown.id
        self._show(toast)

    def ask(self, title: str, body: str, actions: tuple[tuple[str, str], ...], on_action: Callable[[str], None],
            kind: str = "") -> Toast:
        """A question of the app's own (not a notification: no cap, not stored), e.g. "Is Zoiper your
        softphone?" (ui/detection.py). Same quiet card: it never takes the focus."""
        return self._show(Toast(title, body, actions, on_action, seconds=ACTION_SECONDS, kind=kind))

    def dismiss(self, kind: str) -> list[str]:
        """Close the prompts of one kind (a reset offer is moot once a reset runs); returns the ids of the
        notifications they showed."""
        closed = []
        for toast in [t for t in self.visible if t.kind == kind]:
            closed.append(toast.notification_id)
            toast.close()
        return [i for i in closed if i]
