"""The tray's quick panel: what an agent wants most, one click away, with big targets and keys.

A left click on the tray icon opens :class:`QuickPanel` (a frameless popup beside the icon); where there is no
tray, the stand-in window shows the same :class:`QuickActions` inline. Either way the default 1-minute breath
is one click from wherever the first click landed. Keys: Up/Down or Tab move, Enter or Space choose,
1-3 choose directly, Esc closes the panel. The full menu stays on the right click (and behind "More").
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui import theme
from ui.widgets.text import plain_label

# (key, icon, title, caption); the key is also the digit that chooses it
ACTIONS = (
    ("breathe", "breathe", "Breathe", "1 minute, your usual pattern"),
    ("kudos", "kudos", "Send kudos", "Thank a teammate for a good turn"),
    ("my_day", "my-day", "My day", "Calls, resets and notes so far"),
)


class BigButton(QPushButton):
    """A tall button with an icon, a title, a caption and the digit that chooses it."""

    def __init__(self, number: int, icon: str, title: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "big")
        self.setAutoDefault(False)
        self.icon_name = icon
        row = QHBoxLayout(self)
        row.setContentsMargins(theme.space(4), theme.space(2), theme.space(4), theme.space(2))
        row.setSpacing(theme.space(3))
        self.icon_label = QLabel()
        side = theme.space(6)
        self.icon_label.setFixedSize(QSize(side, side))
        row.addWidget(self.icon_label)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.title_label = plain_label(title)
        self.title_label.setFont(theme.font("heading"))
        self.caption_label = plain_label(caption)
        theme.set_role(self.caption_label, "caption")
        texts.addWidget(self.title_label)
        texts.addWidget(self.caption_label)
        row.addLayout(texts, 1)
        self.key_label = plain_label(str(number))
        theme.set_role(self.key_label, "caption")
        self.key_label.setToolTip(f"Press {number}")
        row.addWidget(self.key_label)
        for label in (self.icon_label, self.title_label, self.caption_label, self.key_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAccessibleName(title)
        self.setAccessibleDescription(f"{caption}. Key {number}.")
        self.setMinimumWidth(theme.space(7) * 6)
        self.setMinimumHeight(row.sizeHint().height() + theme.space(1))
        self._paint_icon()

    def set_caption(self, caption: str) -> None:
        self.caption_label.setText(caption)
        number = self.key_label.text()
        self.setAccessibleDescription(f"{caption}. Key {number}.")

    def changeEvent(self, event) -> None:  # the icon greys with the button
        super().changeEvent(event)
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.EnabledChange:
            self._paint_icon()

    def _paint_icon(self) -> None:
        side = theme.space(6)
        mode = self.icon_label.isEnabled() and self.isEnabled()
        icon = theme.icon(self.icon_name, "accent")
        from PySide6.QtGui import QIcon

        self.icon_label.setPixmap(icon.pixmap(QSize(side, side), self.devicePixelRatioF(),
                                              QIcon.Mode.Normal if mode else QIcon.Mode.Disabled))

    def sizeHint(self) -> QSize:
        return self.layout().sizeHint().expandedTo(self.minimumSize())


class QuickActions(QWidget):
    """The state line and the three big buttons (in the popup, or inline in the stand-in window)."""

    breathe_requested = Signal()
    kudos_requested = Signal()
    my_day_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.space(2))
        self.state_label = plain_label("", wrap=True)
        self.state_label.setFont(theme.font("strong"))
        layout.addWidget(self.state_label)
        layout.addSpacing(theme.space(1))
        self.buttons: dict[str, BigButton] = {}
        signals = {"breathe": self.breathe_requested, "kudos": self.kudos_requested, "my_day": self.my_day_requested}
        for number, (key, icon, title, caption) in enumerate(ACTIONS, start=1):
            button = BigButton(number, icon, title, caption)
            button.clicked.connect(signals[key].emit)
            layout.addWidget(button)
            self.buttons[key] = button

    def update_state(self, text: str, on_call: bool, in_reset: bool, offer: bool = False) -> None:
        self.state_label.setText(text)
        for button in self.buttons.values():  # in the current scheme's colours (the OS may have switched)
            button._paint_icon()
        breathe = self.buttons["breathe"]
        breathe.setEnabled(not on_call)
        breathe.set_caption("Not during a call" if on_call else
                            "A reset is running: bring it back" if in_reset else
                            "Take the offered reset: 1 minute after that call" if offer else ACTIONS[0][3])

    def choose(self, number: int) -> bool:
        """Press the button with this digit (1-3) if it can be pressed."""
        if not 1 <= number <= len(ACTIONS):
            return False
        button = self.buttons[ACTIONS[number - 1][0]]
        if not button.isEnabled():
            return False
        button.click()
        return True

    def first_enabled(self) -> QPushButton | None:
        return next((b for b in self.buttons.values() if b.isEnabled()), None)


class QuickPanel(QFrame):
    """The left-click popup: closes on Esc, on a click elsewhere, and after a choice."""

    more_requested = Signal(QPoint)  # where to show the full menu

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setProperty("role", "popup")
        self.setWindowTitle(theme.window_title("Quick actions"))
        self.setAccessibleName("Agent Companion quick actions")
        layout = QVBoxLayout(self)
        pad = theme.space(4)
        layout.setContentsMargins(pad, pad, pad, theme.space(3))
        layout.setSpacing(theme.space(2))
        title = plain_label(theme.window_title())
        theme.set_role(title, "caption")
        layout.addWidget(title)
        self.actions = QuickActions()
        layout.addWidget(self.actions)
        footer = QHBoxLayout()
        hint = plain_label("Right-click the icon for the full menu")
        theme.set_role(hint, "caption")
        footer.addWidget(hint, 1)
        self.more_button = QPushButton("More…")
        self.more_button.setProperty("role", "quiet")
        self.more_button.setAutoDefault(False)
        theme.set_icon(self.more_button, "menu")
        self.more_button.setAccessibleName("More: the full menu")
        self.more_button.clicked.connect(self._more)
        footer.addWidget(self.more_button)
        layout.addLayout(footer)
        for button in self.actions.buttons.values():
            button.clicked.connect(self.close)

    def _more(self) -> None:
        where = self.mapToGlobal(self.more_button.geometry().bottomLeft())
        self.close()
        self.more_requested.emit(where)

    def open_near(self, anchor: QRect | None) -> None:
        """Show beside the tray icon (or the pointer), fully on the screen, then give the first button focus."""
        self.adjustSize()
        self.move(place_near(anchor, self.sizeHint()))
        self.show()
        self.raise_()
        self.activateWindow()
        first = self.actions.first_enabled()
        if first is not None:
            first.setFocus(Qt.FocusReason.PopupFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.actions.choose(key - Qt.Key.Key_0)
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.focusNextChild()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.focusPreviousChild()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
        else:
            super().keyPressEvent(event)


def place_near(anchor: QRect | None, size: QSize) -> QPoint:
    """Top-left corner for a popup of ``size`` beside ``anchor`` (the tray icon), inside the screen's available
    area: above an icon in the lower half of the screen, below one in the upper half."""
    if anchor is None or not anchor.isValid():
        anchor = QRect(QCursor.pos(), QSize(1, 1))
    screen = QGuiApplication.screenAt(anchor.center()) or QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    gap = theme.space(1)
    x = anchor.center().x() - size.width() // 2
    if anchor.center().y() >= area.center().y():
        y = anchor.top() - gap - size.height()
    else:
        y = anchor.bottom() + gap
    x = max(area.left(), min(x, area.right() + 1 - size.width()))
    y = max(area.top(), min(y, area.bottom() + 1 - size.height()))
    return QPoint(x, y)
