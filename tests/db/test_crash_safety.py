"""Killing the app (SIGKILL) mid-write loses nothing that was committed and never corrupts the file."""
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

WRITER = r"""
import sys
from datetime import datetime, timezone
from pathlib import Path
from companion.db.engine import open_database

db = open_database(Path(sys.argv[1]))
start = int(sys.argv[2])
for i in range(start, start + 100000):
    with db.session() as s:
        s.insert("calls", {"ref": f"r{i}", "started_at": datetime.now(timezone.utc), "handle_seconds": 1.0})
    print(f"r{i}", flush=True)  # printed only after the commit returned
"""

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_during_1000_writes_keeps_every_committed_record(tmp_path):
    path = tmp_path / "companion.sqlite"
    rng = random.Random(4711)
    committed: list[str] = []
    next_index = 0
    while len(committed) < 1000:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(next_index)], stdout=subprocess.PIPE,
                                text=True, cwd=ROOT)
        # Kill it at a random moment once it is writing (the first line means the database is open).
        first = proc.stdout.readline()
        assert first.startswith("r"), "the writer did not start"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        out = [first.strip()] + proc.stdout.read().split()
        proc.stdout.close()
        committed += [ref for ref in out if ref.startswith("r")]
        next_index += 100000
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {ref for (ref,) in con.execute("SELECT ref FROM calls")}
    finally:
        con.close()
    missing = [ref for ref in committed if ref not in stored]
    assert len(committed) >= 1000 and missing == []
