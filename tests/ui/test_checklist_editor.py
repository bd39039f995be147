"""The Checklists window: create, edit, reorder items and templates, archive, import/export, publish."""
import json

from PySide6.QtCore import Qt

from companion.checklists import templates
from companion.checklists.templates import Item, Template, dump
from ui.windows.templates import TemplateEditor

LEAD = {"url": "postgresql://hub/db", "user": "lena", "team": "blue", "lead": True}


def editor(qtbot, desk):
    window = TemplateEditor(desk)
    qtbot.addWidget(window)
    window.show()
    return window


def labels(window):
    return [window.list.item(i).text() for i in range(window.list.count())]


def item_texts(window):
    return [window.items.item(r, 0).text() for r in range(window.items.rowCount())]


def test_opens_with_the_default_template_in_use(qtbot, desk):
    window = editor(qtbot, desk)
    assert labels(window) == ["Moment of Truth  ✓ used for calls"]
    assert window.name.text() == "Moment of Truth" and len(item_texts(window)) == 8
    assert window.items.cellWidget(0, 1).value() == 15 and window.items.cellWidget(7, 2).isChecked()
    assert not window.publish_button.isVisible()  # not a lead on a hub


def test_create_edit_reorder_items_and_save(qtbot, desk):
    window = editor(qtbot, desk)
    window.new_button.click()
    assert window.name.text() == "New checklist"
    window.name.setText("Billing <b>line</b>")
    window.line.setText("Client X")
    window.add_item_button.click()
    window.items.item(1, 0).setText("Offer the payment plan")
    window.items.cellWidget(1, 2).setChecked(True)
    window.items.setCurrentCell(1, 0)
    window.item_up_button.click()
    assert item_texts(window) == ["Offer the payment plan", "Greet and own the call"]
    window.save_button.click()
    assert window.status.text() == "Saved (version 1). Use for calls makes calls show it."  # created on Save
    stored = desk.checklists.templates.get(window.current_id)
    assert stored.name == "Billing <b>line</b>" and stored.template.line_of_business == "Client X"
    assert [(i.key, i.closing) for i in stored.template.items] == [("offer-the-payment-plan", True),
                                                                   ("first", False)]
    assert "Billing <b>line</b> · Client X" in labels(window)[1]  # list entries are plain text


def test_an_invalid_edit_is_refused_with_a_message_and_nothing_changes(qtbot, desk):
    window = editor(qtbot, desk)
    window.items.item(0, 0).setText("")
    window.save_button.click()
    assert "Not saved: items[1].text: must not be empty" in window.status.text()
    assert desk.checklists.templates.active().version == 1


def test_reorder_archive_restore_and_use_for_calls(qtbot, desk):
    store = desk.checklists.templates
    window = editor(qtbot, desk)
    store.create(Template("Second", (Item("a", "A"),)))
    window.reload()
    window.list.setCurrentRow(1)
    window.up_button.click()
    assert labels(window)[0] == "Second"
    window.use_button.click()
    assert store.active().name == "Second" and labels(window)[0] == "Second  ✓ used for calls"
    window.archive_button.click()
    assert labels(window) == ["Moment of Truth  ✓ used for calls"]
    window.show_archived.setChecked(True)
    window.list.setCurrentRow(0)
    assert window.archive_button.text() == "Restore"
    window.archive_button.click()
    assert labels(window)[0] == "Second"


