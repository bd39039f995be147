"""Voice of the Customer: log what holds you back (category, text, optionally anonymous) and the huddle
board: obstacle cards grouped by category, each with its +1. Leads mark one "acted on" with a reply (on the
card), which notifies its author. An empty board invites the first obstacle."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.desk import Desk
from companion.errors import CompanionError
from companion.obstacles.service import CATEGORIES, MAX_TEXT
from companion.team.identity import NameNeeded
from ui.icons import app_icon
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.theme.board import CATEGORY_ICONS
from ui.widgets.obstacle_card import ObstacleCard
from ui.widgets.text import plain_label
from ui.windows.name import AskNameDialog
from ui.widgets.keys import close_on_escape

def a11y_label(text: str, field: QWidget) -> QLabel:
    """A form label in plain text (never interpreted), the buddy and accessible name of its field."""
    label = plain_label(text)
    a11y.label_for(label, field)
    return label


PER_SECTION = 8  # cards a section shows before "Show N more": the board stays quick with a year of obstacles


class VoiceWindow(QWidget):
    """The log form (category, text, anonymous, Log it), the feedback line, and the huddle board: a section
    per category (its icon, name and count) of obstacle cards (ui/widgets/obstacle_card.py), in a column that
    scrolls only vertically, so every card's +1 stays in view at any width."""

    def __init__(self, desk: Desk) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.name_dialog: AskNameDialog | None = None
        self.setWindowTitle(theme.window_title("Voice of the Customer"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(720, 720)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.space(3))

        box = QGroupBox("What holds you back?")
        form = QFormLayout(box)
        self.category = QComboBox()
        for key, name in CATEGORIES:
            self.category.addItem(theme.icon(CATEGORY_ICONS[key]), name, key)
        form.addRow(a11y_label("Category", self.category), self.category)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(f"For example: I lack the rights to refund without a transfer. "
                                     f"(Plain text, up to {MAX_TEXT} characters; never a card number.)")
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * 4 + theme.space(3))
        form.addRow(a11y_label("Obstacle", self.text), self.text)
        self.anonymous = QCheckBox("Anonymous (your name is not shown or sent)")
        self.log_button = QPushButton("Log it")
        self.log_button.clicked.connect(self.log)
        theme.set_role(self.log_button, "primary")
        theme.set_icon(self.log_button, "send", "on_accent")
        actions = QHBoxLayout()
        actions.addWidget(self.anonymous, 1)
        actions.addWidget(self.log_button)
        form.addRow(actions)
        layout.addWidget(box)
        self.error = Feedback()
        layout.addWidget(self.error)

        head = QHBoxLayout()
        board_label = plain_label("Huddle board")
        board_label.setFont(theme.font("heading"))
        head.addWidget(board_label)
        head.addStretch(1)
        self.summary = plain_label("")
        theme.set_role(self.summary, "muted")
        head.addWidget(self.summary)
        layout.addLayout(head)
        self.board = QScrollArea()
        self.board.setProperty("role", "board")
        self.board.setWidgetResizable(True)
        self.board.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # never off to the right
        self.board.setFrameShape(QFrame.Shape.NoFrame)
        self.board.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the cards themselves
        a11y.label_for(board_label, self.board)
        layout.addWidget(self.board, 1)
        self.cards: dict[str, ObstacleCard] = {}
        self.vote_buttons: dict[str, QPushButton] = {}
        self.sections: dict[str, QWidget] = {}
        self.empty: QFrame | None = None
        self._expanded: set[str] = set()
        self._all_shown: set[str] = set()  # categories whose every card is shown
        self.more_buttons: dict[str, QPushButton] = {}
        self.lead = desk.identity.is_lead()
        self.refresh()

    # -- the board ----------------------------------------------------------------------------------
    def _who(self, names: dict[str, str], me: str | None):
        def who(login: str | None, mine: bool) -> str:
            if login is None:
                return "Anonymous"
            if mine or (me is not None and login == me):
                return "you"
            return names.get(login, login)

        return who

    def refresh(self) -> None:
        focused = self.focusWidget()
        keep_focus = None
        for obstacle_id, card in self.cards.items():
            if focused is card or (focused is not None and card.isAncestorOf(focused)):
                keep_focus = (obstacle_id, "card" if focused is card else
                              "reply" if focused is card.reply else "button")
        self._expanded = {i for i, card in self.cards.items() if card.expanded}
        replying = {i: card.reply.text() for i, card in self.cards.items()  # a lead's half-typed reply survives
                    if card.reply_row is not None and not card.reply_row.isHidden()}
        scroll = self.board.verticalScrollBar().value()
        self.cards, self.vote_buttons, self.sections, self.empty = {}, {}, {}, None
        self.more_buttons: dict[str, QPushButton] = {}
        self.groups = self.desk.obstacles.board()
        who = self._who(self.desk.roster.display_names(), self.desk.settings().agent_name)

        content = QWidget()
        content.setProperty("role", "board-content")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, theme.space(1), theme.space(2))
        column.setSpacing(theme.space(2))
        previous: QWidget | None = None
        for group in self.groups:
            section = self._section_header(group)
            column.addSpacing(theme.space(2) if previous is not None else 0)
            column.addWidget(section)
            self.sections[group.category] = section
            shown = group.items if group.category in self._all_shown else group.items[:PER_SECTION]
            for item in shown:
                card = ObstacleCard(item, who, self.lead, item.id in self._expanded)
                card.voted.connect(self.vote)
                card.acted.connect(self.act_on)
                column.addWidget(card)
                self.cards[item.id] = card
                if card.vote_button is not None:
                    self.vote_buttons[item.id] = card.vote_button
                if item.id in replying and card.reply is not None:
                    card.open_reply(focus=False)
                    card.reply.setText(replying[item.id])
                previous = card
            hidden = len(group.items) - len(shown)
            if hidden:  # a long section shows its first cards (open, most +1s) and a way to the rest
                more = QPushButton(f"Show {hidden} more in {group.name}")
                theme.set_role(more, "quiet")
                theme.set_icon(more, "expand")
                more.clicked.connect(lambda *_, key=group.category: self.show_all_in(key))
                column.addWidget(more, 0, Qt.AlignmentFlag.AlignLeft)
                self.more_buttons[group.category] = more
        if not self.groups:
            self.empty = self._empty_state()
            column.addWidget(self.empty)
        column.addStretch(1)
        old = self.board.takeWidget()
        if old is not None:  # later: a +1 button or a reply field of it may be mid-signal right now
            old.hide()
            old.deleteLater()
        self.board.setWidget(content)
        self.board.verticalScrollBar().setValue(scroll)
        total = sum(len(g.items) for g in self.groups)
        votes = sum(g.votes for g in self.groups)
        self.summary.setText("" if not total else
                             f"{total} obstacle{'s' if total != 1 else ''} · {votes} +1{'s' if votes != 1 else ''}")
        if keep_focus is not None and keep_focus[0] in self.cards:
            card = self.cards[keep_focus[0]]
            target: QWidget = card
            if keep_focus[1] == "reply" and card.reply is not None and card.reply.isVisibleTo(self):
                target = card.reply
            elif keep_focus[1] == "button" and card.vote_button is not None and card.vote_button.isEnabled():
                target = card.vote_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _section_header(self, group) -> QWidget:
        header = QWidget()
        row = QHBoxLayout(header)
        row.setContentsMargins(theme.space(1), 0, 0, 0)
        row.setSpacing(theme.space(2))
        icon = QLabel()
        theme.set_icon(icon, CATEGORY_ICONS.get(group.category, "voice-other"), "accent")
        row.addWidget(icon)
        title = plain_label(group.name)
        title.setFont(theme.font("heading"))
        row.addWidget(title)
        count = len(group.items)
        detail = f"{count} obstacle{'s' if count != 1 else ''} · {group.votes} +1{'s' if group.votes != 1 else ''}"
        header.count_label = plain_label(detail)
        theme.set_role(header.count_label, "muted")
        row.addWidget(header.count_label)
        row.addStretch(1)
        header.title_label = title
        header.setAccessibleName(f"{group.name}, {detail}")
        return header

    def _empty_state(self) -> QFrame:
        empty = QFrame()
        empty.setProperty("role", "board-empty")
        column = QVBoxLayout(empty)
        column.setContentsMargins(theme.space(5), theme.space(5), theme.space(5), theme.space(5))
        column.setSpacing(theme.space(2))
        icon = QLabel()
        side = theme.space(7)
        icon.setPixmap(theme.icon("voice", "accent").pixmap(side, side))
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(icon)
        empty.title = plain_label("Nothing on the board yet", wrap=True)
        empty.title.setFont(theme.font("heading"))
        empty.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(empty.title)
        empty.body = plain_label("What slowed you down on a call today? Log it above: teammates who share it give "
                                 "it a +1, and your lead takes the most shared ones to the huddle.", wrap=True)
        empty.body.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        theme.set_role(empty.body, "muted")
        column.addWidget(empty.body)
        empty.button = QPushButton("Log the first obstacle")
        theme.set_icon(empty.button, "add")
        empty.button.clicked.connect(lambda *_: self.text.setFocus(Qt.FocusReason.OtherFocusReason))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(empty.button)
        row.addStretch(1)
        column.addLayout(row)
        return empty

    def show_all_in(self, category: str) -> None:
        """Every card of a long section ("Show 12 more in Tools and systems"); the keyboard moves to the first
        card that was hidden."""
        before = set(self.cards)
        self._all_shown.add(category)
        self.refresh()
        new = [card for i, card in self.cards.items() if i not in before]
        if new:
            new[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def item_for(self, obstacle_id: str) -> ObstacleCard | None:
        return self.cards.get(obstacle_id)

    def _guard(self, action, retry) -> bool:
        try:
            action()
        except NameNeeded:
            self.name_dialog = AskNameDialog(self.desk, retry, self)
            self.name_dialog.open()
            return False
        except CompanionError as exc:
            self.error.error(str(exc))
            return False
        self.error.clear()
        self.refresh()
        return True

    def prefill(self, text: str) -> None:
        """Start an obstacle from elsewhere (a call's "what got in the way?"): the agent still decides."""
        self.text.setPlainText(text)
        self.error.info("From your call: choose a category, then Log it.")
        self.category.setFocus()

    def log(self) -> bool:
        logged: list[str] = []

        def do() -> None:
            logged.append(self.desk.obstacles.log(self.category.currentData(), self.text.toPlainText(),
                                                  self.anonymous.isChecked()))

        if self._guard(do, self.log):
            self.text.clear()
            self.anonymous.setChecked(False)
            self.error.success("Logged. Thank you: it will be on the huddle board.")
            card = self.cards.get(logged[-1]) if logged else None
            if card is not None:  # show where it landed
                self.board.widget().layout().activate()
                self.board.ensureWidgetVisible(card)
            return True
        return False

    def vote(self, obstacle_id: str) -> bool:
        if self._guard(lambda: self.desk.obstacles.vote(obstacle_id), lambda: self.vote(obstacle_id)):
            self.error.success("+1 counted: your lead sees what the team shares.")
            return True
        return False

    def act_on(self, obstacle_id: str, reply: str) -> bool:
        """A lead's "Mark acted on" with what was done (the author is told)."""
        if self._guard(lambda: self.desk.obstacles.mark_acted_on(obstacle_id, reply),
                       lambda: self.act_on(obstacle_id, reply)):
            self.error.success("Marked acted on. The author is told.")
            return True
        return False
