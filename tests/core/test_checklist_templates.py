import json

import pytest
from hypothesis import given, settings, strategies as st

from companion.checklists import templates
from companion.checklists.cards import default_cards, parse_cards
from companion.checklists.templates import MAX_FILE_BYTES, Item, Template, TemplateProblems, default_template, dump, parse
from companion.errors import InvalidInput


def doc(**changes):
    base = {"format": templates.FORMAT, "version": 1, "name": "Billing",
            "items": [{"key": "greet", "text": "Greet", "due_within_seconds": 15},
                      {"key": "close", "text": "Close warmly", "closing": True}]}
    base.update(changes)
    return json.dumps(base).encode()


def test_default_template_is_the_moment_of_truth():
    template = default_template()
    assert template.name == "Moment of Truth" and len(template.items) == 8
    assert template.items[0].due_within_seconds == 15
    assert [i.closing for i in template.items][-4:] == [True] * 4


@pytest.mark.parametrize("fmt, name", [("json", "t.json"), ("yaml", "t.yaml")])
def test_round_trip(fmt, name):
    template = Template("Line 2 <b>", (Item("a", "Ünïcödé & <i>text</i>", 30), Item("b", "Bye", None, True)),
                        "Client X")
    assert parse(dump(template, fmt), name) == template


def test_valid_document():
    template = parse(doc())
    assert template == Template("Billing", (Item("greet", "Greet", 15), Item("close", "Close warmly", None, True)))


@pytest.mark.parametrize("data, name, problem", [
    (b"\xff\xfe", "t.json", "not UTF-8"),
    (b"{", "t.json", "not valid JSON"),
    (b"[" * 5000 + b"]" * 5000, "t.json", "not valid JSON|must be a mapping"),
    (b"x" * (MAX_FILE_BYTES + 1), "t.json", "larger than 64 KiB"),
    (b"[]", "t.json", "template: must be a mapping"),
    (doc(format="something-else"), "t.json", "not a checklist template"),
    (doc(version=2), "t.json", "newer Agent Companion"),
    (doc(version="1"), "t.json", "whole number"),
    (doc(name=""), "t.json", "name: must not be empty"),
    (doc(name="x" * 81), "t.json", "name: longer than 80"),
    (doc(name="evil\x1b[31m"), "t.json", "control characters"),
    (doc(name="rtl\u202etrick"), "t.json", "control characters"),
    (doc(name="mark\u200ftrick"), "t.json", "control characters"),
    (doc(name="zero\u200bwidth"), "t.json", "control characters"),
    (doc(extra=1), "t.json", "unknown field"),
    (doc(items=[]), "t.json", "non-empty list"),
    (doc(items=[{"key": f"k{i}", "text": "t"} for i in range(21)]), "t.json", "more than 20"),
    (doc(items=[{"key": "Bad Key", "text": "t"}]), "t.json", r"items\[1\].key"),
    (doc(items=[{"key": "a", "text": "t"}, {"key": "a", "text": "u"}]), "t.json", "used twice"),
    (doc(items=[{"key": "a", "text": "t" * 141}]), "t.json", r"items\[1\].text: longer than 140"),
    (doc(items=[{"key": "a", "text": "t", "due_within_seconds": 0}]), "t.json", "due_within_seconds"),
    (doc(items=[{"key": "a", "text": "t", "due_within_seconds": True}]), "t.json", "due_within_seconds"),
    (doc(items=[{"key": "a", "text": "t", "closing": "yes"}]), "t.json", "closing"),
    (doc(items=[{"key": "a", "text": "t", "script": "rm"}]), "t.json", "unknown field"),
    (b"a: &x [1]\nb: *x\n", "t.yaml", "anchors"),
    (b"a: *x\n", "t.yaml", "aliases|not valid YAML"),
    (b"!!python/object/apply:os.system ['echo hi']\n", "t.yaml", "not valid YAML"),
    (b"a: [[[[[[[[[[[[1]]]]]]]]]]]]\n", "t.yaml", "nested too deeply"),
    (b"key: [unclosed\n", "t.yaml", "not valid YAML"),
])
def test_hostile_or_malformed_files_are_refused_clearly(data, name, problem):
    with pytest.raises(InvalidInput, match=problem):
        parse(data, name)


