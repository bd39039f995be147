"""The five H.E.A.R.T. categories as things a person sees: chips to pick one (radio buttons: exclusive, and read
as "one of five" by a screen reader), and a badge that says which one a kudos was for. Each has its icon and
colour (ui/theme/kudos.py) and its name; the colour is never the only sign.

Keys: 1-5 on a chip pick that category (and ``chosen`` is emitted, so the dialog moves on); the arrow keys
move between chips as in any radio group.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QLabel, QLayout, QRadioButton, QSizePolicy, QWidget

from companion.kudos.categories import BY_KEY, CATEGORIES, Category
from ui import a11y, theme
from ui.theme.kudos import CATEGORY_LOOK
from ui.widgets.text import plain_label


class FlowLayout(QLayout):
    """Children left to right, wrapping onto the next line when the width runs out (height-for-width)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def __del__(self) -> None:
        # as Qt's and PySide's flow layout examples do: the items go with the layout (else Qt is left with
        # pointers to items whose Python side is gone)
        item = self.takeAt(0)
        while item is not None:
            item = self.takeAt(0)

    def addItem(self, item) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.widget() is not None and not item.widget().isVisibleTo(self.parentWidget()):
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class Chip(QRadioButton):
    """A category chip: a radio button that also takes the digit keys 1-9 and Enter (``key_pressed``)."""

    key_pressed = Signal(int)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and (
                Qt.Key.Key_1 <= key <= Qt.Key.Key_9 or key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.key_pressed.emit(int(key))
            return
        super().keyPressEvent(event)


class CategoryChips(QWidget):
    """Five radio-button chips, none picked at first; ``chosen`` when a digit or a click picks one."""

    chosen = Signal(str)   # the category key, picked by a digit key or a click (the dialog moves on)
    changed = Signal(str)  # the category key, however it changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, Chip] = {}
        layout = FlowLayout(self, spacing=theme.space(2))
        for number, cat in enumerate(CATEGORIES, start=1):
            look = CATEGORY_LOOK[cat.key]
            chip = Chip(f"{number}  {cat.name}")
            chip.setProperty("role", "chip")
            chip.setProperty("category", cat.key)
            theme.set_icon(chip, look.icon, look.color)
            chip.setToolTip(f"Key {number}: {cat.description}")
            a11y.name(chip, f"{cat.name}, key {number}: {cat.description}")  # name and hint, read together
            chip.key_pressed.connect(self._key)
            self.group.addButton(chip, number)
            self.buttons[cat.key] = chip
            layout.addWidget(chip)
        self.group.idToggled.connect(self._toggled)
        self.group.idClicked.connect(lambda number: self.chosen.emit(CATEGORIES[number - 1].key))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self.layout().heightForWidth(width)

    def key(self) -> str | None:
        """The picked category's key (None: none picked yet)."""
        number = self.group.checkedId()
        return CATEGORIES[number - 1].key if number > 0 else None

    def category(self) -> Category | None:
        key = self.key()
        return BY_KEY[key] if key else None

    def set_key(self, key: str | None) -> None:
        if key is None:
            self.group.setExclusive(False)
            for chip in self.buttons.values():
                chip.setChecked(False)
            self.group.setExclusive(True)
            self.changed.emit("")
        else:
            self.buttons[key].setChecked(True)

    def pick(self, number: int) -> None:
        """Pick category ``number`` (1-5) as a digit key does: checked, focused, ``chosen`` emitted."""
        chip = self.group.button(number)
        chip.setChecked(True)
        self.chosen.emit(CATEGORIES[number - 1].key)

    def focus_chip(self) -> None:
        """Focus the picked chip, or the first one."""
        chip = self.group.checkedButton() or self.group.button(1)
        chip.setFocus(Qt.FocusReason.TabFocusReason)

    def _toggled(self, number: int, on: bool) -> None:
        if on:
            self.changed.emit(CATEGORIES[number - 1].key)

    def _key(self, key: int) -> None:
        digit = key - Qt.Key.Key_0
        if 1 <= digit <= len(CATEGORIES):
            self.pick(digit)
        elif self.key():
            self.chosen.emit(self.key())  # Enter on a picked chip: on to the message


class CategoryBadge(QFrame):
    """A category's icon and name on its tint, with its colour as the edge."""

    def __init__(self, category: Category, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        look = CATEGORY_LOOK[category.key]
        self.setProperty("role", "kudos-badge")
        self.setProperty("category", category.key)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(theme.space(2), theme.space(1) - 2, theme.space(2), theme.space(1) - 2)
        layout.setSpacing(theme.space(1))
        self.icon = QLabel()
        theme.set_icon(self.icon, look.icon, look.color)
        layout.addWidget(self.icon)
        self.label = plain_label(category.name)
        layout.addWidget(self.label)
        self.setToolTip(category.description)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
