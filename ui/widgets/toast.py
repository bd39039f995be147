"""The app's own toast: a small always-on-top card in the bottom-right corner that never takes focus
from the softphone by itself. It shows actionable prompts (with buttons) and is the last notification backend.

An actionable card tucks itself away after ACTION_SECONDS; what it offered is not lost (a reset offer stays
takeable from the tray for its ten minutes). When the agent clicks into it, it takes the keyboard: Tab moves
between its buttons, Enter or Space presses one, Esc tucks the card away.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout

if TYPE_CHECKING:
    from companion.notify.centre import Shown
from companion.notify.kinds import RESET_OFFER
from ui.widgets.text import plain_label

# What stays after a card tucks itself away, said on the card.
FOOTNOTES = {RESET_OFFER: "Later: tray → Take the offered reset (for 10 minutes)."}

PLAIN_SECONDS = 8
ACTION_SECONDS = 60  # an actionable card tucks away after this; the offer itself lives on (tray)


class Toast(QFrame):
    closed = Signal()

    def __init__(self, title: str, body: str, actions: tuple[tuple[str, str], ...] = (),
                 on_action: Callable[[str], None] | None = None, seconds: int | None = None,
                 kind: str = "", footnote: str = "") -> None:
        from PySide6.QtCore import Qt  # Qt's enum namespace costs ~25 ms on first use: not before the tray shows

        # Not managed by the X11 window manager: no taskbar entry and it can never take the focus.
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus
                         | Qt.WindowType.X11BypassWindowManagerHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("toast")
        from ui import theme

        self.setStyleSheet(f"#toast {{ background: {theme.color('surface')}; "
                           f"border: {2 if theme.is_high_contrast() else 1}px solid {theme.color('border_strong')}; "
                           f"border-radius: {theme.radius('medium')}px; }}")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAccessibleDescription(body)
        self._on_action = on_action
        self.kind = kind
        self.notification_id = ""  # the notification an actionable prompt shows (set by the manager)
        self.chosen: str | None = None
        self.has_keyboard = False
        layout = QVBoxLayout(self)
        self.title_label = plain_label(title)
        self.title_label.setFont(theme.font("strong"))
        self.body_label = plain_label(body, wrap=True)
        self.body_label.setMaximumWidth(theme.space(7) * 7)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label)
        self.buttons: dict[str, QPushButton] = {}
        if actions:
            row = QHBoxLayout()
            for key, label in actions:
                button = QPushButton(label)
                button.setAccessibleName(label)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # until the agent clicks into the card
                button.clicked.connect(lambda _=False, k=key: self._choose(k))
                button.installEventFilter(self)
                row.addWidget(button)
                self.buttons[key] = button
            layout.addLayout(row)
            if footnote:
                self.footnote = plain_label(footnote, wrap=True)
                self.footnote.setFont(theme.font("caption"))
                self.footnote.setStyleSheet(f"color: {theme.color('text_muted')};")
                self.footnote.setMaximumWidth(theme.space(7) * 7)
                layout.addWidget(self.footnote)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.close)
        self._timer.start((PLAIN_SECONDS if seconds is None else seconds) * 1000)

    def take_keyboard(self) -> None:
        """The agent clicked into the card: its buttons take the keyboard (Tab, Enter/Space, Esc)."""
        from PySide6.QtCore import Qt

        if not self.buttons or self.has_keyboard:
            return
        self.has_keyboard = True
        handle = self.windowHandle()
        if handle is not None:
            handle.setFlag(Qt.WindowType.WindowDoesNotAcceptFocus, False)
        for button in self.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.activateWindow()
        next(iter(self.buttons.values())).setFocus(Qt.FocusReason.MouseFocusReason)
        self._timer.start()  # the agent is here: the card stays its full time from now

    def eventFilter(self, watched: object, event: object) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.MouseButtonPress:  # type: ignore[attr-defined]
            self.take_keyboard()
        return False

    def mousePressEvent(self, event: object) -> None:
        self.take_keyboard()
        super().mousePressEvent(event)  # type: ignore[arg-type]

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtCore import Qt

        key = event.key()  # type: ignore[attr-defined]
        if key == Qt.Key.Key_Escape:
            self.close()  # tucked away; an offer stays takeable from the tray
            return
        focused = next((b for b in self.buttons.values() if b.hasFocus()), None)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and focused is not None:
            focused.click()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

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
            from ui import theme

            area = screen.availableGeometry()
            gap = theme.space(4)
            self.move(QPoint(area.right() - self.width() - gap, area.bottom() - self.height() - gap - stack_offset))
        self.show()


class ToastManager:
    """Shows toasts stacked in the corner. Presenter for actionable prompts; also a Notifier backend."""

    name = "toast"

    def __init__(self, on_action: Callable[[str, str], None] | None = None) -> None:
        self._on_action = on_action
        self.visible: list[Toast] = []

    def _show(self, toast: Toast) -> Toast:
        from ui import theme

        offset = sum(t.height() + theme.space(2) for t in self.visible)
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
                      seconds=ACTION_SECONDS, kind=shown.kind, footnote=FOOTNOTES.get(shown.kind, ""))
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
