"""How long the app's part of "send kudos in under three seconds" takes: opening the dialog (first and
repeated), completing two letters against the roster, and storing a kudos, with a large roster.

    .venv/bin/python bench/kudos.py [--roster 300] [--runs 20]

Offscreen Qt, a throwaway database. A measurement, not a test: pytest never runs it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roster", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(lambda kind, ctx, msg: None if "propagateSizeHints" in msg else print(msg))
    app = QApplication([])
    from companion.clock import SystemClock
    from companion.db.engine import open_database
    from companion.desk import Desk
    from companion.notify.base import NotifierChain
    from ui.windows.kudos import KudosDialog

    class Quiet:
        name = "quiet"

        def notify(self, title: str, body: str) -> None:
            pass

    folder = tempfile.mkdtemp(prefix="kudos-bench-")
    db = open_database(Path(folder) / "companion.sqlite")
    desk = Desk(db, SystemClock(), NotifierChain([Quiet()]))
    desk.set_agent_name("alex")
    desk.save_settings(desk.settings().with_changes(kudos_daily_cap=50))
    for i in range(args.roster):
        desk.roster.add_local(f"agent{i:04d}", f"Agent Number {i}")

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        return (time.perf_counter() - start) * 1000

    opens, completes, sends = [], [], []
    for run in range(args.runs):
        holder = {}
        opens.append(timed(lambda: (holder.setdefault("d", KudosDialog(desk, desk.kudos_call_ref())).show(),
                                    app.processEvents())))
        dialog = holder["d"]
        completes.append(timed(lambda: (dialog.completer.setCompletionPrefix("r 12"),
                                        dialog.completer.completionCount())))
        if run < 50:
            sends.append(timed(lambda: desk.kudos.send(f"agent{run:04d}", "helping", "Thanks for the cover")))
        dialog.close()
    print(f"roster {args.roster}, {args.runs} runs (ms): dialog first open {opens[0]:.1f}, "
          f"then median {statistics.median(opens[1:]):.1f}; completion median {statistics.median(completes):.2f}; "
          f"send median {statistics.median(sends):.1f}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
