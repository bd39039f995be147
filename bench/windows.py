#!/usr/bin/env python3
"""How fast each window opens the first time in a session. Not a test: run it by hand (see bench/README.md)::

    .venv/bin/python bench/windows.py                  # every window, 7 fresh sessions each
    .venv/bin/python bench/windows.py --runs 3 --only kudos --only reset
    .venv/bin/python bench/windows.py --json

"First open in a session" is what an agent waits for: the window's code is imported then, its fonts and icons
loaded. So every measurement is its own fresh process (offscreen Qt): the app's palette and stylesheet applied
and the desk attached to the controller (as in the running app once the tray shows), a database with a week of
ordinary data (the agent a team lead on a hub, so every window exists); then the clock runs from the click's
handler (the controller's ``open_*``; for a dialog, the button's handler in its opened parent) until the window
has been shown, laid out and painted once (``QWidget.grab``). Windows and sessions alternate; the median and
p95 of ``--runs`` sessions are reported per window.

Target (issue 10): median <= 100 ms for each window; My week <= 250 ms (issue 11: it loads the chart
library). With ``--json`` the LAST line is a JSON object ``{"window_open_ms": {window: median, ...}, ...}``.
Exit status: 0 every target met, 1 one missed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0
TARGETS = {"my week": 250.0}
WINDOWS = ("tray menu", "tray quick panel", "send kudos", "name prompt", "team feed", "voice of the customer", "group deep breath",
           "checklists editor", "settings", "my day", "my week", "delete my data", "in-call panel",
           "outcome step and reset offer", "reset")
LEAD = {"url": "postgresql://127.0.0.1:9/hub", "user": "lena", "team": "blue", "lead": True}


def build(path: Path) -> None:
    """A week of ordinary data: 40 calls with checklist runs, 10 resets, 20 kudos; the agent leads a hub."""
    sys.path.insert(0, str(ROOT / "bench"))
    from my_week import build as build_year  # the same schema-true writer, at a week's scale

    build_year(path, calls=40, resets=10, kudos=20, agent="lena")
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, datetime('now'))",
                    ("state.team.hub", json.dumps(LEAD)))
    con.close()


def worker(window: str, db_path: Path) -> float:
    """One fresh session: open ``window`` once, return the milliseconds it took."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from companion.autostart import XdgAutostart
    from companion.clock import SystemClock
    from companion.db.engine import open_database
    from companion.desk import Desk
    from companion.notify.base import NotifierChain
    from ui import theme
    from ui.controller import Controller

    app = QApplication(sys.argv[:1])
    theme.apply(app)
    db = open_database(db_path)
    desk = Desk(db, SystemClock(), NotifierChain([]))
    with tempfile.TemporaryDirectory() as tmp:
        controller = Controller(use_tray=False, autostart=XdgAutostart(Path(tmp) / "config"),
                                launch_command=lambda: ["companion"])
        controller.attach(desk)
        app.processEvents()
        before = None
        if window == "name prompt":
            before = controller.open_kudos()
        elif window == "delete my data":
            before = controller.open_my_day()
        elif window == "outcome step and reset offer":
            controller.start_call("BENCH")
        if before is not None:
            before.grab()
            app.processEvents()

        start = time.perf_counter()
        if window == "tray menu":
            menu = controller.menu.menu
            menu.popup(QPoint(100, 100))
            shown = menu
        elif window == "tray quick panel":
            shown = controller.tray.open_panel()
        elif window == "send kudos":
            shown = controller.open_kudos()
        elif window == "name prompt":
            from ui.windows.name import AskNameDialog

            shown = AskNameDialog(desk, lambda: None, before)
            shown.open()
        elif window == "team feed":
            shown = controller.open_feed()
        elif window == "voice of the customer":
            shown = controller.open_voice()
        elif window == "group deep breath":
            shown = controller.open_breath()
        elif window == "checklists editor":
            shown = controller.open_checklists()
        elif window == "settings":
            shown = controller.open_settings()
        elif window == "my day":
            shown = controller.open_my_day()
        elif window == "my week":
            shown = controller.open_my_day("week")
        elif window == "delete my data":
            before.confirm_delete()  # type: ignore[union-attr]
            shown = before.delete_dialog  # type: ignore[union-attr]
        elif window == "in-call panel":
            controller.start_call("BENCH")
            shown = controller.windows["checklist_panel"]
        elif window == "outcome step and reset offer":
            controller.end_call(True)
            shown = controller.windows["checklist_panel"]
        elif window == "reset":
            shown = controller.open_reset(1, None, "tray")
        else:
            raise SystemExit(f"unknown window {window!r}")
        shown.grab()  # laid out and painted once
        app.processEvents()
        elapsed = (time.perf_counter() - start) * 1000
        controller.shutdown()
    db.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", action="append", choices=WINDOWS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(f"{worker(args.worker, args.db):.2f}")
        return 0

    windows = args.only or list(WINDOWS)
    times: dict[str, list[float]] = {w: [] for w in windows}
    with tempfile.TemporaryDirectory(prefix="bench-windows.") as tmp:
        template = Path(tmp) / "template.sqlite"
        build(template)
        for run in range(args.runs):
            for window in windows if run % 2 == 0 else reversed(windows):
                db = Path(tmp) / f"run-{run}-{window.replace(' ', '-')}.sqlite"
                db.write_bytes(template.read_bytes())
                done = subprocess.run([sys.executable, __file__, "--worker", window, "--db", str(db)],
                                      capture_output=True, text=True, timeout=120,
                                      env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
                if done.returncode != 0:
                    print(done.stderr[-2000:], file=sys.stderr)
                    raise SystemExit(f"{window}: the worker failed ({done.returncode})")
                times[window].append(float(done.stdout.strip().splitlines()[-1]))
                print(f"run {run + 1}/{args.runs} {window}: {times[window][-1]:.1f} ms", file=sys.stderr)

    met = True
    rows = []
    for window in windows:
        values = sorted(times[window])
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        target = TARGETS.get(window, TARGET_MS)
        ok = median <= target
        met &= ok
        rows.append((window, median, p95, target, ok))
    print(f"{'window':30} {'median ms':>10} {'p95 ms':>8} {'target':>7}  met?")
    for window, median, p95, target, ok in rows:
        print(f"{window:30} {median:>10.1f} {p95:>8.1f} {target:>7.0f}  {'yes' if ok else 'NO'}")
    if args.json:
        print(json.dumps({"window_open_ms": {w: round(m, 1) for w, m, *_ in rows},
                          "window_open_ms_p95": {w: round(p, 1) for w, _, p, *_ in rows}, "runs": args.runs}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
