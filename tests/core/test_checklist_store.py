"""Templates in the database (create, edit, reorder, archive, import/export) and team publishing."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from companion.checklists import templates
from companion.checklists.publish import apply_remote, hub_lead, publish, publish_record, record_id
from companion.checklists.store import TemplateStore
from companion.checklists.templates import Item, Template, dump
from companion.errors import InvalidInput
from tests.fakes import START

BILLING = Template("Billing", (Item("hi", "Say hi", 15), Item("bye", "Say bye", closing=True)), "Client X")
LEAD = {"url": "postgresql://hub/db", "user": "lena", "team": "blue", "lead": True}


@pytest.fixture
def store(desk) -> TemplateStore:
    return desk.checklists.templates


def rows(db):
    with db.reading() as s:
        return s.scalar("SELECT count(*) FROM checklist_templates")


def test_default_is_created_once_and_active(store, db):
    store.ensure_default()
    store.ensure_default()
    assert [t.name for t in store.list()] == ["Moment of Truth"]
    assert store.active().name == "Moment of Truth"


def test_edit_bumps_the_version_only_when_something_changed(store):
    t = store.create(BILLING)
    assert t.version == 1
    assert store.update(t.id, BILLING).version == 1
    changed = Template("Billing", BILLING.items + (Item("note", "Note the case", closing=True),), "Client X")
    updated = store.update(t.id, changed)
    assert updated.version == 2 and [i.key for i in updated.template.items] == ["hi", "bye", "note"]
    assert store.get(t.id).template.line_of_business == "Client X"


def test_reorder_and_archive(store):
    a, b, c = (store.create(Template(n, (Item("x", "X"),))) for n in ("A", "B", "C"))
    store.move(c.id, -1)
    assert [t.name for t in store.list()] == ["A", "C", "B"]
    store.move(a.id, +5)
    assert [t.name for t in store.list()] == ["C", "B", "A"]
    store.archive(b.id)
    assert [t.name for t in store.list()] == ["C", "A"]
    assert [t.name for t in store.list(include_archived=True)] == ["C", "B", "A"]
    with pytest.raises(InvalidInput, match="archived"):
        store.set_active(b.id)
    store.archive(b.id, False)
    assert store.set_active(b.id).name == "B" and store.active().name == "B"
    store.archive(b.id)
    assert store.active().name == "C"  # the chosen one was archived: the first in the list


def test_import_and_export_round_trip(store):
    imported = store.import_file(dump(BILLING, "yaml"), "billing.yaml")
    assert imported.template == BILLING and imported.source == "local"
    assert json.loads(store.export(imported.id, "json")) == BILLING.to_document()
    assert store.export(imported.id, "yaml") == dump(BILLING, "yaml")


@pytest.mark.parametrize("data, name, problem", [
    (b"{", "t.json", "not valid JSON"),
    (b"a: &x 1\nb: *x\n", "t.yaml", "anchors"),
    (b"x" * 70000, "t.json", "larger than 64 KiB"),
    (json.dumps({"format": templates.FORMAT, "version": 1, "name": "n",
                 "items": [{"key": "a", "text": "\u202eevil"}]}).encode(), "t.json", "control characters"),
])
def test_a_bad_import_changes_nothing(store, db, data, name, problem):
    store.ensure_default()
    with pytest.raises(InvalidInput, match=problem):
        store.import_file(data, name)
    assert rows(db) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                              lambda inner: st.lists(inner, max_size=4)
                              | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
                 .map(lambda v: json.dumps(v).encode())),
       st.sampled_from(["t.json", "t.yaml"]))
def test_hostile_imports_either_store_a_valid_template_or_change_nothing(store, db, data, name):
    before = rows(db)
    try:
        stored = store.import_file(data, name)
    except InvalidInput as exc:
        assert str(exc) and rows(db) == before
    else:
        assert rows(db) == before + 1 and templates.validate(stored.template.to_document()) == stored.template


def test_publish_record_and_outbox(store, db, clock):
    t = store.create(BILLING)
    record = publish_record(t, sender="lena", team="blue")
    assert record == {"id": record_id(t.id, 1), "kind": "template", "sender": "lena", "team": "blue",
                      "template_id": t.id, "name": "Billing", "version": 1, "body": BILLING.to_document()}
    assert hub_lead(None) is None and hub_lead({**LEAD, "lead": False}) is None
    with pytest.raises(InvalidInput, match="team lead"):
        publish(db, t, {**LEAD, "lead": False}, clock.now())
    publish(db, t, LEAD, clock.now())
    with db.reading() as s:
        item = s.one("SELECT * FROM outbox")
        assert (item.kind, item.record_id, json.loads(item.payload)) == ("template", record["id"], record)


def test_apply_remote_is_idempotent_read_only_and_newer_versions_replace(store, db):
    t = store.create(BILLING)
    record = publish_record(t, sender="lena", team="blue")
    with db.session() as s:
        received = apply_remote(s, record, START)
        assert received is not None and received.source == "team" and received.read_only
    with db.session() as s:
        assert apply_remote(s, record, START) is None  # the same record again: nothing new
    team = [x for x in store.list() if x.source == "team"]
    assert len(team) == 1 and team[0].published_by == "lena" and team[0].template == BILLING
    with pytest.raises(InvalidInput, match="published by your team lead"):
        store.update(team[0].id, BILLING)
    v2 = {**record, "id": record_id(t.id, 2), "version": 2, "name": "Billing 2",
          "body": {**BILLING.to_document(), "name": "Billing 2"}}
    with db.session() as s:
        apply_remote(s, v2, START)
    names = [(x.name, x.version) for x in store.list() if x.source == "team"]
    assert names == [("Billing 2", 2)]  # the older version is archived
    with db.session() as s:  # an old version arriving late stays archived
        assert apply_remote(s, record, START) is None


@pytest.mark.parametrize("change, problem", [
    ({"kind": "kudos"}, "not a template record"),
    ({"template_id": "not-a-uuid"}, "template_id"),
    ({"version": 0}, "version"),
    ({"version": "1"}, "version"),
    ({"sender": ""}, "sender"),
    ({"evil": 1}, "unknown field"),
    ({"body": {"format": "x"}}, "not a checklist template"),
    ({"body": "{"}, "not valid JSON"),
    ({"body": "x" * 70000}, "too large"),
])
def test_apply_remote_refuses_malformed_records(store, db, change, problem):
    record = publish_record(store.create(BILLING), sender="lena", team="blue")
    before = rows(db)
    with pytest.raises(InvalidInput, match=problem):
        with db.session() as s:
            apply_remote(s, {**record, **change}, START)
    assert rows(db) == before


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["id", "kind", "sender", "team", "template_id", "name", "version", "body",
                                        "extra"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=12),
                       max_size=9))
def test_hostile_remote_records_change_nothing(store, db, junk):
    base = publish_record(store.create(BILLING) if not store.list() else store.list()[0],
                          sender="lena", team="blue")
    record = {**base, **junk}
    before = rows(db)
    try:
        with db.session() as s:
            result = apply_remote(s, record, START)
    except InvalidInput as exc:
        assert str(exc) and rows(db) == before
    else:
        assert result is None or (rows(db) == before + 1 and result.read_only)


# -- review of the merged app (findings 9 and 13) ------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_template_saved_with_a_byte_order_mark_is_imported(store, fmt):
    imported = store.import_file(b"\xef\xbb\xbf" + dump(BILLING, fmt), f"billing.{fmt}")
    assert imported.template == BILLING


def test_a_new_version_of_the_team_template_in_use_stays_in_use(store, db):
    other = store.create(Template(name="Other", items=BILLING.items))
    t = store.create(BILLING)
    record = publish_record(t, sender="lena", team="blue")
    with db.session() as s:
        v1 = apply_remote(s, record, START)
    store.set_active(v1.id)
    v2 = {**record, "id": record_id(t.id, 2), "version": 2, "name": "Billing 2",
          "body": {**BILLING.to_document(), "name": "Billing 2"}}
    with db.session() as s:
        received = apply_remote(s, v2, START)
    assert store.active().id == received.id and (store.active().name, store.active().version) == ("Billing 2", 2)
    store.set_active(other.id)  # someone who chose another template keeps it
    v3 = {**record, "id": record_id(t.id, 3), "version": 3, "name": "Billing 3",
          "body": {**BILLING.to_document(), "name": "Billing 3"}}
    with db.session() as s:
        apply_remote(s, v3, START)
    assert store.active().id == other.id
