"""``companion self-test``: proves an installation (also a frozen build) has what it needs.

Checks the database (opens or creates it), that Alembic and its migration scripts run (on a throwaway
database), the shipped resources, that a
notification backend can be loaded, and which keyring backend is active. Prints one line per check and
exits non-zero naming what is missing.
"""
from __future__ import annotations

import sys
from typing import Callable

from companion.paths import Paths


def _check_database(paths: Paths) -> str:
    """Checks an existing database without changing it (a damaged one is reported, not moved aside);
    creates the database where there is none yet, as the app would."""
    from companion.db import schema
    from companion.db.engine import inspect_database, open_database

    path = paths.ensure().database
    if path.exists() and path.stat().st_size > 0:
        revision = inspect_database(path)  # raises with a clear message: damaged, locked, read-only
        if revision not in schema.REVISIONS:
            raise RuntimeError(f"{path} was written by a newer Agent Companion (schema {revision})")
        state = "up to date" if revision == schema.HEAD else f"schema {revision}, will be upgraded"
        return f"{path} ({state})"
    open_database(path, paths.backups).close()
    return f"{path} (created)"


def _check_migrations(paths: Paths) -> str:
    """Alembic and the migration scripts are there (a frozen build must ship them as files): every known
    revision is run on a throwaway database, in a temporary folder (the agent's database is not touched)."""
    import tempfile
    from pathlib import Path

    from companion.db import schema
    from companion.db.engine import inspect_database
    from companion.db.migrate import make_engine, migrate

    with tempfile.TemporaryDirectory(prefix="companion-selftest.") as tmp:
        probe = Path(tmp) / "probe.sqlite"
        engine = make_engine(probe)
        try:
            migrate(engine)
        finally:
            engine.dispose()
        revision = inspect_database(probe)
    if revision != schema.HEAD:
        raise RuntimeError(f"the migrations end at {revision}, expected {schema.HEAD}")
    return f"{len(schema.REVISIONS)} revisions up to {schema.HEAD}"


def _check_resources(paths: Paths) -> str:
    from companion import resources

    missing = resources.missing()
    if missing:
        raise RuntimeError("missing " + ", ".join(missing))
    return f"{len(resources.REQUIRED)} files"


def _check_notifications(paths: Paths) -> str:
    import importlib
    import warnings

    from companion.notify.plyer_backend import PlyerNotifier

    PlyerNotifier().check()  # on Linux: a session bus and notify-send
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from plyer.utils import platform as plyer_platform

        module = importlib.import_module(f"plyer.platforms.{plyer_platform}.notification")
        backend = module.instance()
    return f"plyer {type(backend).__name__}"


def _check_keyring(paths: Paths) -> str:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return "no OS keyring: team credentials will be asked each session and kept in memory only"
    return type(backend).__module__ + "." + type(backend).__name__


def _check_team_hub_driver(paths: Paths) -> str:
    """psycopg (the team hub's driver) and the libpq implementation it picks at run time, when installed: a
    frozen build must carry psycopg_binary's (or psycopg_c's) libraries, not only the Python package."""
    from importlib.util import find_spec

    if find_spec("psycopg") is None:
        return "psycopg is not installed: no team hub connection in this installation"
    import psycopg

    libpq = psycopg.pq.version()
    return f"psycopg {psycopg.__version__}, {psycopg.pq.__impl__} implementation, libpq {libpq // 10000}.{libpq % 100}"


def _check_presence_hooks(paths: Paths) -> str:
    """IT's operations config (companion.presence): readable, trusted, and each command's program found."""
    import shutil

    from companion import presence
    from companion.paths import operations_config_path

    ops = presence.load_operations_config(operations_config_path())
    if ops.problem:
        raise RuntimeError(ops.problem)
    if not ops.locked and ops.timeout_seconds is None:
        return f"no operations config at {ops.path}: the agent's own hooks (Settings) apply"
    for key in sorted(ops.locked):
        argv = presence.parse_command(getattr(ops, key))
        if argv and shutil.which(argv[0]) is None:
            raise RuntimeError(f"{ops.path}: {key} runs {argv[0]!r}, which is not found (PATH or full path)")
    set_ = ", ".join(sorted(ops.locked)) or "no commands"
    timeout = ops.timeout_seconds if ops.timeout_seconds is not None else presence.DEFAULT_TIMEOUT
    return f"{ops.path} sets {set_} (timeout {timeout:g} s)"


CHECKS: tuple[tuple[str, Callable[[Paths], str]], ...] = (
    ("database", _check_database),
    ("migrations", _check_migrations),
    ("resources", _check_resources),
    ("notifications", _check_notifications),
    ("keyring", _check_keyring),
    ("team hub driver", _check_team_hub_driver),
    ("presence hooks", _check_presence_hooks),
)


def run_self_test(paths: Paths) -> int:
    failed = []
    for name, check in CHECKS:
        try:
            detail = check(paths)
        except Exception as exc:
            failed.append(name)
            print(f"FAIL {name}: {exc}")
        else:
            print(f"ok   {name}: {detail}")
    if failed:
        print(f"self-test failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("self-test passed")
    return 0
