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
