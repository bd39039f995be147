"""The Moment of Truth panel: a compact always-on-top card in a screen corner during a call.

It never takes the focus when it appears (the softphone keeps the keyboard): it is a tool window that does
not accept focus and is shown without activating. When the agent clicks into it, it accepts the keyboard:
keys 1-9 tick items, D shows the de-escalation cards, Esc hides the panel. The mouse works too.
At call end it turns into a short outcome step (how did the moment go? what got in the way?) that saves by
itself after a while and never blocks the next call: a new call start saves what is there.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.checklists import runs as r
from companion.checklists.cards import Card, default_cards
from companion.errors import CompanionError
from ui.widgets.text import plain_label
from ui.windows.reset import mmss

if TYPE_CHECKING:
    from companion.checklists.runs import ActiveRun, ChecklistService

MARGIN = 16
WIDTH = 360
OUTCOME_SECONDS = 90  # the outcome step saves what it has and goes away after this long
STYLE = {
    r.TICKED: "color: #4a6b4a; text-decoration: line-through;",
    r.DUE: "color: #1d3f73; font-weight: bold;",
    r.LATE: "color: #9a4d00; font-weight: bold;",
    r.OPEN: "",
    r.UPCOMING: "color: #8a8f96;",
    r.CLOSING: "color: #1d3f73; font-weight: bold;",
}
OUTCOME_LABELS = (("positive", "Positive moment"), ("neutral", "Neutral"), ("negative", "Negative moment"))


class ChecklistPanel(QFrame):
    obstacle_requested = Signal(str)   # "also raise it at the huddle": the controller passes it on
    outcome_saved = Signal(str)        # run id

    def __init__(self, service: ChecklistService, cards: tuple[Card, ...] | None = None,
                 corner: Callable[[], str] = lambda: "top_right") -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("checklistPanel")
        self.setStyleSheet("#checklistPanel { background: #fdfdfb; border: 1px solid #b9c4cf; border-radius: 8px; }")
        self.setWindowTitle("Moment of Truth")
        self.service = service
        self._corner = corner
        self.cards = cards if cards is not None else default_cards()
        self.run: ActiveRun | None = None
        self.run_id: str | None = None
        self.boxes: list[QCheckBox] = []
        self.labels: list[QLabel] = []
        self.setFixedWidth(WIDTH)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.title = plain_label("Moment of Truth")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)

        self.items_page = QWidget()
        self.items_layout = QVBoxLayout(self.items_page)
        self.items_layout.setContentsMargins(0, 0, 0, 0)
        self.items_layout.setSpacing(2)
        self.pages.addWidget(self.items_page)

        self.cards_page = self._build_cards()
        self.pages.addWidget(self.cards_page)
        self.outcome_page = self._build_outcome()
        self.pages.addWidget(self.outcome_page)

        self.hint = plain_label("Click here, then 1-9 tick · D de-escalation cards · Esc hide", wrap=True)
        self.hint.setStyleSheet("color: #6b7280; font-size: 9pt;")
        layout.addWidget(self.hint)

        self._ticker = QTimer(self)  # runs only while a call's checklist is on screen
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.refresh)
        self._outcome_timer = QTimer(self)
        self._outcome_timer.setSingleShot(True)
        self._outcome_timer.timeout.connect(self.save_outcome)
        self._watch_clicks(self)
        self.pages.currentChanged.connect(self._fit_page)

    def _fit_page(self, *_: object) -> None:
        """The panel is as tall as the page it shows (a stacked widget would take its tallest page's size)."""
        layout = self.layout()
        margins = layout.contentsMargins()
        inner = WIDTH - margins.left() - margins.right()

        def height(widget: QWidget) -> int:
            if widget.isHidden():
                return 0
            hfw = widget.heightForWidth(inner) if widget.hasHeightForWidth() else -1
            return max(hfw, widget.sizeHint().height()) + layout.spacing()

        page = self.pages.currentWidget()
        total = margins.top() + margins.bottom() + height(self.title) + height(page) + height(self.hint)
        self.pages.setFixedHeight(height(page) - layout.spacing())
        self.resize(WIDTH, total)

    # -- building ---------------------------------------------------------------------------------
    def _build_cards(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(plain_label("De-escalation cards (D or Esc: back to the checklist)", wrap=True))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setMinimumHeight(220)
        inner = QWidget()
        box = QVBoxLayout(inner)
        self.card_labels = []
        for card in self.cards:
            title = plain_label(card.title)
            font = title.font()
            font.setBold(True)
            title.setFont(font)
            box.addWidget(title)
            for step in card.steps:
                label = plain_label(f"• {step}", wrap=True)
                box.addWidget(label)
                self.card_labels.append(label)
        box.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        return page

    def _build_outcome(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.outcome_summary = plain_label("", wrap=True)
        box.addWidget(self.outcome_summary)
        box.addWidget(plain_label("How was this Moment of Truth? (optional)"))
        row = QHBoxLayout()
        self.outcome_group = QButtonGroup(self)
        self.outcome_group.setExclusive(False)
        self.outcome_buttons: dict[str, QPushButton] = {}
        for key, label in OUTCOME_LABELS:
            button = QPushButton(label)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.toggled.connect(lambda on, k=key: self._outcome_toggled(k, on))
            row.addWidget(button)
            self.outcome_buttons[key] = button
        box.addLayout(row)
        self.obstacle_edit = QLineEdit()
        self.obstacle_edit.setPlaceholderText("What got in the way? (optional)")
        self.obstacle_edit.setMaxLength(r.MAX_OBSTACLE)
        self.obstacle_edit.returnPressed.connect(lambda: self.save_outcome(by_agent=True))
        self.obstacle_edit.textEdited.connect(lambda *_: self._outcome_timer.start(OUTCOME_SECONDS * 1000))
        box.addWidget(self.obstacle_edit)
        self.raise_box = QCheckBox("Also raise it at the huddle (Voice of the Customer)")
        self.raise_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box.addWidget(self.raise_box)
        self.outcome_error = plain_label("", wrap=True)
        self.outcome_error.setStyleSheet("color: #9a1c1c;")
        box.addWidget(self.outcome_error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(lambda: self.save_outcome(by_agent=True))
        self.skip_button = QPushButton("Skip")
        self.skip_button.clicked.connect(self.skip_outcome)
        for button in (self.save_button, self.skip_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(button)
        box.addLayout(buttons)
        return page

    def _outcome_toggled(self, key: str, on: bool) -> None:
        if on:
            for other, button in self.outcome_buttons.items():
                if other != key and button.isChecked():
                    button.setChecked(False)
        self._outcome_timer.start(OUTCOME_SECONDS * 1000)

    # -- a call -----------------------------------------------------------------------------------
    def start(self, run: ActiveRun, ref: str | None = None) -> None:
        """Show the checklist for a call (a pending outcome step is saved first)."""
        if self.run_id is not None:
            self.save_outcome()
        self.run = run
        self.title.setText(run.template_name + (f" — call {ref}" if ref else ""))
        while self.items_layout.count():  # the previous call's rows
            row = self.items_layout.takeAt(0).widget()
            if row is not None:
                row.setParent(None)
                row.deleteLater()
        self.boxes, self.labels = [], []
        for number, item in enumerate(run.items, start=1):
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 1, 0, 1)
            box = QCheckBox(f"{number}" if number <= 9 else "")
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.clicked.connect(lambda _=False, k=item.key: self.tick(k))
            label = plain_label(item.text, wrap=True)  # long texts wrap; never rich text
            label.setCursor(Qt.CursorShape.PointingHandCursor)
            for widget in (row, box, label):
                widget.installEventFilter(self)
            line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(label, 1)
            self.items_layout.addWidget(row)
            self.boxes.append(box)
            self.labels.append(label)
        self.items_layout.addStretch(1)
        self._fit_page()
        self.pages.setCurrentWidget(self.items_page)
        self.hint.show()
        self._set_passive(True)
        self.refresh()
        self._ticker.start()
        self.show_in_corner()

    def tick(self, key: str) -> None:
        try:
            self.service.tick(key)
        except CompanionError:
            pass  # the call ended between the click and now: nothing to tick
        self.refresh()

    def tick_number(self, number: int) -> None:
        if self.run is None or self.service.active is not self.run:
            return
        self.service.tick_number(number)
        self.refresh()

    def refresh(self) -> None:
        run = self.run
        if run is None or self.pages.currentWidget() is self.outcome_page:
            return
        mono = self.service.monotonic()
        for item, box, label in zip(run.items, self.boxes, self.labels):
            state = run.state(item, mono)
            box.setChecked(state == r.TICKED)
            label.setStyleSheet(STYLE[state])
            left = run.seconds_left(item, mono)
            tip = {r.DUE: f"due: {max(0, round(left or 0))} s left", r.LATE: "its time has passed",
                   r.UPCOMING: "for the end of the call", r.CLOSING: "now: the call is closing"}.get(state, "")
            label.setToolTip(tip)
        self.title.setToolTip(f"{mmss(run.elapsed(mono))} into the call")

    def end(self, saved: r.SavedRun | None) -> None:
        """The call ended: the short outcome step (or close when nothing was saved)."""
        self._ticker.stop()
        self.run = None
        if saved is None:
            self.hide()
            return
        self.run_id = saved.id
        self.title.setText("Call ended")
        self.outcome_summary.setText(f"{saved.ticked} of {saved.items} ticked"
                                     + (f" · {mmss(saved.handle_seconds)}" if saved.handle_seconds else ""))
        for button in self.outcome_buttons.values():
            button.setChecked(False)
        self.obstacle_edit.clear()
        self.raise_box.setChecked(False)
        self.outcome_error.setText("")
        self.pages.setCurrentWidget(self.outcome_page)
        self.hint.hide()
        self._outcome_timer.start(OUTCOME_SECONDS * 1000)
        self.show_in_corner()

    def chosen_outcome(self) -> str | None:
        return next((k for k, b in self.outcome_buttons.items() if b.isChecked()), None)

    def save_outcome(self, by_agent: bool = False) -> bool:
        """Save what the outcome step holds. Never blocks: when the agent is not there to fix a refused
        text (a new call, the time ran out), the text is left out and the rest is saved."""
        run_id = self.run_id
        if run_id is None:
            return False
        self._outcome_timer.stop()
        text = self.obstacle_edit.text().strip()
        try:
            self.service.set_outcome(run_id, self.chosen_outcome(), text or None)
        except CompanionError as exc:
            if by_agent:
                self.outcome_error.setText(str(exc))  # the agent is here: let them fix it
                return False
            self.service.set_outcome(run_id, self.chosen_outcome(), None)
            text = ""
        self.run_id = None
        if text and self.raise_box.isChecked():
            self.obstacle_requested.emit(text)
        self.outcome_saved.emit(run_id)
        if self.run is None:
            self.hide()
        return True

    def skip_outcome(self) -> None:
        self._outcome_timer.stop()
        self.run_id = None
        self.hide()

    # -- cards ------------------------------------------------------------------------------------
    def toggle_cards(self) -> None:
        if self.pages.currentWidget() is self.cards_page:
            self.pages.setCurrentWidget(self.items_page if self.run is not None else self.outcome_page)
        elif self.pages.currentWidget() is self.items_page:
            self.pages.setCurrentWidget(self.cards_page)

    # -- focus and keys ---------------------------------------------------------------------------
    def _set_passive(self, passive: bool) -> None:
        """Passive: the window system never gives it the focus. Changed on the native window directly,
        so the panel does not disappear and reappear."""
        handle = self.windowHandle()
        if handle is not None:
            handle.setFlag(Qt.WindowType.WindowDoesNotAcceptFocus, passive)
        else:
            self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, passive)

    def _watch_clicks(self, widget: QWidget) -> None:
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            self.take_keyboard()
            if watched in self.labels and self.run is not None:  # a click on an item's text ticks it too
                self.tick(self.run.items[self.labels.index(watched)].key)
                return True
        return False  # the click goes on to the checkbox or button as usual

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.take_keyboard()
        super().mousePressEvent(event)

    def take_keyboard(self) -> None:
        """The agent clicked into the panel: from now on it accepts the keyboard."""
        self._set_passive(False)
        self.activateWindow()
        if self.pages.currentWidget() is self.outcome_page:
            self.obstacle_edit.setFocus(Qt.FocusReason.MouseFocusReason)
        else:
            self.setFocus(Qt.FocusReason.MouseFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        page = self.pages.currentWidget()
        if key == Qt.Key.Key_Escape:
            if page is self.cards_page:
                self.toggle_cards()
            elif page is self.outcome_page:
                self.save_outcome()
            else:
                self.hide()
            return
        if page is self.outcome_page:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.save_outcome(by_agent=True)
                return
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_D:
            self.toggle_cards()
            return
        if page is self.items_page and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.tick_number(key - Qt.Key.Key_0)
            return
        super().keyPressEvent(event)

    def show_in_corner(self) -> None:
        """Open in the corner the agent chose in Settings (top right unless changed), inside the screen's
        available area (clear of task bars and docks)."""
        self._fit_page()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            vertical, horizontal = self._corner().split("_")
            x = area.left() + MARGIN if horizontal == "left" else area.right() - self.width() - MARGIN
            y = area.top() + MARGIN if vertical == "top" else area.bottom() - self.height() - MARGIN
            self.move(QPoint(x, y))
        self.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._ticker.stop()
        if self.run_id is not None:
            self.save_outcome()
        super().closeEvent(event)
