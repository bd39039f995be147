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
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.checklists import publish as pub
from companion.checklists.store import TemplateStore
from companion.checklists.templates import MAX_FILE_BYTES, MAX_ITEMS, Item, Template, validate
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


class TemplateEditor(QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.store: TemplateStore = desk.checklists.templates
        self.store.ensure_default()
        self.current_id: str | None = None
        self.setWindowTitle(theme.window_title("Checklists"))
        self.setWindowIcon(app_icon())
        self.resize(900, 520)

        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.toggled.connect(lambda *_: self.reload())
        left.addWidget(self.show_archived)
        self.list = QListWidget()
        a11y.name(self.list, "Checklist templates")
        self.list.currentItemChanged.connect(lambda *_: self._load_selected())
        left.addWidget(self.list)
        row = QHBoxLayout()
        self.new_button = self._button("New", self.new_template, row)
        self.up_button = self._button("Up", lambda: self.move(-1), row)
        self.down_button = self._button("Down", lambda: self.move(+1), row)
        left.addLayout(row)
        row = QHBoxLayout()
        self.import_button = self._button("Import…", self.choose_import, row)
        self.export_button = self._button("Export…", self.choose_export, row)
        self.archive_button = self._button("Archive", self.toggle_archive, row)
        left.addLayout(row)
        outer.addLayout(left, 2)

        right = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        form.addRow("Name", self.name)
        self.line = QLineEdit()
        self.line.setMaxLength(80)
        self.line.setPlaceholderText("optional: client or line of business")
        form.addRow("Client / line of business", self.line)
        right.addLayout(form)
        self.items = QTableWidget(0, 3)
        a11y.name(self.items, "Checklist items", "Item text, due within seconds, near the end")
        self.items.setHorizontalHeaderLabels(["Item (1-9 on the panel)", "Due within (s)", "Near the end"])
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DUE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CLOSING, QHeaderView.ResizeMode.ResizeToContents)
        right.addWidget(self.items)
        row = QHBoxLayout()
        self.add_item_button = self._button("Add item", self.add_item, row)
        self.remove_item_button = self._button("Remove item", self.remove_item, row)
        self.item_up_button = self._button("Item up", lambda: self.move_item(-1), row)
        self.item_down_button = self._button("Item down", lambda: self.move_item(+1), row)
        right.addLayout(row)
        self.status = Feedback()
        right.addWidget(self.status)
        row = QHBoxLayout()
        self.use_button = self._button("Use for calls", self.use_for_calls, row)
        self.publish_button = self._button("Publish to team", self.publish, row)
        self.publish_button.setVisible(self.hub_lead() is not None)
        row.addStretch(1)
        self.save_button = self._button("Save", self.save, row)
        theme.set_role(self.save_button, "primary")
        theme.set_icon(self.save_button, "save", "on_accent")
        theme.set_icon(self.add_item_button, "add")
        theme.set_icon(self.remove_item_button, "delete")
        right.addLayout(row)
        outer.addLayout(right, 3)
        self.reload()

    def _button(self, text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda *_: slot())
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
        select = select or self.current_id
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

    def _fill(self, stored) -> None:
        editable = stored is not None and not stored.read_only
        self.name.setText(stored.name if stored else "")
        self.line.setText((stored.template.line_of_business or "") if stored else "")
        self.items.setRowCount(0)
        if stored is not None:
            for item in stored.template.items:
                self._append_row(item)
        for widget in (self.name, self.line, self.items, self.add_item_button, self.remove_item_button,
                       self.item_up_button, self.item_down_button, self.save_button):
            widget.setEnabled(editable)
        self.archive_button.setText("Restore" if stored is not None and stored.archived else "Archive")
        if stored is not None and stored.read_only:
            self.say(f"Published by {stored.published_by or 'your team lead'} (version {stored.version}); "
                     "read-only. Export it and import the file to make your own copy.", info=True)
        else:
            self.status.clear()

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
        try:
            stored = self.store.create(Template("New checklist", (Item("first", "Greet and own the call", 15),)))
        except CompanionError as exc:
            self.say(str(exc), error=True)
            return
        self.reload(stored.id)
        self.name.setFocus()
        self.name.selectAll()
        self.say("New checklist created: name it, add items, then Save.", info=True)

    def save(self) -> bool:
        if self.current_id is None:
            return False
        try:
            stored = self.store.update(self.current_id, self.collect())
        except CompanionError as exc:
            self.say(f"Not saved: {exc}", error=True)
            return False
        self.reload(stored.id)
        self.say(f"Saved (version {stored.version}). Calls from now on use it.")
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

    def move(self, delta: int) -> None:
        if self.current_id is not None:
            self.store.move(self.current_id, delta)
            self.reload(self.current_id)

    def toggle_archive(self) -> None:
        if self.current_id is None:
            return
        stored = self.store.get(self.current_id)
        self.store.archive(stored.id, not stored.archived)
        self.say(f"{'Restored' if stored.archived else 'Archived'}: {stored.name}.")
        self.reload(stored.id if stored.archived or self.show_archived.isChecked() else None)

    def use_for_calls(self) -> None:
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
        path, _ = QFileDialog.getOpenFileName(self, "Import a checklist template", "",
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
        path, _ = QFileDialog.getSaveFileName(self, "Export the checklist template", default,
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
            self.close()
            return
        super().keyPressEvent(event)
