"""The core never imports Qt or the ui layer (the arrow runs ui -> companion only)."""
import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)  # from companion.db import models
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            yield str(node.args[0].value)


def test_core_sources_import_no_qt_and_no_ui():
    offenders = []
    for path in sorted((ROOT / "companion").rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_importing_the_whole_core_loads_no_qt():
    modules = sorted("companion." + ".".join(p.relative_to(ROOT / "companion").with_suffix("").parts)
                     for p in (ROOT / "companion").rglob("*.py")
                     if p.name != "__main__.py" and "versions" not in p.parts and p.stem != "env")
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6', 'ui'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_checker_would_catch_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QTimer\nimport importlib\nimportlib.import_module('ui.app')\n")
    assert {m.split(".")[0] for m in imported_modules(bad)} >= {"PySide6", "ui"}


def test_the_tray_shows_before_the_database_stack_loads():
    """Start-up speed: everything needed to show the tray imports without SQLAlchemy, Alembic, plyer, keyring or psycopg."""
    code = ("import sys, ui.app, ui.controller, ui.tray, ui.icons, ui.widgets.toast\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'plyer', 'keyring', 'psycopg'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# SQLAlchemy and Alembic own the schema; the running app reads and writes through plain sqlite3
# (companion/db/sql.py): they and what they import cost ~34 MB of idle memory (issue 2's 85 MB target).
SCHEMA_ONLY = ("sqlalchemy", "alembic")
SCHEMA_MODULES = ("companion.db.models", "companion.db.migrate")
ALLOWED_SCHEMA_IMPORTERS = {
    "companion/db/models.py", "companion/db/migrate.py",
    "companion/db/engine.py",    # imports companion.db.migrate only when a database must be migrated
    "companion/selftest.py",     # proves the shipped migrations run, on a throwaway database
}


def test_the_running_app_never_imports_sqlalchemy_or_the_models():
    offenders = []
    for folder in ("companion", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED_SCHEMA_IMPORTERS or "/migrations/" in rel:
                continue
            for module in imported_modules(path):
                if module.split(".")[0] in SCHEMA_ONLY or module.startswith(SCHEMA_MODULES):
                    offenders.append(f"{rel} imports {module}")
    assert offenders == []


def test_opening_a_database_and_the_services_load_no_sqlalchemy(tmp_path):
    """A new database is built from head.sql, an up-to-date one just opened: neither loads SQLAlchemy, and
    neither does importing every runtime module (companion and ui, except the schema modules)."""
    runtime = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for folder in ("companion", "ui") for p in (ROOT / folder).rglob("*.py")
        if p.relative_to(ROOT).as_posix() not in ALLOWED_SCHEMA_IMPORTERS - {"companion/db/engine.py"}
        and "migrations" not in p.parts and p.name != "__main__.py")
    code = ("import importlib, sys\nfrom pathlib import Path\n"
            f"for m in {runtime!r}: importlib.import_module(m)\n"
            "from companion.db.engine import open_database\n"
            "for _ in range(2):\n"
            f"    open_database(Path({str(tmp_path / 'c.sqlite')!r})).close()\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(SCHEMA_ONLY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
