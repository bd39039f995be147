"""Checklists: the agent's Moment of Truth templates. Create, edit, reorder, archive, import and export
(JSON or YAML), choose the one used for calls; a lead on a team hub can publish one to the team.

Every problem (a bad import file, an empty item, a read-only team template) is shown in the window in
plain words, and nothing is changed.
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.checklists import publish as pub
from companion.checklists.store import TemplateStore
from companion.checklists.templates import MAX_FILE_BYTES, MAX_ITEMS, Item, Template, TemplateProblems, validate
from companion.desk import Desk
from companion.errors import CompanionError, InvalidInput
from ui.icons import app_icon
from ui import a11y, theme
from ui.widgets.feedback import Feedback
from ui.widgets.text import plain_label

TEXT, DUE, CLOSING = 0, 1, 2
KEY_ROLE = Qt.ItemDataRole.UserRole


def slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:24].strip("-") or "item"
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key


def documents_folder() -> str:
    """Where the file dialogs start: the person's documents folder (the home folder if the OS has none)."""
    from PySide6.QtCore import QStandardPaths

    return (QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or str(Path.home()))


class TemplateEditor(QWidget):
    """The checklists editor. Template actions sit in one toolbar above everything (New, Duplicate, Import…,
    Export…, Publish to team, Archive); the list's own order (Move checklist up/down) under the list; item
    actions beside the item table (Add item, Remove, Move up, Move down); Use for calls and Save under the form.

    New and Duplicate make a *draft*: nothing is stored until Save, and closing the window (or choosing another
    checklist) with unsaved changes asks "Discard the new checklist?" / "Discard your changes?" first."""

    def __init__(self, desk: Desk) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.store: TemplateStore = desk.checklists.templates
        self.store.ensure_default()
        self.current_id: str | None = None
        self.draft = False             # a New/Duplicate not saved yet: not in the database
        self._loaded: tuple | None = None  # the form as last loaded or saved (unsaved changes: it differs)
        self._closing_confirmed = False
        self.discard_box: QMessageBox | None = None
        self.setWindowTitle(theme.window_title("Checklists"))
        self.setWindowIcon(app_icon())
        self.resize(960, 560)

        outer = QVBoxLayout(self)
        outer.setSpacing(theme.space(3))
        # -- the template's actions: one toolbar ------------------------------------------------------
        toolbar = QFrame()
        toolbar.setProperty("role", "card")
        a11y.name(toolbar, "Checklist actions")
        bar = QHBoxLayout(toolbar)
        bar.setContentsMargins(theme.space(2), theme.space(2), theme.space(2), theme.space(2))
        bar.setSpacing(theme.space(2))
        self.new_button = self._button("New", self.new_template, bar, "new", "Start a new checklist (kept when you Save)")
        self.duplicate_button = self._button("Duplicate", self.duplicate, bar, "duplicate",
                                             "Start a new checklist from a copy of this one")
        self.import_button = self._button("Import…", self.choose_import, bar, "import",
                                          "Add a checklist from a JSON or YAML file")
        self.export_button = self._button("Export…", self.choose_export, bar, "export",
                                          "Save this checklist as a JSON or YAML file")
        bar.addStretch(1)
        self.publish_button = self._button("Publish to team", self.publish, bar, "publish",
                                           "Send this checklist to your team's template lists")
        self.publish_button.setVisible(self.hub_lead() is not None)
        self.archive_button = self._button("Archive", self.toggle_archive, bar, "archive",
                                           "Hide this checklist from the list (Show archived brings it back)")
        outer.addWidget(toolbar)

        body = QHBoxLayout()
        body.setSpacing(theme.space(4))
        left = QVBoxLayout()
        left.setSpacing(theme.space(2))
        list_label = plain_label("Checklists")
        list_label.setFont(theme.font("heading"))
        left.addWidget(list_label)
        self.list = QListWidget()
        a11y.name(self.list, "Checklist templates")
        self.list.currentItemChanged.connect(self._selection_changed)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.up_button = self._button("Up", lambda: self.move(-1), row, "move-up", "Move the checklist up the list")
        a11y.name(self.up_button, "Move checklist up")
        self.down_button = self._button("Down", lambda: self.move(+1), row, "move-down",
                                        "Move the checklist down the list")
        a11y.name(self.down_button, "Move checklist down")
        row.addStretch(1)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.toggled.connect(lambda *_: self.reload())
        row.addWidget(self.show_archived)
        left.addLayout(row)
        body.addLayout(left, 1)

        right = QVBoxLayout()
        right.setSpacing(theme.space(2))
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        form.addRow("Name", self.name)
        self.line = QLineEdit()
        self.line.setMaxLength(80)
        self.line.setPlaceholderText("optional: client or line of business")
        form.addRow("Client / line of business", self.line)
        right.addLayout(form)
        items_label = plain_label("Items (keys 1-9 tick them on the in-call panel)")
        items_label.setFont(theme.font("strong"))
        right.addWidget(items_label)
        items_row = QHBoxLayout()
        items_row.setSpacing(theme.space(2))
        self.items = QTableWidget(0, 3)
        a11y.name(self.items, "Checklist items", "Item text, due within seconds, near the end")
        self.items.setHorizontalHeaderLabels(["Item", "Due within (s)", "Near the end"])
        self.items.verticalHeader().setVisible(True)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DUE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CLOSING, QHeaderView.ResizeMode.ResizeToContents)
        items_row.addWidget(self.items, 1)
        item_actions = QVBoxLayout()
        item_actions.setSpacing(theme.space(2))
        self.add_item_button = self._button("Add item", self.add_item, item_actions, "add-item",
                                            "Add an item at the end")
        self.remove_item_button = self._button("Remove", self.remove_item, item_actions, "remove-item",
                                               "Remove the selected item")
        a11y.name(self.remove_item_button, "Remove item")
        self.item_up_button = self._button("Move up", lambda: self.move_item(-1), item_actions, "move-up",
                                           "Move the selected item up")
        a11y.name(self.item_up_button, "Move item up")
        self.item_down_button = self._button("Move down", lambda: self.move_item(+1), item_actions, "move-down",
                                             "Move the selected item down")
        a11y.name(self.item_down_button, "Move item down")
        item_actions.addStretch(1)
        items_row.addLayout(item_actions)
        right.addLayout(items_row, 1)
        self.status = Feedback()
        right.addWidget(self.status)
        row = QHBoxLayout()
        self.use_button = self._button("Use for calls", self.use_for_calls, row, "use",
                                       "Calls from now on show this checklist")
        row.addStretch(1)
        self.save_button = self._button("Save", self.save, row, "save", None)
        theme.set_role(self.save_button, "primary")
        theme.set_icon(self.save_button, "save", "on_accent")
        self.save_button.setDefault(False)
        right.addLayout(row)
        body.addLayout(right, 2)
        outer.addLayout(body, 1)
        self.reload()

    def _button(self, text: str, slot, row, icon: str | None = None, tip: str | None = None) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda *_: slot())
        if icon:
            theme.set_icon(button, icon)
        if tip:
            button.setToolTip(tip)  # our own words, never someone's typing
        row.addWidget(button)
        return button

    def say(self, text: str, error: bool = False, info: bool = False) -> None:
        if error:
            self.status.error(text)
        elif info:
            self.status.info(text)
        else:
            self.status.success(text)

    def hub_lead(self) -> tuple[str, str | None] | None:
        return pub.hub_lead(self.desk.store.get_state("team.hub"))

    # -- the list ---------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Fill the list from the store (a draft is dropped: call this after Save or Discard only)."""
        select = select or self.current_id
        self.draft = False
        active = self.store.active().id
        self.list.blockSignals(True)
        self.list.clear()
        for stored in self.store.list(include_archived=self.show_archived.isChecked()):
            label = stored.label() + ("  ✓ used for calls" if stored.id == active else "")
            entry = QListWidgetItem(label)  # list items are plain text
            entry.setData(KEY_ROLE, stored.id)
            self.list.addItem(entry)
            if stored.id == select:
                self.list.setCurrentItem(entry)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._load_selected()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(KEY_ROLE) if item is not None else None

    def _selection_changed(self, current, previous) -> None:
        if self.draft and current is not None and current.data(KEY_ROLE) is None:
            return  # the draft's own entry
        if self.has_unsaved_changes():
            self.list.blockSignals(True)
            self.list.setCurrentItem(previous)  # stay until the person decides
            self.list.blockSignals(False)
            target = current.data(KEY_ROLE) if current is not None else None
            self.ask_discard(lambda: self.reload(target))
            return
        self._load_selected()

    def _load_selected(self) -> None:
        template_id = self.selected_id()
        self.current_id = template_id
        if template_id is None:
            self._fill(None)
            return
        try:
            stored = self.store.get(template_id)
        except CompanionError as exc:
            self.say(str(exc), error=True)
            return
        self._fill(stored)

    def _fill(self, stored, template: Template | None = None) -> None:
        """Show a stored template (or, for a draft, ``template``) in the form."""
        shown = template or (stored.template if stored is not None else None)
        editable = template is not None or (stored is not None and not stored.read_only)
        self.name.setText(template.name if template else (stored.name if stored else ""))
        self.line.setText((shown.line_of_business or "") if shown else "")
        self.items.setRowCount(0)
        if shown is not None:
            for item in shown.items:
                self._append_row(item)
        for widget in (self.name, self.line, self.items, self.add_item_button, self.remove_item_button,
                       self.item_up_button, self.item_down_button, self.save_button):
            widget.setEnabled(editable)
        stored_actions = stored is not None and template is None  # a draft has no stored copy to act on
        for widget in (self.duplicate_button, self.export_button, self.archive_button, self.publish_button,
                       self.use_button, self.up_button, self.down_button):
            widget.setEnabled(stored_actions)
        archived = stored is not None and stored.archived and template is None
        self.archive_button.setText("Restore" if archived else "Archive")
        theme.set_icon(self.archive_button, "restore" if archived else "archive")
        self._loaded = None if template is not None else self.snapshot()
        if stored is not None and stored.read_only and template is None:
            self.say(f"Published by {stored.published_by or 'your team lead'} (version {stored.version}); "
                     "read-only. Duplicate it to make your own copy.", info=True)
        elif template is None:
            self.status.clear()

    # -- unsaved changes --------------------------------------------------------------------------
    def snapshot(self) -> tuple:
        """The form as plain values (what Save would store)."""
        return (self.name.text(), self.line.text(),
                tuple(self._row(r) for r in range(self.items.rowCount())))

    def has_unsaved_changes(self) -> bool:
        if self.draft:
            return True
        return self._loaded is not None and self.snapshot() != self._loaded

    def ask_discard(self, then) -> None:
        """Ask "Discard the new checklist?" (or "Discard your changes?") without blocking; ``then()`` runs
        after Discard. Keep editing leaves everything as it is."""
        if self.discard_box is not None:
            self.discard_box.close()
        question = ("Discard the new checklist?" if self.draft
                    else f"Discard your changes to {self.name.text() or 'this checklist'}?")
        box = QMessageBox(QMessageBox.Icon.Question, theme.window_title("Checklists"), question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("It is not saved yet. Keep editing, then Save to keep it.")
        box.discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        for button in (box.discard, box.keep):  # sized for the bold a default button is drawn in
            button.setFont(theme.font("strong"))
        box.setDefaultButton(box.keep)
        box.setEscapeButton(box.keep)

        def answered(*_) -> None:
            self.discard_box = None
            if box.clickedButton() is box.discard:
                self.draft = False
                self._loaded = None
                then()

        box.finished.connect(answered)
        self.discard_box = box
        box.open()

    def closeEvent(self, event) -> None:
        if self._closing_confirmed or not self.has_unsaved_changes():
            self._closing_confirmed = False
            super().closeEvent(event)
            return
        event.ignore()

        def close_now() -> None:
            self._closing_confirmed = True
            self.close()

        self.ask_discard(close_now)

    def _append_row(self, item: Item) -> None:
        row = self.items.rowCount()
        self.items.insertRow(row)
        text = QTableWidgetItem(item.text)
        text.setData(KEY_ROLE, item.key)
        self.items.setItem(row, TEXT, text)
        due = QSpinBox()
        due.setRange(0, 3600)
        due.setSpecialValueText("—")
        due.setValue(item.due_within_seconds or 0)
        a11y.name(due, "Due within (seconds; 0: no deadline)")
        self.items.setCellWidget(row, DUE, due)
        closing = QCheckBox()
        closing.setChecked(item.closing)
        a11y.name(closing, "Near the end of the call")
        self.items.setCellWidget(row, CLOSING, closing)
        # Tab: the table, then each row's fields in order (a new row's widgets would otherwise come last)
        previous = self.items.cellWidget(row - 1, CLOSING) if row else self.items
        QWidget.setTabOrder(previous, due)
        QWidget.setTabOrder(due, closing)

    def _row(self, row: int) -> tuple[str | None, str, int, bool]:
        cell = self.items.item(row, TEXT)
        due = self.items.cellWidget(row, DUE)
        closing = self.items.cellWidget(row, CLOSING)
        return (cell.data(KEY_ROLE) if cell else None, cell.text() if cell else "", due.value(), closing.isChecked())

    def _set_row(self, row: int, values: tuple[str | None, str, int, bool]) -> None:
        key, text, due, closing = values
        cell = QTableWidgetItem(text)
        cell.setData(KEY_ROLE, key)
        self.items.setItem(row, TEXT, cell)
        self.items.cellWidget(row, DUE).setValue(due)
        self.items.cellWidget(row, CLOSING).setChecked(closing)

    def collect(self) -> Template:
        """The form as a validated Template (raises InvalidInput naming the first problem)."""
        rows = [self._row(r) for r in range(self.items.rowCount())]
        taken = {key for key, *_ in rows if key}
        items = []
        for key, text, due, closing in rows:
            if not key:
                key = slug(text, taken)
                taken.add(key)
            entry = {"key": key, "text": text}
            if due:
                entry["due_within_seconds"] = due
            if closing:
                entry["closing"] = True
            items.append(entry)
        doc = {"format": "agent-companion/checklist-template", "version": 1, "name": self.name.text(),
               "items": items}
        if self.line.text().strip():
            doc["line_of_business"] = self.line.text()
        return validate(doc)

    # -- actions ----------------------------------------------------------------------------------
    def new_template(self) -> None:
        self._start_draft(Template("New checklist", (Item("first", "Greet and own the call", 15),)),
                          "New checklist: name it, add items, then Save. Nothing is kept until you Save.")

    def duplicate(self) -> None:
        if self.current_id is None:
            return
        stored = self.store.get(self.current_id)
        copy = Template(f"Copy of {stored.name}"[:80], stored.template.items, stored.template.line_of_business)
        self._start_draft(copy, f"A copy of {stored.name}: change what you need, then Save.")

    def _start_draft(self, template: Template, message: str) -> None:
        if self.has_unsaved_changes():
            self.ask_discard(lambda: (self.reload(), self._start_draft(template, message)))
            return
        self.list.blockSignals(True)
        entry = QListWidgetItem(f"{template.name} (not saved)")
        entry.setData(KEY_ROLE, None)
        font = entry.font()
        font.setItalic(True)
        entry.setFont(font)
        self.list.addItem(entry)
        self.list.setCurrentItem(entry)
        self.list.blockSignals(False)
        self.current_id = None
        self._fill(None, template)
        self.draft = True
        self.name.setFocus()
        self.name.selectAll()
        self.say(message, info=True)

    def save(self) -> bool:
        if self.current_id is None and not self.draft:
            return False
        try:
            template = self.collect()
            if self.draft:
                stored = self.store.create(template)
            else:
                stored = self.store.update(self.current_id, template)
        except CompanionError as exc:
            self.say(f"Not saved: {exc}", error=True)
            return False
        self.reload(stored.id)
        used = self.store.active().id == stored.id
        self.say(f"Saved (version {stored.version}). " + ("Calls from now on use it." if used
                                                          else "Use for calls makes calls show it."))
        return True

    def add_item(self) -> None:
        if self.items.rowCount() >= MAX_ITEMS:
            self.say(f"A checklist has at most {MAX_ITEMS} items.", error=True)
            return
        self._append_row(Item("", "New item"))
        row = self.items.rowCount() - 1
        self.items.item(row, TEXT).setData(KEY_ROLE, None)
        self.items.setCurrentCell(row, TEXT)
        self.items.editItem(self.items.item(row, TEXT))

    def remove_item(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.items.removeRow(row)

    def move_item(self, delta: int) -> None:
        row = self.items.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.items.rowCount():
            return
        a, b = self._row(row), self._row(target)
        self._set_row(row, b)
        self._set_row(target, a)
        self.items.setCurrentCell(target, TEXT)

    def _unless_unsaved(self, action) -> bool:
        """Run ``action`` now, or after the person agrees to discard unsaved changes (it reloads the form)."""
        if self.has_unsaved_changes():
            self.ask_discard(action)
            return False
        return True

    def move(self, delta: int) -> None:
        if not self._unless_unsaved(lambda: self.move(delta)):
            return
        if self.current_id is not None:
            self.store.move(self.current_id, delta)
            self.reload(self.current_id)

    def toggle_archive(self) -> None:
        if not self._unless_unsaved(self.toggle_archive):
            return
        if self.current_id is None:
            return
        stored = self.store.get(self.current_id)
        self.store.archive(stored.id, not stored.archived)
        self.say(f"{'Restored' if stored.archived else 'Archived'}: {stored.name}.")
        self.reload(stored.id if stored.archived or self.show_archived.isChecked() else None)

    def use_for_calls(self) -> None:
        if not self._unless_unsaved(self.use_for_calls):
            return
        if self.current_id is None:
            return
        try:
            stored = self.store.set_active(self.current_id)
        except CompanionError as exc:
            self.say(str(exc), error=True)
            return
        self.reload(stored.id)
        self.say(f"Calls from now on use {stored.name!r}.")

    def choose_import(self) -> None:
        if not self._unless_unsaved(self.choose_import):
            return
        path, _ = QFileDialog.getOpenFileName(self, "Import a checklist template", documents_folder(),
                                              "Checklist templates (*.json *.yaml *.yml)")
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> bool:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a template is much smaller")
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            stored = self.store.import_file(data, path.name)
        except TemplateProblems as exc:
            if len(exc.problems) == 1:
                self.say(f"Not imported ({path.name}): {exc.problems[0]}. Nothing was changed.", error=True)
            else:  # every problem, each with its place, one per line
                listed = "\n".join(f"• {problem}" for problem in exc.problems)
                self.say(f"Not imported ({path.name}): {len(exc.problems)} problems to fix. Nothing was changed."
                         f"\n{listed}", error=True)
            return False
        except (CompanionError, OSError) as exc:
            self.say(f"Not imported ({path.name}): {exc}. Nothing was changed.", error=True)
            return False
        self.reload(stored.id)
        self.say(f"Imported {stored.name!r} with {len(stored.template.items)} items.")
        return True

    def choose_export(self) -> None:
        if self.current_id is None:
            return
        stored = self.store.get(self.current_id)
        default = slug(stored.name, set()) + ".json"
        path, _ = QFileDialog.getSaveFileName(self, "Export the checklist template",
                                              str(Path(documents_folder()) / default),
                                              "JSON (*.json);;YAML (*.yaml *.yml)")
        if path:
            self.export_path(Path(path))

    def export_path(self, path: Path) -> bool:
        if self.current_id is None:
            return False
        fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"
        try:
            path.write_bytes(self.store.export(self.current_id, fmt))
        except (CompanionError, OSError) as exc:
            self.say(f"Not exported: {exc}", error=True)
            return False
        self.say(f"Exported to {path}.")
        return True

    def publish(self) -> bool:
        if self.current_id is None:
            return False
        try:
            stored = self.store.get(self.current_id)
            pub.publish(self.desk.db, stored, self.desk.store.get_state("team.hub"), self.desk.clock.now())
        except CompanionError as exc:
            self.say(f"Not published: {exc}", error=True)
            return False
        self.say(f"{stored.name!r} (version {stored.version}) will reach your team's template lists.")
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()  # with unsaved changes it asks first
            return
        super().keyPressEvent(event)
