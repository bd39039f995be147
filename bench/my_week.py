#!/usr/bin/env python3
"""How fast My week opens with a year of heavy data. Not a test: run it by hand (see bench/README.md)::

    .venv/bin/python bench/my_week.py                 # 25,000 calls x 8 items, 2,500 resets, 10 opens
    .venv/bin/python bench/my_week.py --opens 20 --json

It builds the database in a temporary folder (the real schema, then rows written with executemany): a year of
calls spread over the last 365 days, each with a checklist run of 8 items (some ticked, with times), resets
with moods, kudos sent and received. Then, offscreen, it opens the My day / week window on the Week view
``--opens`` times (a fresh window each time) and measures from the constructor call until the window has
been shown and painted (``QWidget.grab``). The first open in a process also imports what only My week needs
(ui.windows.my_week, ui.widgets.charts): it is reported apart as ``cold``; median and p95 are over the other
opens. Then ``--sessions`` fresh processes (a new session each: Qt application and Desk made first, as in the
running app) each time their FIRST open: ``my_week_first_open_ms_median``, with the RSS that open added.

Targets: median <= 150 ms; first open in a session median <= 250 ms (issue 11). With ``--json`` the LAST line
of output is a JSON object ``{"my_week_open_ms_median": ..., "my_week_open_ms_p95": ...,
"my_week_first_open_ms_median": ...}`` (plus the other figures). Exit status: 0 targets met, 1 missed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 150.0
TARGET_FIRST_MS = 250.0
ITEMS = ("greet", "listen", "confirm-need", "resolve", "confirm-fix", "more-help", "close-warmly", "note-case")


def _ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def build(path: Path, calls: int, resets: int, kudos: int, agent: str, seed: int = 4711) -> dict[str, int]:
    """A year of data ending now, written straight into a database with the app's schema."""
    import sqlite3

    from companion.db.engine import open_database

    db = open_database(path)
    db.close()
    rnd = random.Random(seed)
    now = datetime.now(timezone.utc)
    year = 365 * 86400
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    stamp = _ts(now)
    template_id = str(uuid.uuid4())
    body = json.dumps({"format": "agent-companion/checklist-template", "version": 1, "name": "Moment of Truth",
                       "items": [{"key": k, "text": k.replace("-", " ").capitalize()} for k in ITEMS]})
    con.execute("INSERT INTO checklist_templates (id, name, line_of_business, body, version, position, archived,"
                " source, team_template_id, published_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (template_id, "Moment of Truth", None, body, 1, 1, 0, "local", None, None, stamp, stamp))
    con.execute("INSERT INTO settings (key, value, updated_at) VALUES (?,?,?)",
                ("state.checklists.active", json.dumps(template_id), stamp))
    con.execute("INSERT INTO settings (key, value, updated_at) VALUES (?,?,?)", ("agent_name", json.dumps(agent), stamp))
    call_rows, run_rows, item_rows = [], [], []
    for _ in range(calls):
        start = now - timedelta(seconds=rnd.uniform(0, year))
        handle = rnd.uniform(60, 900)
        end = start + timedelta(seconds=handle)
        call_id, run_id = str(uuid.uuid4()), str(uuid.uuid4())
        call_rows.append((call_id, str(rnd.randint(1000, 99999)), _ts(start), _ts(end), round(handle, 1),
                          int(rnd.random() < 0.05), _ts(start), _ts(end)))
        ticked = 0
        for position, key in enumerate(ITEMS, start=1):
            at = round(rnd.uniform(1, handle), 1) if rnd.random() < 0.75 else None
            ticked += at is not None
            item_rows.append((run_id, position, key, at))
        outcome = rnd.choice((None, "positive", "neutral", "negative"))
        run_rows.append((run_id, call_id, template_id, 1, "Moment of Truth", _ts(start), _ts(end), round(handle, 1),
                         len(ITEMS), ticked, ticked / len(ITEMS), outcome, None, _ts(end), _ts(end)))
    con.executemany("INSERT INTO calls (id, ref, started_at, ended_at, handle_seconds, tough, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?)", call_rows)
    con.executemany("INSERT INTO checklist_runs (id, call_id, template_id, template_version, template_name, "
                    "started_at, ended_at, handle_seconds, item_count, ticked_count, score, outcome, obstacle_text, "
                    "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", run_rows)
    con.executemany("INSERT INTO checklist_run_items (run_id, position, item_key, ticked_at) VALUES (?,?,?,?)",
                    item_rows)
    reset_rows = []
    for _ in range(resets):
        start = now - timedelta(seconds=rnd.uniform(0, year))
        planned = rnd.choice((60, 180, 300))
        actual = planned if rnd.random() < 0.8 else rnd.uniform(5, planned)
        reset_rows.append((str(uuid.uuid4()), "tray", "box", planned, round(actual, 1),
                           "completed" if actual == planned else "ended_early", _ts(start),
                           _ts(start + timedelta(seconds=actual)), rnd.randint(1, 5), rnd.randint(1, 5), None,
                           _ts(start), _ts(start)))
    con.executemany("INSERT INTO resets (id, trigger, pattern, planned_seconds, actual_seconds, outcome, started_at, "
                    "ended_at, mood_before, mood_after, call_id, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", reset_rows)
    kudos_rows = []
    for i in range(kudos):
        sent = now - timedelta(seconds=rnd.uniform(0, year))
        sender, recipient = (agent, f"mate{i % 12}") if i % 2 else (f"mate{i % 12}", agent)
        kudos_rows.append((str(uuid.uuid4()), sender, recipient, "helping", "thanks", None, None, _ts(sent), None,
                           None, _ts(sent), _ts(sent)))
    con.executemany("INSERT INTO kudos (id, sender, recipient, category, message, call_ref, team, sent_at, "
                    "received_at, read_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", kudos_rows)
    con.commit()
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("calls", "checklist_runs", "checklist_run_items", "resets", "kudos")}
    con.close()
    return counts


