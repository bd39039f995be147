"""`companion self-test` names what is missing. A frozen build runs the same code (scripts/build also hides a
resource in the built folder and checks the frozen self-test names it)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import companion.db.migrate as migrate_mod
from companion import selftest
from companion.db import schema
from companion.paths import Paths

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def test_a_missing_resource_is_named_and_fails_the_self_test(tmp_path):
    # A broken installation: a companion_resources package without the chime, found before the real one.
    shadow = tmp_path / "site" / "companion_resources"
    shutil.copytree(RESOURCES, shadow)
    (shadow / "sounds" / "chime.wav").unlink()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run([sys.executable, "-m", "companion", "self-test", "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL resources: missing sounds/chime.wav" in result.stdout
    assert "ok   database" in result.stdout  # the other checks still ran and said so
    assert result.stderr.strip().endswith("self-test failed: resources")


def test_missing_migration_scripts_are_named(tmp_path, monkeypatch, capsys):
    # As if a frozen build had been made without companion/db/migrations as data files.
    monkeypatch.setattr(migrate_mod, "MIGRATIONS", tmp_path / "nowhere" / "migrations")
    assert selftest.run_self_test(Paths(tmp_path / "data")) == 1
    out = capsys.readouterr()
    assert "FAIL migrations:" in out.out and "nowhere" in out.out
    assert "ok   database" in out.out and "self-test failed: migrations" in out.err


def test_the_migrations_check_runs_every_revision_without_touching_the_agents_database(tmp_path, capsys):
    paths = Paths(tmp_path / "data")
    assert selftest.run_self_test(paths) == 0
    out = capsys.readouterr().out
    assert f"ok   migrations: {len(schema.REVISIONS)} revisions up to {schema.HEAD}" in out
    assert sorted(p.name for p in paths.data_dir.iterdir() if p.suffix == ".sqlite") == ["companion.sqlite"]


def test_the_team_hub_driver_is_reported_when_installed_and_named_when_broken(tmp_path, monkeypatch, capsys):
    import importlib.util
    import types

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else
                        real_find_spec(name, *a))
    assert selftest._check_team_hub_driver(Paths(tmp_path)).startswith("psycopg is not installed")

    fake = types.ModuleType("psycopg")
    fake.__version__ = "3.3.9"
    fake.pq = types.SimpleNamespace(__impl__="binary", version=lambda: 180006)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "psycopg" else
                        real_find_spec(name, *a))
    monkeypatch.setitem(sys.modules, "psycopg", fake)
    assert selftest._check_team_hub_driver(Paths(tmp_path)) == "psycopg 3.3.9, binary implementation, libpq 18.6"

    monkeypatch.setitem(sys.modules, "psycopg", None)  # installed but cannot be imported (e.g. no libpq)
    assert selftest.run_self_test(Paths(tmp_path / "data")) == 1
    out = capsys.readouterr()
    assert "FAIL team hub driver:" in out.out and "self-test failed: team hub driver" in out.err
