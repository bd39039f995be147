"""Issue 14, point 7: each syncable record kind is declared once (companion.team.kinds); the outbox, the push
grouping, the inbound handlers, the refusal notices and the desk's hub statements derive from it."""
import ast
import json
from pathlib import Path

from companion import inbound
from companion.desk import Desk  # noqa: F401 (imports cleanly with the derived notice names)
from companion.team import hub_schema, outbox, sync
from companion.team.kinds import ALONE, ALONE_IF_ANONYMOUS, RECORD_KINDS, notice_name

ROOT = Path(__file__).resolve().parents[2]
DECLARED_IN = {"companion/team/kinds.py", "companion/team/hub_migrations.py"}  # the declaration; frozen SQL text


def kind_lists(path: Path) -> list[str]:
    """Literal tuples/lists/sets/dicts naming three or more record kinds: a kind described a second time."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        elts = node.keys if isinstance(node, ast.Dict) else node.elts if isinstance(
            node, (ast.Tuple, ast.List, ast.Set)) else []
        names = {e.value for e in elts if isinstance(e, ast.Constant) and e.value in RECORD_KINDS}
        if len(names) >= 3:
            found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


def test_no_kind_is_described_in_two_places():
    found = [where for path in sorted((ROOT / "companion").rglob("*.py"))
             if path.relative_to(ROOT).as_posix() not in DECLARED_IN for where in kind_lists(path)]
    assert found == [], "record kinds listed outside companion/team/kinds.py: " + ", ".join(found)


def test_everything_derives_from_the_declaration():
    assert outbox.KINDS == tuple(RECORD_KINDS)
    assert set(inbound._HANDLERS) == set(RECORD_KINDS)
    assert {k: h.__name__ for k, h in inbound._HANDLERS.items()} == {k: s.handler for k, s in RECORD_KINDS.items()}
    assert {k: (t, f) for k, (t, f, _) in hub_schema.RECORD_TABLES.items()} == {
        k: (s.table, s.fields) for k, s in RECORD_KINDS.items()}
    assert notice_name("obstacle_vote") == "+1" and notice_name("nonsense") == "change"


def test_the_push_grouping_follows_each_kinds_anonymity_policy():
    for kind, spec in RECORD_KINDS.items():
        named = json.dumps({"anonymous": False})
        assert sync._alone(kind, json.dumps({"anonymous": True})) is (spec.policy in (ALONE, ALONE_IF_ANONYMOUS))
        assert sync._alone(kind, named) is (spec.policy == ALONE)
    assert sync._alone("unknown", "{}") is False