def measure(path: Path, opens: int) -> tuple[float, list[float], int]:
    from PySide6.QtWidgets import QApplication

    from companion.clock import SystemClock
    from companion.db.engine import open_database
    from companion.desk import Desk
    from companion.notify.base import NotifierChain

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = open_database(path)
    desk = Desk(db, SystemClock(), NotifierChain([]))
    from ui.windows.my_day import MyDayWindow

    times = []
    calls_shown = 0
    for _ in range(opens + 1):
        started = time.perf_counter()
        window = MyDayWindow(desk, "week")
        window.show()
        window.grab()  # laid out and painted, charts included
        times.append((time.perf_counter() - started) * 1000)
        calls_shown = window.week.summary.calls
        window.close()
        window.deleteLater()
        app.processEvents()
    db.close()
    return times[0], times[1:], calls_shown


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: no figure
        return 0


def first_open(path: Path) -> None:
    """In a fresh process: the app and the Desk as in a running session, then ONE open of My week. Prints
    ``{"ms": ..., "rss_added": ...}``."""
    from PySide6.QtWidgets import QApplication

    from companion.clock import SystemClock
    from companion.db.engine import open_database
    from companion.desk import Desk
    from companion.notify.base import NotifierChain
    from ui import theme
    from ui.windows.my_day import MyDayWindow

    app = QApplication(sys.argv[:1])
    theme.start(app)
    db = open_database(path)
    desk = Desk(db, SystemClock(), NotifierChain([]))
    app.processEvents()
    before = _rss_bytes()
    started = time.perf_counter()
    window = MyDayWindow(desk, "week")
    window.show()
    window.grab()
    ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"ms": ms, "rss_added": _rss_bytes() - before}))
    window.close()
    db.close()


def sessions(path: Path, count: int) -> list[dict]:
    import subprocess

    out = []
    for _ in range(count):
        done = subprocess.run([sys.executable, __file__, "--first-open", str(path)], capture_output=True,
                              text=True, timeout=300, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"a first-open session failed: {done.stderr.strip()[-500:]}")
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=25_000)
    parser.add_argument("--resets", type=int, default=2_500)
    parser.add_argument("--kudos", type=int, default=1_500)
    parser.add_argument("--opens", type=int, default=10, help="timed opens after the cold one (default 10)")
    parser.add_argument("--sessions", type=int, default=7, help="fresh processes timing their first open")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    parser.add_argument("--first-open", metavar="DB", help=argparse.SUPPRESS)  # one session (internal)
    args = parser.parse_args(argv)
    if args.first_open:
        first_open(Path(args.first_open))
        return 0
    with tempfile.TemporaryDirectory(prefix="companion-bench-week-") as folder:
        path = Path(folder) / "companion.sqlite"
        t0 = time.perf_counter()
        counts = build(path, args.calls, args.resets, args.kudos, agent="sam")
        print(f"built a year of data in {time.perf_counter() - t0:.1f} s: "
              + ", ".join(f"{n:,} {table}" for table, n in counts.items()), flush=True)
        cold, warm, week_calls = measure(path, args.opens)
        firsts = sessions(path, args.sessions)
    median = statistics.median(warm)
    p95 = sorted(warm)[max(0, round(0.95 * len(warm)) - 1)]
    first = statistics.median(f["ms"] for f in firsts)
    rss = statistics.median(f["rss_added"] for f in firsts)
    met = median <= TARGET_MS and first <= TARGET_FIRST_MS
    print(f"My week ({week_calls} calls in the last 7 days): cold open {cold:.0f} ms; "
          f"then {len(warm)} opens: median {median:.1f} ms, p95 {p95:.1f} ms, max {max(warm):.1f} ms "
          f"(target median <= {TARGET_MS:.0f} ms: {'met' if median <= TARGET_MS else 'MISSED'}); "
          f"first open in {len(firsts)} fresh sessions: median {first:.0f} ms "
          f"(min {min(f['ms'] for f in firsts):.0f}, max {max(f['ms'] for f in firsts):.0f}), "
          f"RSS added {rss / 1e6:.1f} MB (target <= {TARGET_FIRST_MS:.0f} ms: "
          f"{'met' if first <= TARGET_FIRST_MS else 'MISSED'})")
    if args.json:
        print(json.dumps({"my_week_open_ms_median": round(median, 1), "my_week_open_ms_p95": round(p95, 1),
                          "my_week_cold_open_ms": round(cold, 1), "my_week_first_open_ms_median": round(first, 1),
                          "my_week_first_open_rss_added_bytes": int(rss), "opens": len(warm), **counts}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
