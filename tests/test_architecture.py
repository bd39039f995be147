"""The core never imports Qt or the ui layer (the arrow runs ui -> companion only)."""
import ast
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
