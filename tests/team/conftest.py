"""Team-hub fixtures: one throwaway PostgreSQL cluster for the session (tests/team/pgcluster.py), a freshly
provisioned hub database per test, agents with their own login roles, and simulated desks (a local SQLite
database + a SyncWorker each).

The session's cluster is ``pg_cluster`` in tests/conftest.py (shared with the e2e team scenario):
PostgreSQL missing makes these tests FAIL, not skip: CI installs it (scripts/setup).

Desks apply what they pull with the real companion.team.inbound and have a real ``companion.desk.Desk``
(``app``) on the same database and events, with a recording notifier: what the agent would be shown.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from companion.clock import SystemClock
from companion.db.engine import Database, open_database
from companion.events import EventHub
from companion.team import hub as hubmod
from companion.team import provision
from companion.team.sync import SyncWorker
from tests.team.pgcluster import Cluster
from companion.desk import Desk as AppDesk
from companion.notify.base import NotifierChain
from companion.team import inbound
from companion.team.identity import HUB_STATE
from tests.fakes import RecordingNotifier

_counter = itertools.count(1)


@dataclass
class Agent:
    name: str
    team: str
    secret: str
    lead: bool = False


@dataclass
class Hub:
    cluster: Cluster
    database: str
    prefix: str
    agents: dict[str, Agent] = field(default_factory=dict)

    @property
    def admin_url(self) -> str:
        return self.cluster.admin_url(self.database)

    @property
    def url(self) -> str:
        return self.cluster.url(self.database)

    def add(self, short: str, team: str = "red", lead: bool = False) -> Agent:
        name = f"{self.prefix}{short}"
        secret = provision.add_agent(self.admin_url, name, team, lead=lead, display_name=short.title())
        agent = self.agents[short] = Agent(name, team, secret, lead)
        return agent

    def connect(self, agent: Agent) -> Any:
        return hubmod.connect(self.url, user=agent.name, password=agent.secret)

    def admin(self) -> Any:
        return hubmod.connect(self.admin_url)

    def settings(self, **values: int) -> None:
        """Change the hub's limits/delays (companion.hub_settings, owner only), e.g. anonymous_delay_max=0."""
        with self.admin() as conn:
            for column, value in values.items():
                conn.execute(f"UPDATE companion.hub_settings SET {column} = %s", (value,))

    def release(self, agent: Agent) -> int:
        """One round chore of ``agent``'s desk: publish the anonymous obstacles that are due (not its own)."""
        with self.connect(agent) as conn:
            return hubmod.tend(conn)

    def count(self, table: str, where: str = "true", params: tuple = ()) -> int:
        with self.admin() as conn:
            return conn.execute(f"SELECT count(*) FROM companion.{table} WHERE {where}", params).fetchone()[0]


@pytest.fixture
def hub(pg_cluster: Cluster) -> Hub:
    """A new hub database, provisioned; agents are added by the test (role names are unique per test)."""
    n = next(_counter)
    database = f"hub_{n}"
    pg_cluster.create_database(database)
    provision.init_hub(pg_cluster.admin_url(database))
    return Hub(pg_cluster, database, prefix=f"t{n}_")


class Received:
    """Collects team.received / team.status events (from the worker thread) for a test to wait on."""

    def __init__(self, events: EventHub) -> None:
        self.items: list[inbound.Received] = []
        self.statuses: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        events.subscribe("team.received", self._received)
        events.subscribe("team.status", self._status)

    def _received(self, event: Any) -> None:
        with self._cond:
            self.items.extend(event.data["items"])
            self._cond.notify_all()

    def _status(self, event: Any) -> None:
        with self._cond:
            self.statuses.append(event.data)
            self._cond.notify_all()

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(f"timed out: received={len(self.items)} statuses={self.statuses[-3:]}")


@dataclass
class Desk:
    """A simulated agent's desktop: its own SQLite database and sync worker."""

    agent: Agent
    db: Database
    events: EventHub
    worker: SyncWorker
    received: Received
    app: AppDesk
    notifier: RecordingNotifier


@pytest.fixture
def make_desk(hub: Hub, tmp_path: Path) -> Iterator[Any]:
    desks: list[Desk] = []

    def make(agent: Agent, *, clock: Any = None, waker: Any = None, connect: Any = None) -> Desk:
        db = open_database(tmp_path / agent.name / "companion.sqlite")
        events = EventHub()
        received = Received(events)
        clock = clock or SystemClock()
        notifier = RecordingNotifier()
        app = AppDesk(db, clock, NotifierChain([notifier]), events)
        app.set_agent_name(agent.name)
        app.store.set_state(HUB_STATE, {"url": hub.url, "user": agent.name, "team": agent.team,
                                        "lead": agent.lead})
        worker = SyncWorker(db, connect or (lambda: hub.connect(agent)), inbound.apply, inbound.apply_roster,
                            events, clock, me=agent.name, team=agent.team, waker=waker, delivery=app.delivery)
        desk = Desk(agent, db, events, worker, received, app, notifier)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.worker.stop()
        desk.db.close()
