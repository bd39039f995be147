"""Start a built Agent Companion on a throwaway headless desktop and check it really runs as a tray app.

    .venv/bin/python scripts/frozen_smoke.py dist/agent-companion/companion

`companion self-test` proves the database, migrations, resources, notifications and keyring without Qt; this
proves the Qt side of the frozen folder (platform plugin, SVG icons, local socket): the app starts on Xvfb with
a window manager, an XEmbed tray host and a notification daemon (tests/e2e/desktop.py), writes tray-shown and
services-ready, its icon is embedded in the tray, its first-run notification reaches the daemon, `companion
status` answers over the local socket, and SIGTERM ends it with exit status 0. Then it starts the app on a copy
of the oldest released database (tests/db/samples): the frozen `companion migrate` child upgrades it and the
tray process never maps SQLAlchemy. Exit status 0 ok, 1 failed.
"""
from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.desktop import DesktopError, HeadlessDesktop  # noqa: E402
from tests.process import wait_for_line  # noqa: E402


def start(exe: str, data: Path, env: dict, ready: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "--data-dir", str(data)], env={**env, "COMPANION_READY_FILE": str(ready)},
                                stdout=out, stderr=subprocess.STDOUT)
    wait_for_line(ready, "services-ready", timeout=60)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(30)
    if code != 0:
        raise AssertionError(f"the frozen app exited with {code} on SIGTERM")


def upgrade_an_old_database(exe: str, tmp: Path, env: dict) -> subprocess.Popen[bytes]:
    """The oldest released schema: migrated by the frozen `companion migrate` child, never in the tray."""
    from companion.db import schema

    data = tmp / "old"
    data.mkdir(mode=0o700)
    shutil.copy(ROOT / "tests" / "db" / "samples" / f"schema-{schema.REVISIONS[0]}.sqlite", data / "companion.sqlite")
    proc = start(exe, data, env, tmp / "ready-old", tmp / "out-old.log")
    con = sqlite3.connect(f"file:{data / 'companion.sqlite'}?mode=ro", uri=True)
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()
    if revision != schema.HEAD:
        raise AssertionError(f"the old database was not upgraded: schema {revision}, expected {schema.HEAD}")
    with open(f"/proc/{proc.pid}/maps", encoding="utf-8", errors="replace") as maps:
        if "sqlalchemy" in maps.read():
            raise AssertionError("the tray process loaded SQLAlchemy (the migration must run in a child)")
    return proc


def output(tmp: Path) -> str:
    """What both runs of the app printed."""
    logs = [tmp / "out.log", tmp / "out-old.log"]
    return "".join(log.read_text(errors="replace") for log in logs if log.exists())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    exe = str(Path(argv[0]).resolve())
    with tempfile.TemporaryDirectory(prefix="frozen-smoke.") as tmp, \
            HeadlessDesktop().start(tray="tint2", wm=True, dunst=True) as desktop:
        data, ready, out = Path(tmp) / "data", Path(tmp) / "ready", Path(tmp) / "out.log"
        env = dict(desktop.env)
        proc = None
        try:
            proc = start(exe, data, env, ready, out)
            desktop.wait_for(lambda: desktop.has_tray_icon(proc.pid), timeout=20,
                             message="the frozen app's icon never appeared in the tray")
            desktop.wait_for_notification("Agent Companion is in your tray", timeout=20)
            status = subprocess.run([exe, "status", "--data-dir", str(data)], env=env, capture_output=True,
                                    text=True, timeout=60)
            if status.returncode != 0 or status.stdout.strip() != "Ready":
                raise AssertionError(f"`companion status` answered {status.returncode}: {status.stdout}{status.stderr}")
            stop(proc)
            proc = upgrade_an_old_database(exe, Path(tmp), env)
            stop(proc)
        except (AssertionError, TimeoutError, DesktopError, subprocess.TimeoutExpired) as exc:
            print(f"frozen smoke test FAILED: {exc}\n--- app output ---\n{output(Path(tmp))[-3000:]}", file=sys.stderr)
            return 1
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
        text = output(Path(tmp))
        if "Traceback" in text or "Could not load the Qt platform plugin" in text:
            print(f"frozen smoke test FAILED: the app printed errors:\n{text[-3000:]}", file=sys.stderr)
            return 1
    print("frozen smoke test passed: tray icon embedded, notification delivered, local socket answered, clean exit; "
          "an old database upgraded by the migrate child, SQLAlchemy never in the tray")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