def test_import_good_and_hostile_files(qtbot, desk, tmp_path):
    window = editor(qtbot, desk)
    good = tmp_path / "billing.yaml"
    good.write_bytes(dump(Template("Billing", (Item("hi", "Hi", 10),), "Client X"), "yaml"))
    assert window.import_path(good)
    assert window.status.text() == "Imported 'Billing' with 1 items."
    for name, data, problem in [
        ("bomb.yaml", b"a: &a [1]\nb: [*a, *a]\n", "anchors"),
        ("big.json", b" " * 70_000, "larger than 64 KiB"),
        ("evil.json", json.dumps({"format": templates.FORMAT, "version": 9, "name": "x",
                                  "items": [{"key": "a", "text": "t"}]}).encode(), "newer Agent Companion"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with desk.db.reading() as s:
            before = s.scalar("SELECT count(*) FROM checklist_templates")
        assert not window.import_path(path)
        assert problem in window.status.text() and "Nothing was changed" in window.status.text()
        with desk.db.reading() as s:
            assert s.scalar("SELECT count(*) FROM checklist_templates") == before
    assert not window.import_path(tmp_path / "missing.json")
    assert "Not imported (missing.json)" in window.status.text()


def test_export_json_and_yaml(qtbot, desk, tmp_path):
    window = editor(qtbot, desk)
    assert window.export_path(tmp_path / "mot.json")
    assert json.loads((tmp_path / "mot.json").read_text())["name"] == "Moment of Truth"
    assert window.export_path(tmp_path / "mot.yaml")
    assert templates.parse((tmp_path / "mot.yaml").read_bytes(), "mot.yaml").name == "Moment of Truth"


def test_a_lead_on_a_hub_can_publish(qtbot, desk):
    desk.store.set_state("team.hub", LEAD)
    window = editor(qtbot, desk)
    assert window.publish_button.isVisible()
    window.publish_button.click()
    assert "will reach your team" in window.status.text()
    with desk.db.reading() as s:
        item = s.one("SELECT * FROM outbox")
        assert item.kind == "template" and json.loads(item.payload)["sender"] == "lena"


def test_team_templates_are_read_only_and_esc_closes(qtbot, desk):
    from companion.checklists.publish import apply_remote, publish_record
    from tests.fakes import START

    lead_copy = desk.checklists.templates.create(Template("Team MoT", (Item("a", "A"),)))
    with desk.db.session() as s:
        apply_remote(s, publish_record(lead_copy, sender="lena", team="blue"), START)
    window = editor(qtbot, desk)
    row = next(i for i, text in enumerate(labels(window)) if "(team, v1)" in text)
    window.list.setCurrentRow(row)
    assert not window.save_button.isEnabled() and not window.items.isEnabled()
    assert "Published by lena" in window.status.text()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_keys_for_new_items_are_valid_slugs():
    from companion.checklists.templates import KEY_PATTERN
    from ui.windows.templates import slug

    assert slug("Offer the payment plan!", set()) == "offer-the-payment-plan"
    assert slug("Offer the payment plan", {"offer-the-payment-plan"}) == "offer-the-payment-plan-2"
    for text in ("你好", "---", "Ünïcödé greeting", "x" * 200, "  -a- "):
        assert KEY_PATTERN.fullmatch(slug(text, {"item"}))


# -- New does not save until Save; closing asks -------------------------------------------------------------
def template_rows(desk):
    with desk.db.reading() as s:
        return s.scalar("SELECT count(*) FROM checklist_templates")


def answer(window, qtbot, button: str) -> None:
    box = window.discard_box
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box.discard if button == "Discard" else box.keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.discard_box is None)


def test_new_without_save_leaves_nothing_behind(qtbot, desk):
    window = editor(qtbot, desk)
    before = template_rows(desk)
    window.new_button.click()
    assert template_rows(desk) == before  # nothing stored yet
    assert labels(window)[-1] == "New checklist (not saved)" and window.draft
    assert window.name.text() == "New checklist" and window.name.isEnabled() and window.save_button.isEnabled()
    assert not window.export_button.isEnabled() and not window.use_button.isEnabled()
    window.name.setText("Billing")
    window.close()
    assert window.isVisible() and window.discard_box.text() == "Discard the new checklist?"
    answer(window, qtbot, "Keep editing")
    assert window.isVisible() and window.draft and window.name.text() == "Billing"
    window.close()
    answer(window, qtbot, "Discard")
    assert not window.isVisible()
    assert template_rows(desk) == before
    again = editor(qtbot, desk)
    assert labels(again) == ["Moment of Truth  ✓ used for calls"]


def test_escape_on_a_new_checklist_asks_too_and_save_keeps_it(qtbot, desk):
    window = editor(qtbot, desk)
    window.new_button.click()
    qtbot.keyClick(window.list, Qt.Key.Key_Escape)
    assert window.isVisible() and window.discard_box.text() == "Discard the new checklist?"
    answer(window, qtbot, "Keep editing")
    window.name.setText("Billing")
    assert window.save()
    assert not window.draft and labels(window)[-1] == "Billing" and template_rows(desk) == 2
    window.close()
    assert not window.isVisible() and window.discard_box is None  # saved: nothing to ask


def test_closing_with_unsaved_edits_asks_and_without_edits_does_not(qtbot, desk):
    window = editor(qtbot, desk)
    window.close()
    assert not window.isVisible() and window.discard_box is None
    window = editor(qtbot, desk)
    window.items.item(0, 0).setText("Greet warmly")
    window.close()
    assert window.isVisible() and window.discard_box.text() == "Discard your changes to Moment of Truth?"
    answer(window, qtbot, "Discard")
    assert not window.isVisible()
    assert desk.checklists.templates.active().template.items[0].text.startswith("Greet by name")


def test_choosing_another_checklist_with_a_draft_asks_first(qtbot, desk):
    window = editor(qtbot, desk)
    window.new_button.click()
    window.list.setCurrentRow(0)
    assert window.discard_box is not None and window.draft and window.name.text() == "New checklist"
    answer(window, qtbot, "Discard")
    assert not window.draft and labels(window) == ["Moment of Truth  ✓ used for calls"]
    assert window.name.text() == "Moment of Truth"


def test_duplicate_is_a_draft_until_save(qtbot, desk):
    window = editor(qtbot, desk)
    window.duplicate_button.click()
    assert template_rows(desk) == 1 and window.name.text() == "Copy of Moment of Truth"
    assert len(item_texts(window)) == 8
    assert window.save()
    assert template_rows(desk) == 2 and labels(window)[-1] == "Copy of Moment of Truth"


# -- import lists every problem; dialogs start in Documents; grouped, named buttons with icons ---------------
def test_import_lists_every_problem_with_its_place(qtbot, desk, tmp_path):
    window = editor(qtbot, desk)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format": templates.FORMAT, "version": 1, "name": "Broken", "items": [
        {"key": "greet", "text": "Greet"}, {"key": "Bad Key", "text": "Verify"}, {"key": "empty", "text": " "},
        {"key": "close", "text": "Close", "closing": "yes"}]}))
    before = template_rows(desk)
    assert not window.import_path(path)
    text = window.status.text()
    assert window.status.kind() == "error"
    assert text.splitlines() == [
        "Not imported (broken.json): 3 problems to fix. Nothing was changed.",
        "• items[2].key: 1-32 lower-case letters, digits, - or _",
        "• items[3].text: must not be empty",
        "• items[4].closing: true or false",
    ]
    assert template_rows(desk) == before


