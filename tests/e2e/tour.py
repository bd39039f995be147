"""Shared by the AT-SPI walk (tests/e2e/test_accessibility.py) and the screenshot script (tests/e2e/screenshots.py):
a data folder whose agent is a team lead, so every window of the app exists (the group deep breath, the hub
secret prompt, the lead's box on the huddle board)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from tests.process import COMPANION

LEAD = {"url": "postgresql://127.0.0.1:9/hub", "user": "lena", "team": "blue", "lead": True}


def seed_lead(data: Path) -> None:
    """A data folder whose agent is the lead of a team hub (nothing listens on the hub's port: offline)."""
    done = subprocess.run([COMPANION, "migrate", "--data-dir", str(data)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(data / "companion.sqlite")
    try:
        with con:
            con.execute('INSERT INTO settings ("key", value, updated_at) VALUES (?, ?, ?)',
                        ("state.team.hub", json.dumps(LEAD), datetime.now(timezone.utc).isoformat(" ")))
    finally:
        con.close()


