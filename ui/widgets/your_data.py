"""Settings → Your data: what this computer keeps about you, Export my data (a zip of CSV files, one per table,
and my-data.json) and Delete my data (the confirmation in ui/windows/delete_data.py). Both act at once: they
are not settings, Save and Cancel do not touch them. They moved here from My day (issue 11): the daily view
is for the day, not for taking everything away.
"""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from companion import mydata
from companion.desk import Desk
from companion.errors import CompanionError
from ui import theme
from ui.plurals import count
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label

INTRO = ("Everything Agent Companion records about you stays on this computer: your calls and checklists, "
         "your resets and moods, kudos, obstacles, notifications. You can take a copy or remove it.")

# mydata.PARTS name -> the count in words (Qt numerus source strings: ui.plurals.count)
PART_WORDS = {
    "calls": "%n call(s)",
    "checklist_runs": "%n checklist(s) filled in on calls",
    "resets": "%n reset(s) (with moods)",
    "kudos": "%n kudos sent and received",
    "obstacles": "%n obstacle(s) you logged",
    "obstacle_votes": "%n +1(s) you gave",
    "breath_answers": "%n answer(s) to group deep breaths",
    "notifications": "%n notification(s)",
}


def describe(counts: dict[str, int], ticked: int | None = None) -> list[str]:
    """The counts in words, each with its right plural: "1 call", "2 calls". Checklist items are counted
    exactly: every item of every checklist, and how many of them were ticked ("16 checklist items, 5 of
    them ticked")."""
    lines = []
    for name, n in counts.items():
        if name == "checklist_run_items":
            text = count("%n checklist item(s)", n)
            if ticked is not None and n:
                text += ", " + (count("%n of them ticked", ticked) if n != 1 else
                                ("ticked" if ticked else "not ticked"))
            lines.append(text)
        else:
            lines.append(count(PART_WORDS.get(name, "%n " + name.replace("_", " ")), n))
    return lines


class YourDataSection(QWidget):
    deleted = Signal(str)  # what was removed, in words

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.delete_dialog = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.space(3))
        layout.addWidget(plain_label(INTRO, wrap=True))
        self.summary = plain_label("", wrap=True)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export my data…")
        theme.set_icon(self.export_button, "save")
        self.export_button.setAccessibleName("Export my data (a zip of CSV files and JSON)")
        self.export_button.clicked.connect(self.choose_export)
        self.delete_button = QPushButton("Delete my data…")
        theme.set_icon(self.delete_button, "delete", "error")
        self.delete_button.clicked.connect(self.confirm_delete)
        row.addWidget(self.export_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(plain_label("Export writes a zip file: one CSV file per kind of record and my-data.json "
                                     "with all of it. Delete asks you to type DELETE first; your settings, team "
                                     "roster and checklist templates stay.", wrap=True))
        self.message = Feedback()
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        name = self.desk.settings().agent_name
        counts = mydata.counts(self.desk.db, name)
        total = sum(counts.values())
        present = {part: n for part, n in counts.items() if n}  # what is there; Delete lists every kind
        self.summary.setText("On this computer now: " + ", ".join(
            describe(present, mydata.ticked_items(self.desk.db))) + "." if total else
            "Nothing about you is recorded on this computer now.")

    def say(self, text: str, kind: str = "success") -> None:
        self.message.show_message(kind, text)

    def choose_export(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d")
        path, _ = QFileDialog.getSaveFileName(self, "Export my data", f"agent-companion-my-data-{stamp}.zip",
                                              "Zip archive (*.zip)")
        if path:
            self.export_to(path if path.lower().endswith(".zip") else path + ".zip")

    def export_to(self, path: str) -> bool:
        from pathlib import Path

        try:
            written = mydata.export(self.desk.db, self.desk.settings().agent_name, Path(path),
                                    datetime.now(timezone.utc))
        except (CompanionError, OSError) as exc:
            self.say(f"Not exported: {exc}", "error")
            return False
        self.say(f"Exported to {written} (one CSV file per table and my-data.json).")
        return True

    def confirm_delete(self) -> None:
        from ui.windows.delete_data import DeleteDataDialog

        self.delete_dialog = DeleteDataDialog(self.desk, self.choose_export, parent=self.window())
        self.delete_dialog.deleted.connect(self._after_delete)
        self.delete_dialog.open()

    def _after_delete(self, text: str) -> None:
        self.say(text)
        self.refresh()
        self.deleted.emit(text)