def test_every_problem_is_listed_with_its_place_not_only_the_first():
    bad = doc(name="", items=[{"key": "greet", "text": "Greet"},
                              {"key": "Bad Key", "text": "ok"},
                              {"key": "close", "text": "  "},
                              {"key": "greet", "text": "again", "due_within_seconds": 0, "closing": "yes"},
                              {"key": "x", "text": "t", "script": "rm -rf"}])
    with pytest.raises(TemplateProblems) as caught:
        parse(bad, "t.json")
    assert caught.value.problems == (
        "name: must not be empty",
        "items[2].key: 1-32 lower-case letters, digits, - or _",
        "items[3].text: must not be empty",
        "items[4].key: 'greet' is used twice",
        "items[4].due_within_seconds: a whole number from 1 to 3600",
        "items[4].closing: true or false",
        "items[5]: unknown field(s) script",
    )
    assert str(caught.value).startswith("name: must not be empty; items[2].key: ")
    assert isinstance(caught.value, InvalidInput)  # callers that catch InvalidInput still do


def test_a_file_that_is_not_a_template_stops_at_that_one_problem():
    with pytest.raises(TemplateProblems) as caught:
        parse(doc(format="other", name="", items=[]), "t.json")
    assert caught.value.problems == ("template: not a checklist template "
                                     "(format must be 'agent-companion/checklist-template')",)


def test_billion_laughs_is_refused_quickly():
    bomb = b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' + \
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    with pytest.raises(InvalidInput, match="anchors"):
        parse(bomb, "bomb.yml")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=200),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=2000),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"format": st.just(templates.FORMAT), "version": st.just(1),
                           "name": st.text(max_size=100), "items": st.lists(
                               st.fixed_dictionaries({"key": st.text(max_size=40), "text": st.text(max_size=200)},
                                                     optional={"due_within_seconds": st.integers(),
                                                               "closing": _json_values}),
                               max_size=25)}).map(lambda d: json.dumps(d).encode()),
))
def test_any_input_is_a_valid_template_or_a_clear_refusal(data):
    for name in ("t.json", "t.yaml"):
        try:
            template = parse(data, name)
        except InvalidInput as exc:
            problems = getattr(exc, "problems", (str(exc),))
            assert problems and all(p and len(p) < 300 for p in problems)  # each one short and clear
            assert str(exc) == "; ".join(problems)
            continue
        assert 1 <= len(template.items) <= 20 and parse(dump(template), "again.json") == template


def test_de_escalation_cards_ship_and_validate():
    cards = default_cards()
    assert len(cards) == 6 and all(card.steps for card in cards)
    with pytest.raises(InvalidInput):
        parse_cards(b'{"format": "agent-companion/deescalation-cards", "version": 1, "cards": [{"key": "x"}]}')


def test_the_shipped_json_schema_states_what_the_validator_enforces():
    """resources/checklists/template.schema.json documents the format for admins; it cannot drift."""
    from companion import resources

    schema = json.loads(resources.path("checklists/template.schema.json").read_text())
    props, item = schema["properties"], schema["properties"]["items"]["items"]
    assert set(props) == templates._TOP_FIELDS and set(item["properties"]) == templates._ITEM_FIELDS
    assert props["format"]["const"] == templates.FORMAT and props["version"]["const"] == templates.VERSION
    assert props["name"]["maxLength"] == templates.MAX_NAME == props["line_of_business"]["maxLength"]
    assert schema["properties"]["items"]["maxItems"] == templates.MAX_ITEMS
    assert item["properties"]["text"]["maxLength"] == templates.MAX_TEXT
    assert item["properties"]["due_within_seconds"]["maximum"] == templates.MAX_DUE_SECONDS
    assert item["properties"]["key"]["pattern"] == f"^{templates.KEY_PATTERN.pattern}$"
    assert set(schema["required"]) == {"format", "version", "name", "items"} and set(item["required"]) == {"key", "text"}
    assert schema["additionalProperties"] is False and item["additionalProperties"] is False
