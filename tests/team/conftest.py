"""Team-hub fixtures: one throwaway PostgreSQL cluster for the session (tests/team/pgcluster.py), a freshly
provisioned hub database per test, agents with their own login roles, and simulated desks (a local SQLite
database + a SyncWorker each).

PostgreSQL missing makes these tests FAIL, not skip: CI installs it (scripts/setup).

``apply_kudos_for_tests`` / ``apply_roster_for_tests`` stand in for companion.team.inbound (built on
another branch) until the lead merges it; they only insert kudos and roster rows, idempotently by id.
"""
from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from companion.clock import SystemClock
from companion.db.engine import Database, open_database
from companion.events import EventHub
from companion.team import hub as hubmod
from companion.team import outbox, provision
from companion.team.sync import SyncWorker
from tests.team.pgcluster import MISSING_MESSAGE, Cluster, ClusterError, find_bindir, new_cluster

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
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


# -- the stand-in for companion.team.inbound ------------------------------------------------------------
def apply_kudos_for_tests(session: Any, record: dict[str, Any], me: str) -> dict[str, Any] | None:
    """TEST ONLY: insert a pulled kudos by id (idempotent); tell about kudos addressed to me."""
    from companion.db.models import Kudos

    if record["kind"] != "kudos" or session.get(Kudos, record["id"]) is not None:
        return None
    session.add(Kudos(id=record["id"], sender=record["sender"], recipient=record["recipient"],
                      category=record["category"], message=record["message"], call_ref=record["call_ref"],
                      team=record["team"], sent_at=datetime.fromisoformat(record["sent_at"]),
                      received_at=datetime.now(timezone.utc)))
    if record["recipient"] != me:
        return None
    return {"kudos_id": record["id"], "from": record["sender"], "message": record["message"]}


def apply_roster_for_tests(session: Any, agents: list[dict[str, Any]]) -> None:
    """TEST ONLY: the hub's roster into ``teammates``."""
    from sqlalchemy import select

    from companion.db.models import Teammate

    for agent in agents:
        row = session.scalars(select(Teammate).where(Teammate.name == agent["name"])).first()
        if row is None:
            row = Teammate(name=agent["name"])
            session.add(row)
        row.display_name, row.team, row.is_lead, row.source = (agent["display_name"], agent["team"],
                                                               agent["is_lead"], "hub")


def kudos_record(sender: str, recipient: str, team: str, message: str = "thanks for the cover",
                 **extra: Any) -> dict[str, Any]:
    record = {"id": str(uuid.uuid4()), "kind": "kudos", "sender": sender, "team": team, "recipient": recipient,
              "category": "helping", "message": message, "call_ref": None,
              "sent_at": datetime.now(timezone.utc).isoformat()}
    record.update(extra)
    return record


def send_kudos_for_tests(db: Database, sender: str, recipient: str, team: str, message: str) -> dict[str, Any]:
    """TEST ONLY: what the kudos feature does - the local row and its outbox item in one transaction."""
    from companion.db.models import Kudos

    record = kudos_record(sender, recipient, team, message)
    with db.session() as s:
        s.add(Kudos(id=record["id"], sender=sender, recipient=recipient, category="helping", message=message,
                    team=team, sent_at=datetime.fromisoformat(record["sent_at"])))
        outbox.enqueue(s, "kudos", record, datetime.now(timezone.utc))
    return record


class Received:
    """Collects team.received / team.status events (from the worker thread) for a test to wait on."""

    def __init__(self, events: EventHub) -> None:
        self.items: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        events.subscribe("team.received", self._received)
        events.subscribe("team.status", self._status)

    def _received(self, event: Any) -> None:
        with self._cond:
            self.items.append(event.data)
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


@pytest.fixture
def make_desk(hub: Hub, tmp_path: Path) -> Iterator[Any]:
    desks: list[Desk] = []

    def make(agent: Agent, *, clock: Any = None, waker: Any = None, connect: Any = None) -> Desk:
        db = open_database(tmp_path / agent.name / "companion.sqlite")
        events = EventHub()
        received = Received(events)
        worker = SyncWorker(db, connect or (lambda: hub.connect(agent)), apply_kudos_for_tests,
                            apply_roster_for_tests, events, clock or SystemClock(), me=agent.name, team=agent.team,
                            waker=waker)
        desk = Desk(agent, db, events, worker, received)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.worker.stop()
        desk.db.close()
