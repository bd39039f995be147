"""Each feature's SQL lives in that feature's store module (``companion/<feature>/store.py``, as
``companion/checklists/store.py`` started it); services, the Desk and the ui call store functions inside the
unit of work they open. The ui and ``companion/desk.py`` hold no SQL at all.

"SQL" here is a string literal with a statement keyword (SELECT, INSERT INTO, UPDATE, DELETE FROM), f-strings
included, and a call of the ``Tx`` helpers that name a table (``s.insert("kudos", ...)``, ``s.get("calls",
...)``, ``s.update``, ``s.delete``).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATEMENT = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b")
TX_TABLE_CALLS = ("insert", "update", "delete", "get")
TX_NAMES = ("s", "session", "tx")  # ``get`` is also a dict's: only on a transaction's usual names
TABLES_RE = re.compile(r"^CREATE TABLE (\w+)", re.MULTILINE)

STORE_MODULES = {
    # a feature's store: every statement about its tables
    "companion/calls/store.py", "companion/reset/store.py", "companion/notify/store.py",
    "companion/kudos/store.py", "companion/obstacles/store.py", "companion/checklists/store.py",
    "companion/team/store.py",   # teammates, broadcasts
    "companion/team/outbox.py",  # the outbox is a store of its own (the sync worker's queue)
    "companion/config.py",       # SettingsStore: the settings table (settings and app state)
    # read models over several features' tables, one statement per figure, in one read transaction
    "companion/week.py",         # My week: seven local days aggregated in SQL
    "companion/mydata.py",       # export and delete every table of mine in one transaction
}
DATA_LAYER = "companion/db/"  # the data layer itself (Tx, opening, migrations)
HUB = {"companion/team/provision.py"}  # PostgreSQL (the team hub), not the local database; and team/hub*.py


def is_hub(rel: str) -> bool:
    return rel in HUB or (rel.startswith("companion/team/hub") and rel.endswith(".py"))


def local_tables() -> set[str]:
    return set(TABLES_RE.findall((ROOT / "companion/db/head.sql").read_text(encoding="utf-8")))


def sql_in(path: Path, tables: set[str]) -> list[str]:
    """Where ``path`` holds SQL: ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and STATEMENT.search(node.value):
            found.append(f"{node.lineno}: {node.value.strip()[:60]!r}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in TX_TABLE_CALLS and node.args and isinstance(node.args[0], ast.Constant)
              and node.args[0].value in tables
              and (node.func.attr != "get" or getattr(node.func.value, "id", None) in TX_NAMES)):
            found.append(f"{node.lineno}: .{node.func.attr}({node.args[0].value!r}, ...)")
    return sorted(found, key=lambda where: int(where.split(":")[0]))


def offenders(root: Path, folders: tuple[str, ...], allowed: set[str], tables: set[str]) -> list[str]:
    result = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel in allowed or rel.startswith(DATA_LAYER) or is_hub(rel):
                continue
            result += [f"{rel}:{where}" for where in sql_in(path, tables)]
    return result


def test_no_sql_in_the_ui_or_the_desk():
    tables = local_tables()
    found = offenders(ROOT, ("ui",), set(), tables) + [f"companion/desk.py:{w}" for w in
                                                        sql_in(ROOT / "companion/desk.py", tables)]
    assert found == []


def test_sql_only_in_store_modules():
    assert offenders(ROOT, ("companion",), STORE_MODULES, local_tables()) == []


def test_the_checker_finds_sql_in_strings_and_table_calls(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('def f(s, ids):\n'
                   '    s.all(f"SELECT call_id FROM checklist_runs WHERE call_id IN ({ids})")\n'
                   '    s.insert("kudos", {})\n'
                   '    session.get("checklist_runs", "r1")\n'
                   '    counts.get("kudos")\n'  # a dict's get
                   '    return "Select a template"\n')  # prose is not SQL
    assert [line.split(":")[0] for line in sql_in(bad, {"kudos", "checklist_runs"})] == ["2", "3", "4"]