def test_the_file_dialogs_start_in_the_documents_folder(qtbot, desk, tmp_path, monkeypatch):
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog

    home = tmp_path / "home"
    (home / "Dokumente").mkdir(parents=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "user-dirs.dirs").write_text('XDG_DOCUMENTS_DIR="$HOME/Dokumente"\n')
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert documents == str(home / "Dokumente")
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: asked.append(("open", a[2])) or ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(("save", a[2])) or ("", ""))
    window = editor(qtbot, desk)
    window.import_button.click()
    window.export_button.click()
    assert asked == [("open", documents), ("save", str(home / "Dokumente" / "moment-of-truth.json"))]


def test_template_and_item_actions_are_grouped_named_and_have_icons(qtbot, desk):
    from PySide6.QtWidgets import QPushButton

    desk.store.set_state("team.hub", LEAD)
    window = editor(qtbot, desk)
    toolbar = window.new_button.parentWidget()
    assert toolbar.accessibleName() == "Checklist actions"
    assert [b.text() for b in toolbar.findChildren(QPushButton)] == [
        "New", "Duplicate", "Import…", "Export…", "Publish to team", "Archive"]
    item_buttons = [window.add_item_button, window.remove_item_button, window.item_up_button,
                    window.item_down_button]
    assert [b.text() for b in item_buttons] == ["Add item", "Remove", "Move up", "Move down"]
    assert [b.accessibleName() for b in item_buttons[1:]] == ["Remove item", "Move item up", "Move item down"]
    assert all(b.parentWidget() is not toolbar for b in item_buttons)
    # the item actions stand in one column right beside the item table
    xs = {b.geometry().x() for b in item_buttons}
    assert len(xs) == 1 and xs.pop() >= window.items.geometry().right()
    for button in window.findChildren(QPushButton):
        if button.isVisibleTo(window) and button.text() not in ("Save",):
            assert not button.icon().isNull(), button.text()
            assert button.toolTip() or button.accessibleName(), button.text()
