"""pyproject lists packages by hand (resources/ ships as companion_resources): keep the list complete."""
import tomllib
from pathlib import Path

from companion import resources

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for top in ("companion", "ui")
             for p in (ROOT / top).rglob("__init__.py")}
    assert found | {"companion_resources"} == listed


def test_required_resources_ship():
    assert resources.missing() == []
    assert resources.path("icons/state-ready.svg").read_text().startswith("<svg")


def test_the_frozen_build_keeps_every_qt_module_the_app_imports():
    import ast
    import re

    spec = (ROOT / "build.spec").read_text()
    match = re.search(r"^QT_USED = (\{.*?\})$", spec, re.MULTILINE)
    assert match, "build.spec must define QT_USED"
    kept = ast.literal_eval(match.group(1))
    imported = {m for top in ("ui", "companion") for path in (ROOT / top).rglob("*.py")
                for m in re.findall(r"PySide6\.(Qt\w+)", path.read_text())}
    assert imported and imported <= kept, f"add {sorted(imported - kept)} to QT_USED in build.spec"
