"""Every test runs with its config, data and runtime folders redirected into tmp, offscreen Qt, and no
session bus (so nothing can reach the developer's real desktop)."""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/companion-tests-no-bus"
os.environ.pop("WAYLAND_DISPLAY", None)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from companion.db.engine import open_database  # noqa: E402
from companion.desk import Desk  # noqa: E402
from companion.notify.base import NotifierChain  # noqa: E402
from tests.fakes import FakeClock, RecordingNotifier  # noqa: E402
from tests.team.pgcluster import MISSING_MESSAGE, Cluster, ClusterError, find_bindir, new_cluster  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    base = tmp_path_factory.mktemp("home")
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        path = base / name.lower()
        path.mkdir()
        monkeypatch.setenv(name, str(path))
    runtime = base / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("COMPANION_DATA_DIR", str(base / "data"))
    return base


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "data" / "companion.sqlite")
    yield database
    database.close()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(db, clock, notifier) -> Desk:
    return Desk(db, clock, NotifierChain([notifier]))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL (tests/team/pgcluster.py) for the session: the team-hub tests and the e2e
    team scenario. PostgreSQL missing makes them FAIL, not skip: CI installs it (scripts/setup)."""
    if find_bindir() is None:
        pytest.fail(MISSING_MESSAGE, pytrace=False)
    try:
        cluster = new_cluster()
    except ClusterError as exc:
        pytest.fail(f"the throwaway PostgreSQL cluster did not start: {exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.destroy()
