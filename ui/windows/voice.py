"""Voice of the Customer: log what holds you back (category, text, optionally anonymous) and the huddle
board: obstacles grouped by category with their +1s. Leads mark one "acted on" with a reply, which
notifies its author."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
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
from ui.widgets.text import plain_label, plain_tooltip
from ui.windows.name import AskNameDialog
from ui.widgets.keys import close_on_escape

ID_ROLE = 256  # Qt.ItemDataRole.UserRole


class VoiceWindow(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.name_dialog: AskNameDialog | None = None
        self.setWindowTitle(theme.window_title("Voice of the Customer"))
        close_on_escape(self)
        self.setWindowIcon(app_icon())
        self.resize(680, 560)
        layout = QVBoxLayout(self)

        box = QGroupBox("What holds you back?")
        form = QFormLayout(box)
        self.category = QComboBox()
        for key, name in CATEGORIES:
            self.category.addItem(name, key)
        form.addRow("Category", self.category)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(f"For example: I lack the rights to refund without a transfer. "
                                     f"(Plain text, up to {MAX_TEXT} characters; never a card number.)")
        self.text.setMaximumHeight(90)
        form.addRow("Obstacle", self.text)
        self.anonymous = QCheckBox("Anonymous (your name is not shown or sent)")
        form.addRow(self.anonymous)
        self.log_button = QPushButton("Log it")
        self.log_button.clicked.connect(self.log)
        theme.set_role(self.log_button, "primary")
        theme.set_icon(self.log_button, "send", "on_accent")
        form.addRow(self.log_button)
        layout.addWidget(box)
        self.error = Feedback()
        layout.addWidget(self.error)

        board_label = plain_label("Huddle board")
        layout.addWidget(board_label)
        self.board = QTreeWidget()
        a11y.label_for(board_label, self.board)
        self.board.setHeaderLabels(["Obstacle", "From", "+1s", "Status", "+1"])
        self.board.setColumnWidth(0, 330)
        layout.addWidget(self.board)
        self.vote_buttons: dict[str, QPushButton] = {}

        self.lead_box = QGroupBox("Lead: mark the selected obstacle acted on")
        lead_row = QHBoxLayout(self.lead_box)
        self.reply = QLineEdit()
        self.reply.setPlaceholderText("What was done (the author is told)")
        lead_row.addWidget(self.reply)
        a11y.name(self.reply, "What was done about the selected obstacle", "The author is told")
        self.act_button = QPushButton("Mark acted on")
        self.act_button.clicked.connect(self.mark_acted_on)
        lead_row.addWidget(self.act_button)
        layout.addWidget(self.lead_box)
        self.lead_box.setVisible(desk.identity.is_lead())
        self.refresh()

    def refresh(self) -> None:
        self.board.clear()
        self.vote_buttons = {}
        self.groups = self.desk.obstacles.board()
        for group in self.groups:
            parent = QTreeWidgetItem([f"{group.name}", "", str(group.votes), f"{len(group.items)} logged", ""])
            self.board.addTopLevelItem(parent)
            for item in group.items:
                status = "open" if item.status == "open" else f"acted on: {item.reply}"
                author = "anonymous" if item.author is None else ("you" if item.mine else item.author)
                child = QTreeWidgetItem([item.text, author, str(item.votes), status, ""])
                child.setData(0, ID_ROLE, item.id)
                child.setToolTip(0, plain_tooltip(item.text))  # never rich text: it is someone's typing
                parent.addChild(child)
                if item.status == "open" and not item.mine:
                    button = QPushButton("+1 (given)" if item.voted else "+1")
                    button.setEnabled(not item.voted)
                    a11y.name(button, f"{'+1 given' if item.voted else '+1'}: {item.text[:80]}")
                    button.clicked.connect(lambda _=False, i=item.id: self.vote(i))
                    self.board.setItemWidget(child, 4, button)
                    self.vote_buttons[item.id] = button
            parent.setExpanded(True)

    def item_for(self, obstacle_id: str) -> QTreeWidgetItem | None:
        for top in range(self.board.topLevelItemCount()):
            parent = self.board.topLevelItem(top)
            for index in range(parent.childCount()):
                if parent.child(index).data(0, ID_ROLE) == obstacle_id:
                    return parent.child(index)
        return None

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
        def do() -> None:
            self.desk.obstacles.log(self.category.currentData(), self.text.toPlainText(), self.anonymous.isChecked())

        if self._guard(do, self.log):
            self.text.clear()
            self.anonymous.setChecked(False)
            self.error.success("Logged. Thank you: it will be on the huddle board.")
            return True
        return False

    def vote(self, obstacle_id: str) -> bool:
        return self._guard(lambda: self.desk.obstacles.vote(obstacle_id), lambda: self.vote(obstacle_id))

    def mark_acted_on(self) -> bool:
        current = self.board.currentItem()
        obstacle_id = current.data(0, ID_ROLE) if current is not None else None
        if not obstacle_id:
            self.error.error("Select an obstacle on the board first.")
            return False
        if self._guard(lambda: self.desk.obstacles.mark_acted_on(obstacle_id, self.reply.text()),
                       self.mark_acted_on):
            self.reply.clear()
            return True
        return False
