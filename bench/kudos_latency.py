#!/usr/bin/env python3
"""Kudos latency through the team hub: LISTEN/NOTIFY wake-ups against polling every second, same run.

Not a test: run it by hand (see bench/README.md)::

    .venv/bin/python bench/kudos_latency.py                 # 50 agents, 200 kudos notified, 60 polled
    .venv/bin/python bench/kudos_latency.py --agents 50 --kudos 100 --poll-kudos 40 --json
    .venv/bin/python bench/kudos_latency.py --desks 1000 --kudos 200 --poll-kudos 20   # a floor of 1,000 desks

A throwaway PostgreSQL cluster on loopback (tests/team/pgcluster.py), one hub database provisioned with
``companion team`` code, a team of ``--agents`` agents, every one logged in with its own role and connection:

* the sender and the recipient are simulated desks exactly as the app runs them: their own SQLite database
  and a SyncWorker thread (in this process);
* the other agents are bystanders in a second process: each has its own connection, LISTENs on the team
  channel and on every wake-up runs the same pull the worker runs (so the hub serves ``--agents`` agents),
  without the local SQLite apply, which on a real floor runs on each agent's own PC. (Fifty full desks in
  one Python process would measure this machine's GIL and its two cores, not the design.)

The sender sends kudos one at a time; the latency of one kudos is from just before the sender's local commit
(kudos row + outbox item) to the moment the recipient's worker has applied it and published
``team.received`` (where the app posts the notification).

Mode ``notify``: workers LISTEN and wake on NOTIFY (the app's default). Mode ``poll``: no LISTEN, every
worker pulls once a second. Target: notify p99 <= 100 ms on loopback.
``--desks N`` (N > --agents) connects N desks in all: the measured team of ``--agents`` and the rest as other
teams of 50 bystanders (each listening on its own team's channel and pulling on its wake-ups), so a wake-up's
cost with the whole floor connected shows; the cluster gets max_connections = N + 50, and the summary adds the
hub's memory (the sum of the PostgreSQL processes' unique memory, USS) and the connection attempts made.
With ``--json`` the last line printed is ``{"kudos_p50_ms", "kudos_p99_ms", "poll_p50_ms", "poll_p99_ms"}``
(with --desks also ``desks``, ``hub_memory_mb`` and ``connection_attempts``).
Exit status: 0 target met, 1 target missed, 2 the benchmark could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion.clock import SystemClock  # noqa: E402
from companion.db.engine import open_database  # noqa: E402
from companion.events import EventHub  # noqa: E402
from companion.team import hub, provision  # noqa: E402
from companion.team.sync import SyncWorker  # noqa: E402
from tests.team.pgcluster import ClusterError, new_cluster  # noqa: E402
from tests.team.simulated import send_kudos_for_tests  # noqa: E402

from companion.team.inbound import apply, apply_roster  # noqa: E402

TEAM = "bench"
TARGET_P99_MS = 100.0
WAIT_PER_KUDOS = 10.0


def percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def bystanders_main() -> int:
    """The child process: bystander agents (JSON on stdin: url, listen, agents); ends when stdin closes."""
    spec = json.loads(sys.stdin.readline())
    listen = spec["listen"]
    conns = []
    for name, secret, *team in spec["agents"]:
        conn = hub.connect(spec["url"], user=name, password=secret)
        if listen:
            hub.listen(conn, team[0] if team else TEAM)
        conns.append([conn, hub.Cursor()])

    def pull(entry: list[Any]) -> None:
        while True:
            batch = hub.pull(entry[0], entry[1])
            entry[1] = batch.cursor
            if not batch.more:
                return

    for entry in conns:
        pull(entry)
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin, selectors.EVENT_READ, None)
    if listen:
        for entry in conns:
            selector.register(entry[0].fileno(), selectors.EVENT_READ, entry)
    print("ready", flush=True)
    next_poll = time.monotonic() + 1.0
    while True:
        timeout = None if listen else max(0.0, next_poll - time.monotonic())
        for key, _mask in selector.select(timeout):
            if key.data is None:
                if not sys.stdin.readline():
                    return 0
                continue
            for _ in key.data[0].notifies(timeout=0):  # a wake-up; the payload is empty
                pass
            pull(key.data)
        if not listen and time.monotonic() >= next_poll:
            for entry in conns:
                pull(entry)
            next_poll += 1.0


def start_bystanders(url: str, agents: list[tuple[str, str]], listen: bool) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, __file__, "--bystanders"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ))
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps({"url": url, "listen": listen, "agents": agents}) + "\n")  # not in argv
    child.stdin.flush()
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise RuntimeError("the bystander agents did not connect")
    return child


def stop_bystanders(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.close()
    try:
        child.wait(10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def hub_memory_mb(cluster: Any) -> float | None:
    """The hub's memory: the sum of the unique memory (USS) of the cluster's processes (psutil), in MB."""
    try:
        import psutil

        pid = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
        main = psutil.Process(pid)
        total = sum(p.memory_full_info().uss for p in [main, *main.children(recursive=True)])
    except Exception:  # psutil missing, or not allowed to read another user's processes
        return None
    return round(total / 2**20, 1)


class Desks:
    """Simulated desks with running sync workers (the first sends, the others receive)."""

    def __init__(self, url: str, agents: list[tuple[str, str]], folder: Path, *, listen: bool) -> None:
        self.attempts = 0
        self.arrivals: dict[str, float] = {}
        self.online: set[str] = set()
        self.cond = threading.Condition()
        self.desks: list[tuple[str, Any, SyncWorker]] = []
        for name, secret in agents:
            db = open_database(folder / name / "companion.sqlite")
            events = EventHub()
            events.subscribe("team.received", self._received)
            events.subscribe("team.status", lambda e, n=name: self._status(n, e.data))
            worker = SyncWorker(db, lambda n=name, s=secret: self._connect(url, n, s), apply,
                                apply_roster, events, SystemClock(), me=name, team=TEAM, listen=listen,
                                idle_seconds=60.0 if listen else 1.0)
            self.desks.append((name, db, worker))

    def _connect(self, url: str, name: str, secret: str) -> Any:
        self.attempts += 1
        return hub.connect(url, user=name, password=secret)

    def _received(self, event: Any) -> None:
        now = time.perf_counter()
        with self.cond:
            for item in event.data["items"]:
                self.arrivals.setdefault(item.record_id, now)
            self.cond.notify_all()

    def _status(self, name: str, data: dict[str, Any]) -> None:
        with self.cond:
            if data["online"]:
                self.online.add(name)
            self.cond.notify_all()

    def start(self, timeout: float = 60.0) -> None:
        for _name, _db, worker in self.desks:
            worker.start()
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.online) == len(self.desks), timeout):
                raise RuntimeError(f"only {len(self.online)} of {len(self.desks)} agents came online")

    def measure(self, count: int, rng: random.Random, gap: tuple[float, float]) -> list[float]:
        sender_name, sender_db, _ = self.desks[0]  # to a random one of the full desks
        latencies = []
        for _ in range(count):
            recipient = rng.choice(self.desks[1:])[0]
            started = time.perf_counter()
            record = send_kudos_for_tests(sender_db, sender_name, recipient, TEAM, "thanks for the help")
            with self.cond:
                if not self.cond.wait_for(lambda: record["id"] in self.arrivals, WAIT_PER_KUDOS):
                    raise RuntimeError(f"a kudos did not arrive within {WAIT_PER_KUDOS} s")
                latencies.append((self.arrivals[record["id"]] - started) * 1000)
            time.sleep(rng.uniform(*gap))  # sends apart, each measured on its own (and out of step with polls)
        return latencies

    def stop(self) -> None:
        for _name, db, worker in self.desks:
            worker.stop()
            db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=50, help="simulated agents connected (default 50)")
    parser.add_argument("--kudos", type=int, default=200, help="kudos measured with NOTIFY (default 200)")
    parser.add_argument("--poll-kudos", type=int, default=60, help="kudos measured with polling (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    parser.add_argument("--full-desks", type=int, default=2,
                        help="agents run as full desks in this process, sender included (default 2)")
    parser.add_argument("--desks", type=int, default=0,
                        help="desks connected in all, other teams of 50 beyond --agents (default: --agents)")
    parser.add_argument("--bystanders", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bystanders:
        return bystanders_main()
    if not 2 <= args.agents <= 150 or not 1 <= args.kudos <= 2000 or not 1 <= args.poll_kudos <= 500 \
            or not 2 <= args.full_desks <= args.agents or not (args.desks == 0 or args.agents <= args.desks <= 3000):
        parser.error("--agents 2-150, --kudos 1-2000, --poll-kudos 1-500, --full-desks 2 to --agents, "
                     "--desks --agents to 3000")
    rng = random.Random(args.seed)
    floor = max(args.desks, args.agents)
    try:
        cluster = new_cluster(max_connections=max(200, floor + 50))
    except ClusterError as exc:
        print(f"kudos_latency: {exc}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="kudos-latency-"))
    results: dict[str, list[float]] = {}
    floor_stats: dict[str, Any] = {"desks": floor, "hub_memory_mb": None, "connection_attempts": 0}
    try:
        admin = cluster.create_database("bench")
        provision.init_hub(admin)
        with hub.connect(admin) as conn:  # one sender sends every kudos: the hub's per-agent limits stay out of it
            conn.execute("UPDATE companion.hub_settings SET kudos_per_day = 1000000, rows_per_minute = 1000000")
        agents = [(f"agent{i:03d}", provision.add_agent(admin, f"agent{i:03d}", TEAM)) for i in range(args.agents)]
        others = [(f"other{i:04d}", provision.add_agent(admin, f"other{i:04d}", f"team{i // 50:03d}"),
                   f"team{i // 50:03d}") for i in range(floor - args.agents)]
        url = cluster.url("bench")
        # Polling: the next send must not fall at a fixed point of the recipient's 1-s cycle (it would if it
        # followed the last arrival closely), so the gap there spans a whole cycle.
        for mode, listen, count, gap in (("notify", True, args.kudos, (0.02, 0.08)),
                                         ("poll", False, args.poll_kudos, (0.05, 1.05))):
            crowd = [list(a) + [TEAM] for a in agents[args.full_desks:]] + [list(o) for o in others]
            bystanders = [start_bystanders(url, crowd[i:i + 250], listen) for i in range(0, len(crowd), 250)]
            desks = Desks(url, agents[:args.full_desks], folder / mode, listen=listen)
            try:
                desks.start()
                time.sleep(0.5)  # let the catch-up rounds settle
                if mode == "notify":
                    floor_stats["hub_memory_mb"] = hub_memory_mb(cluster)
                results[mode] = desks.measure(count, rng, gap)
            finally:
                floor_stats["connection_attempts"] += desks.attempts
                desks.stop()
                for child in bystanders:
                    stop_bystanders(child)
    except Exception as exc:
        print(f"kudos_latency: the benchmark could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        cluster.destroy()
        shutil.rmtree(folder, ignore_errors=True)

    summary = {
        "kudos_p50_ms": round(statistics.median(results["notify"]), 2),
        "kudos_p99_ms": round(percentile(results["notify"], 99), 2),
        "poll_p50_ms": round(statistics.median(results["poll"]), 2),
        "poll_p99_ms": round(percentile(results["poll"], 99), 2),
    }
    print(f"kudos latency, send -> recipient's team.received, {args.agents} agents connected "
          f"({args.full_desks} full desks), loopback")
    print(f"{'mode':<22}{'kudos':>7}{'median ms':>12}{'p99 ms':>10}{'max ms':>10}")
    for mode, label in (("notify", "LISTEN/NOTIFY"), ("poll", "polling every 1 s")):
        values = results[mode]
        print(f"{label:<22}{len(values):>7}{statistics.median(values):>12.1f}{percentile(values, 99):>10.1f}"
              f"{max(values):>10.1f}")
    met = summary["kudos_p99_ms"] <= TARGET_P99_MS
    print(f"target notify p99 <= {TARGET_P99_MS:.0f} ms: {'met' if met else 'MISSED'}")
    if args.desks:
        summary.update(floor_stats)
        print(f"{floor} desks connected; hub memory (USS of the PostgreSQL processes) "
              f"{floor_stats['hub_memory_mb']} MB; connection attempts by the full desks "
              f"{floor_stats['connection_attempts']}")
    if args.json:
        print(json.dumps(summary))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
