"""The Moment of Truth panel: a compact always-on-top card during a call.

It never takes the focus when it appears (the softphone keeps the keyboard): it is a tool window that does
not accept focus and is shown without activating. When the agent clicks into it (or asks for it from the tray
or with ``companion panel show``), it accepts the keyboard: keys 1-9 tick items, D shows the de-escalation
cards (one at a time: Left/Right or PageUp/PageDown), Esc hides the panel for the rest of the call. The mouse
works too. Its header shows the time on the call and can be dragged; where it was dropped is remembered.
Each item says its state in words and an icon (due with the seconds left, late, wrap up, at the end, done),
never by colour alone.
At call end it turns into a short outcome step (how did the moment go? what got in the way?) that saves by
itself after a while and never blocks the next call: a new call start saves what is there. A reset offer
after a tough or long call appears inside that step (one card, one place), not as a second card elsewhere.
The panel is always as tall as what it shows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from companion.checklists import runs as r
from companion.checklists.cards import Card, default_cards
from companion.errors import CompanionError
from ui import theme
from ui.widgets.announce import announce
from ui.widgets.text import mmss, plain_label

if TYPE_CHECKING:
    from companion.checklists.runs import ActiveRun, ChecklistService
    from companion.notify.centre import Shown

OUTCOME_SECONDS = 90  # the outcome step saves what it has and goes away after this long
OUTCOME_LABELS = (("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative"))
# state -> (word on the panel, icon, colour name, spoken state)
STATES: dict[str, tuple[str, str | None, str, str]] = {
    r.TICKED: ("done", "success", "success", "ticked"),
    r.DUE: ("due", "clock", "info", "due now"),
    r.LATE: ("late", "warning", "warning", "late"),
    r.OPEN: ("", None, "text", "open"),
    r.UPCOMING: ("at the end", None, "text_muted", "for the end of the call"),
    r.CLOSING: ("wrap up", "clock", "info", "near the end: now"),
}
TOOLTIPS = {r.LATE: "its time has passed", r.UPCOMING: "for the end of the call", r.CLOSING: "now: the call is closing"}


def panel_width() -> int:
    return theme.space(7) * 7 + theme.space(4)  # 352 at the standard font size; grows with it


def margin() -> int:
    return theme.space(4)


class ItemRow(QWidget):
    """One checklist item: its number box, its text, and its state in a word and an icon."""

    def __init__(self, number: int, text: str) -> None:
        super().__init__()
        self.text = text
        line = QHBoxLayout(self)
        line.setContentsMargins(0, theme.space(1) // 2, 0, theme.space(1) // 2)
        line.setSpacing(theme.space(2))
        self.box = QCheckBox(f"{number}" if number <= 9 else "")
        self.box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if number <= 9:
            self.box.setAccessibleDescription(f"Key {number} ticks it")
        self.label = plain_label(text, wrap=True)  # long texts wrap; never rich text
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.icon = QLabel()
        self.badge = plain_label("")
        self.badge.setFont(theme.font("caption"))
        line.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.label, 1)
        line.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        self.state = ""

    def show_state(self, state: str, seconds_left: float | None) -> None:
        word, icon, colour, spoken = STATES[state]
        if state == r.DUE and seconds_left is not None:
            word = f"due · {max(0, round(seconds_left))} s"
        if self.badge.text() != word:
            self.badge.setText(word)
        self.label.setToolTip(f"due: {max(0, round(seconds_left or 0))} s left" if state == r.DUE
                              else TOOLTIPS.get(state, ""))
        if state == self.state:
            return
        self.state = state
        self.box.setChecked(state == r.TICKED)
        self.box.setAccessibleName(f"{self.text}, {spoken}")
        style = f"color: {theme.color(colour)};"
        if state in (r.DUE, r.LATE, r.CLOSING):
            style += " font-weight: 600;"
        if state == r.TICKED:
            style += " text-decoration: line-through;"
        self.label.setStyleSheet(style)
        self.badge.setStyleSheet(f"color: {theme.color(colour)};")
        if icon is None:
            self.icon.clear()
        else:
            side = self.badge.fontMetrics().height()
            self.icon.setPixmap(theme.icon(icon, colour).pixmap(side, side))


class ChecklistPanel(QFrame):
    obstacle_requested = Signal(str)   # "also raise it at the huddle": the controller passes it on
    outcome_saved = Signal(str)        # run id
    moved = Signal(QPoint)             # the agent dragged it here (the controller remembers it)
    offer_chosen = Signal(str, str)    # notification id, action key ("start" / "dismiss")
    visibility_changed = Signal(bool)  # shown / hidden (the tray offers "Show the checklist" while hidden)

    def __init__(self, service: ChecklistService, cards: tuple[Card, ...] | None = None,
                 corner: Callable[[], str] = lambda: "top_right",
                 remembered: Callable[[], QPoint | None] = lambda: None) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("checklistPanel")
        self.setStyleSheet(f"#checklistPanel {{ background: {theme.color('surface')}; "
                           f"border: {2 if theme.is_high_contrast() else 1}px solid {theme.color('border_strong')}; "
                           f"border-radius: {theme.radius('medium')}px; }}")
        self.setWindowTitle(theme.window_title("Moment of Truth"))
        self.setAccessibleName("Moment of Truth checklist")
        self.service = service
        self._corner = corner
        self._remembered = remembered
        self.cards = cards if cards is not None else default_cards()
        self.card_index = 0
        self.run: ActiveRun | None = None
        self.run_id: str | None = None
        self.call_id: str | None = None    # the call the panel shows (or whose outcome step it shows)
        self.offer: Shown | None = None
        self.rows: list[ItemRow] = []
        self._drag_from: QPoint | None = None
        self._dragged = False
        self.setFixedWidth(panel_width())

        layout = QVBoxLayout(self)
        m = margin()
        layout.setContentsMargins(m, theme.space(3), m, theme.space(3))
        layout.setSpacing(theme.space(2))
        self.header = QWidget()
        self.header.setCursor(Qt.CursorShape.SizeAllCursor)
        self.header.setToolTip("Drag to move the panel")
        head = QHBoxLayout(self.header)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(theme.space(2))
        self.title = plain_label("Moment of Truth", wrap=True)
        self.title.setFont(theme.font("strong"))
        head.addWidget(self.title, 1)
        self.clock_icon = QLabel()
        side = self.title.fontMetrics().height()
        self.clock_icon.setPixmap(theme.icon("clock", "text_muted").pixmap(side, side))
        head.addWidget(self.clock_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.elapsed = plain_label("")
        self.elapsed.setFont(theme.font("strong"))
        self.elapsed.setAccessibleName("Time on this call")
        head.addWidget(self.elapsed, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.header)

        self.items_page = QWidget()
        self.items_layout = QVBoxLayout(self.items_page)
        self.items_layout.setContentsMargins(0, 0, 0, 0)
        self.items_layout.setSpacing(theme.space(1))
        self.cards_page = self._build_cards()
        self.outcome_page = self._build_outcome()
        self.pages = (self.items_page, self.cards_page, self.outcome_page)
        for page in self.pages:
            layout.addWidget(page)
        self._page: QWidget = self.items_page
        self.cards_page.hide()
        self.outcome_page.hide()

        self.hint = plain_label("Click here, then 1-9 tick · D de-escalation cards · Esc hide", wrap=True)
        self.hint.setFont(theme.font("caption"))
        self.hint.setStyleSheet(f"color: {theme.color('text_muted')};")
        layout.addWidget(self.hint)

        self._ticker = QTimer(self)  # runs only while a call's checklist is on screen
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.refresh)
        self._outcome_timer = QTimer(self)
        self._outcome_timer.setSingleShot(True)
        self._outcome_timer.timeout.connect(self.save_outcome)
        self._watch_clicks(self)

    # -- pages and size ---------------------------------------------------------------------------
    def current_page(self) -> QWidget:
        return self._page

    def show_page(self, page: QWidget) -> None:
        """Show one page; the panel takes that page's natural height (no gaps left by a taller one)."""
        self._page = page
        for other in self.pages:
            other.setVisible(other is page)
        self.hint.setVisible(page is self.items_page)  # the cards say their own keys
        self._fit()

    def _fit(self) -> None:
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # texts set just now count too
        layout = self.layout()
        layout.activate()
        height = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        height = max(height, layout.totalMinimumSize().height())
        self.setFixedHeight(height)
        if self.isVisible():
            self._keep_on_screen()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.height() != self.natural_height():
            self._fit()  # a text changed (a badge, a wrapped line): stay exactly as tall as the content
        return handled

    def natural_height(self) -> int:
        layout = self.layout()
        layout.activate()
        return max(layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height())

    # -- building ---------------------------------------------------------------------------------
    def _build_cards(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(theme.space(2))
        self.card_position = plain_label("")
        self.card_position.setFont(theme.font("caption"))
        self.card_position.setStyleSheet(f"color: {theme.color('text_muted')};")
        box.addWidget(self.card_position)
        self.card_title = plain_label("", wrap=True)
        self.card_title.setFont(theme.font("heading"))
        self.card_title.setAccessibleName("De-escalation card")
        box.addWidget(self.card_title)
        self.card_steps = plain_label("", wrap=True)
        box.addWidget(self.card_steps)
        nav = QHBoxLayout()
        self.previous_card = QPushButton("← Previous")
        self.previous_card.setAccessibleName("Previous de-escalation card")
        self.next_card = QPushButton("Next →")
        self.next_card.setAccessibleName("Next de-escalation card")
        for button in (self.previous_card, self.next_card):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Left/Right and PageUp/PageDown do it by key
        self.previous_card.clicked.connect(lambda: self.step_card(-1))
        self.next_card.clicked.connect(lambda: self.step_card(1))
        nav.addWidget(self.previous_card)
        nav.addStretch(1)
        nav.addWidget(self.next_card)
        box.addLayout(nav)
        self.cards_hint = plain_label("← → or PageUp/PageDown: another card · D or Esc: back", wrap=True)
        self.cards_hint.setFont(theme.font("caption"))
        self.cards_hint.setStyleSheet(f"color: {theme.color('text_muted')};")
        box.addWidget(self.cards_hint)
        self.card_labels = [self.card_title, self.card_steps]
        self._show_card(0)
        return page

    def _show_card(self, index: int) -> None:
        self.card_index = index % len(self.cards)
        card = self.cards[self.card_index]
        self.card_position.setText(f"De-escalation card {self.card_index + 1} of {len(self.cards)}")
        self.card_title.setText(card.title)
        self.card_steps.setText("\n".join(f"• {step}" for step in card.steps))
        self.card_steps.setAccessibleName(f"{card.title}: " + "; ".join(card.steps))

    def step_card(self, delta: int) -> None:
        self._show_card(self.card_index + delta)
        if self._page is self.cards_page:
            self._fit()
            announce(self.card_title, f"{self.card_position.text()}: {self.card_title.text()}")

    def _build_outcome(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(theme.space(2))
        self.outcome_summary = plain_label("", wrap=True)
        self.outcome_summary.setAccessibleName("Call summary")
        box.addWidget(self.outcome_summary)
        question = plain_label("How was this Moment of Truth? (optional)", wrap=True)
        box.addWidget(question)
        row = QHBoxLayout()
        self.outcome_group = QButtonGroup(self)
        self.outcome_group.setExclusive(True)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for key, label in OUTCOME_LABELS:
            button = QRadioButton(label)
            button.setAccessibleName(f"{label} moment")
            button.toggled.connect(lambda on, k=key: self._outcome_toggled(k, on))
            self.outcome_group.addButton(button)
            row.addWidget(button)
            self.outcome_buttons[key] = button
        row.addStretch(1)
        box.addLayout(row)
        self.obstacle_edit = QLineEdit()
        self.obstacle_edit.setPlaceholderText("What got in the way? (optional)")
        self.obstacle_edit.setAccessibleName("What got in the way? (optional)")
        self.obstacle_edit.setMaxLength(r.MAX_OBSTACLE)
        self.obstacle_edit.returnPressed.connect(lambda: self.save_outcome(by_agent=True))
        self.obstacle_edit.textEdited.connect(lambda *_: self._outcome_timer.start(OUTCOME_SECONDS * 1000))
        box.addWidget(self.obstacle_edit)
        self.raise_box = QCheckBox("Also raise it at the huddle")
        self.raise_box.setToolTip("Opens Voice of the Customer with the text filled in; nothing is sent until you log it")
        self.raise_box.setAccessibleName("Also raise it at the huddle (Voice of the Customer)")
        box.addWidget(self.raise_box)
        self.outcome_error = plain_label("", wrap=True)
        self.outcome_error.setStyleSheet(f"color: {theme.color('error')};")
        self.outcome_error.setAccessibleName("Problem")
        self.outcome_error.hide()
        box.addWidget(self.outcome_error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save how the call went")
        self.save_button.clicked.connect(lambda: self.save_outcome(by_agent=True))
        self.skip_button = QPushButton("Skip")
        self.skip_button.setAccessibleName("Skip: save nothing more about this call")
        self.skip_button.clicked.connect(self.skip_outcome)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        box.addLayout(buttons)

        # The reset offer after a tough or long call: part of this step, below it.
        self.offer_box = QFrame()
        self.offer_box.setObjectName("offerBox")
        self.offer_box.setStyleSheet(f"#offerBox {{ background: {theme.color('info_bg')}; "
                                     f"border-radius: {theme.radius('small')}px; }}")
        offer = QVBoxLayout(self.offer_box)
        offer.setContentsMargins(theme.space(2), theme.space(2), theme.space(2), theme.space(2))
        offer_head = QHBoxLayout()
        offer_icon = QLabel()
        side = self.outcome_summary.fontMetrics().height()
        offer_icon.setPixmap(theme.icon("breathe", "info").pixmap(side, side))
        offer_head.addWidget(offer_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.offer_text = plain_label("", wrap=True)
        self.offer_text.setAccessibleName("Reset offer")
        offer_head.addWidget(self.offer_text, 1)
        offer.addLayout(offer_head)
        offer_buttons = QHBoxLayout()
        self.offer_start = QPushButton("Start a 60-second reset")
        theme.set_icon(self.offer_start, "breathe", "on_accent")
        theme.set_role(self.offer_start, "primary")
        self.offer_start.setAccessibleName("Start a 60-second reset")
        self.offer_start.clicked.connect(lambda: self._offer_choice("start"))
        self.offer_later = QPushButton("Not now")
        self.offer_later.setAccessibleName("Not now: no reset")
        self.offer_later.clicked.connect(lambda: self._offer_choice("dismiss"))
        offer_buttons.addWidget(self.offer_start)
        offer_buttons.addWidget(self.offer_later)
        offer_buttons.addStretch(1)
        offer.addLayout(offer_buttons)
        self.offer_box.hide()
        box.addWidget(self.offer_box)
        return page

    def _outcome_toggled(self, key: str, on: bool) -> None:
        self._outcome_timer.start(OUTCOME_SECONDS * 1000)

    # -- a call -----------------------------------------------------------------------------------
    def start(self, run: ActiveRun, ref: str | None = None) -> None:
        """Show the checklist for a call (a pending outcome step is saved first)."""
        if self.run_id is not None:
            self.save_outcome()
        self.drop_offer()
        self.run = run
        self.call_id = run.call_id
        self.title.setText(run.template_name + (f" — call {ref}" if ref else ""))
        while self.items_layout.count():  # the previous call's rows
            row = self.items_layout.takeAt(0).widget()
            if row is not None:
                row.setParent(None)
                row.deleteLater()
        self.rows = []
        for number, item in enumerate(run.items, start=1):
            row = ItemRow(number, item.text)
            # toggled, not clicked: a screen reader's Toggle action (AT-SPI action 0) does not click
            row.box.toggled.connect(lambda on, k=item.key: self._box_toggled(k, on))
            for widget in (row, row.box, row.label, row.icon, row.badge):
                widget.installEventFilter(self)
            self.items_layout.addWidget(row)
            self.rows.append(row)
        self._show_card(0)
        self.show_page(self.items_page)
        self._set_passive(True)
        self.refresh()
        self._ticker.start()
        self.show_in_place()

    @property
    def boxes(self) -> list[QCheckBox]:
        return [row.box for row in self.rows]

    @property
    def labels(self) -> list[QLabel]:
        return [row.label for row in self.rows]

    def tick(self, key: str) -> None:
        try:
            self.service.tick(key)
        except CompanionError:
            pass  # the call ended between the click and now: nothing to tick
        self.refresh()

    def _box_toggled(self, key: str, on: bool) -> None:
        """A box changed (a click, Space, assistive technology): tick or untick unless the run already agrees
        (the box only followed the run in refresh)."""
        if self.run is not None and (key in self.run.ticked) != on:
            self.tick(key)

    def tick_number(self, number: int) -> None:
        if self.run is None or self.service.active is not self.run:
            return
        self.service.tick_number(number)
        self.refresh()

    def refresh(self) -> None:
        run = self.run
        if run is None or self._page is self.outcome_page:
            return
        mono = self.service.monotonic()
        for item, row in zip(run.items, self.rows):
            row.show_state(run.state(item, mono), run.seconds_left(item, mono))
        elapsed = mmss(run.elapsed(mono))
        if self.elapsed.text() != elapsed:
            self.elapsed.setText(elapsed)
        self.title.setToolTip(f"{elapsed} into the call")

    def end(self, saved: r.SavedRun | None) -> None:
        """The call ended: the short outcome step (or close when nothing was saved)."""
        self._ticker.stop()
        self.run = None
        if saved is None:
            self.hide()
            return
        self.run_id = saved.id
        self.call_id = saved.call_id
        self.title.setText("Call ended")
        self.elapsed.setText(mmss(saved.handle_seconds) if saved.handle_seconds else "")
        self.outcome_summary.setText(f"{saved.ticked} of {saved.items} ticked"
                                     + (f" · {mmss(saved.handle_seconds)}" if saved.handle_seconds else ""))
        self.outcome_group.setExclusive(False)  # so that none can be chosen again
        for button in self.outcome_buttons.values():
            button.setChecked(False)
        self.outcome_group.setExclusive(True)
        self.obstacle_edit.clear()
        self.raise_box.setChecked(False)
        self.outcome_error.setText("")
        self.outcome_error.hide()
        self.offer_box.setVisible(self.offer is not None)
        self.show_page(self.outcome_page)
        self._outcome_timer.start(OUTCOME_SECONDS * 1000)
        self.show_in_place()

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
                self.outcome_error.show()
                announce(self.outcome_error, str(exc), assertive=True)
                return False
            self.service.set_outcome(run_id, self.chosen_outcome(), None)
            text = ""
        self.run_id = None
        if text and self.raise_box.isChecked():
            self.obstacle_requested.emit(text)
        self.outcome_saved.emit(run_id)
        if self.run is None:
            self._tuck_away()
        return True

    def skip_outcome(self) -> None:
        self._outcome_timer.stop()
        self.run_id = None
        self._tuck_away()

    def _tuck_away(self) -> None:
        """The outcome step is done: the panel goes. An offer not answered stays takeable from the tray."""
        self.drop_offer()
        self.hide()

    # -- the reset offer --------------------------------------------------------------------------
    def wants_offer(self, call_id: str | None) -> bool:
        """Whether an offer after this call belongs here: the panel shows (or is about to show) that call's
        outcome step."""
        return call_id is not None and call_id == self.call_id and (self.run is not None or self.run_id is not None)

    def present_offer(self, shown: Shown) -> None:
        self.offer = shown
        self.offer_text.setText(f"{shown.title} {shown.body}")
        if self._page is self.outcome_page:
            self.offer_box.show()
            self._fit()
            announce(self.offer_text, self.offer_text.text())

    def _offer_choice(self, key: str) -> None:
        offer = self.offer
        if offer is None:
            return
        self.drop_offer()
        if key == "start":
            self.save_outcome()  # the outcome step as it stands; the reset window takes over
            self.hide()
        self.offer_chosen.emit(offer.id, key)

    def drop_offer(self) -> None:
        """The offer is answered or moot (a reset started, a new call): it leaves the outcome step."""
        self.offer = None
        if self.offer_box.isVisible():
            self.offer_box.hide()
            self._fit()

    # -- cards ------------------------------------------------------------------------------------
    def toggle_cards(self) -> None:
        if self._page is self.cards_page:
            self.show_page(self.items_page if self.run is not None else self.outcome_page)
        elif self._page is self.items_page:
            self.show_page(self.cards_page)
            announce(self.card_title, f"{self.card_position.text()}: {self.card_title.text()}")

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

    def _in_header(self, watched: QObject) -> bool:
        return watched in (self.header, self.title, self.clock_icon, self.elapsed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self.take_keyboard()
            if self._in_header(watched) and isinstance(event, QMouseEvent):
                self._drag_from = event.globalPosition().toPoint() - self.pos()
                self._dragged = False
                return True
            labels = self.labels
            if watched in labels and self.run is not None:  # a click on an item's text ticks it too
                self.tick(self.run.items[labels.index(watched)].key)
                return True
        elif kind == QEvent.Type.MouseMove and self._drag_from is not None and isinstance(event, QMouseEvent):
            self.move(event.globalPosition().toPoint() - self._drag_from)
            self._dragged = True
            return True
        elif kind == QEvent.Type.MouseButtonRelease and self._drag_from is not None:
            self._drag_from = None
            if self._dragged:
                self._keep_on_screen()
                self.moved.emit(self.pos())
            return True
        return False  # the click goes on to the checkbox or button as usual

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A press on the panel's own background (its margins) also starts a drag."""
        self.take_keyboard()
        self._drag_from = event.globalPosition().toPoint() - self.pos()
        self._dragged = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)
            self._dragged = True
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            if self._dragged:
                self._keep_on_screen()
                self.moved.emit(self.pos())
        super().mouseReleaseEvent(event)

    def take_keyboard(self) -> None:
        """The agent clicked into the panel (or asked for it): from now on it accepts the keyboard."""
        self._set_passive(False)
        self.activateWindow()
        if self._page is self.outcome_page:
            self.obstacle_edit.setFocus(Qt.FocusReason.MouseFocusReason)
        else:
            self.setFocus(Qt.FocusReason.MouseFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        page = self._page
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
                focused = self.focusWidget()
                if isinstance(focused, QPushButton):
                    focused.click()  # Enter presses the button that has the focus (Tab gets there)
                else:
                    self.save_outcome(by_agent=True)
                return
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_D:
            self.toggle_cards()
            return
        if page is self.cards_page and key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up):
            self.step_card(-1)
            return
        if page is self.cards_page and key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Down):
            self.step_card(1)
            return
        if page is self.items_page and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.tick_number(key - Qt.Key.Key_0)
            return
        super().keyPressEvent(event)

    # -- placing ----------------------------------------------------------------------------------
    def corner_position(self) -> QPoint | None:
        """Where the corner chosen in Settings puts it (top right unless changed), inside the screen's
        available area (clear of task bars and docks)."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return None
        area = screen.availableGeometry()
        vertical, horizontal = self._corner().split("_")
        gap = margin()
        x = area.left() + gap if horizontal == "left" else area.right() - self.width() - gap
        y = area.top() + gap if vertical == "top" else area.bottom() - self.height() - gap
        return QPoint(x, y)

    def show_in_place(self) -> None:
        """Show it where the agent last dropped it (if that is still on a screen), else in its corner."""
        self._fit()
        where = self._remembered()
        if where is None or QGuiApplication.screenAt(where) is None:
            where = self.corner_position()
        if where is not None:
            self.move(where)
        self._keep_on_screen()
        was_hidden = not self.isVisible()
        self.show()
        self._fit()  # once shown (polished), the wrapped texts know their real height
        if was_hidden:
            if self.run is not None:
                self.refresh()
                self._ticker.start()
            self.visibility_changed.emit(True)

    show_in_corner = show_in_place  # the old name (callers and tests)

    def _keep_on_screen(self) -> None:
        screen = QGuiApplication.screenAt(self.geometry().center()) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area: QRect = screen.availableGeometry()
        x = min(max(self.x(), area.left()), area.right() - self.width() + 1)
        y = min(max(self.y(), area.top()), area.bottom() - self.height() + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(x, y)

    def hideEvent(self, event: Any) -> None:
        self._ticker.stop()  # nothing ticks while nobody sees it
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._ticker.stop()
        if self.run_id is not None:
            self.save_outcome()
        super().closeEvent(event)

