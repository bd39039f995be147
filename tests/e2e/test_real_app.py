"""The real `companion` on a real (virtual) desktop: tray host, notification daemon, CLI over the socket."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.process import COMPANION, mapped_packages, wait_for_line

WELCOME = "Agent Companion is in your tray"


@pytest.fixture
def app(desktop, tmp_path):
    data = tmp_path / "agent"
    ready = tmp_path / "ready"
    env = {**desktop.env, "COMPANION_READY_FILE": str(ready)}
    log = open(tmp_path / "app.out", "w")
    proc = subprocess.Popen([COMPANION, "--data-dir", str(data)], env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_line(ready, "services-ready")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([COMPANION, *args, "--data-dir", str(data)], env=env, capture_output=True,
                              text=True, timeout=30)

    proc.cli = cli  # type: ignore[attr-defined]
    proc.data = data  # type: ignore[attr-defined]
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    log.close()
    output = (tmp_path / "app.out").read_text()
    assert "Traceback" not in output, output


def window_ids(desktop, name: str) -> list[str]:
    res = desktop.run(["xdotool", "search", "--onlyvisible", "--name", name])
    return res.stdout.split()


def image_stddev(path: Path) -> float:
    out = subprocess.run(["convert", str(path), "-colorspace", "Gray", "-format", "%[fx:standard_deviation]",
                          "info:"], capture_output=True, text=True, timeout=30)
    return float(out.stdout.strip())


def test_tray_icon_notifications_call_and_reset(desktop, app):
    # The tray icon is embedded in the XEmbed tray host.
    desktop.wait_for(lambda: desktop.has_tray_icon(app.pid), timeout=10)

    # The first-run notification went through plyer/notify-send and reached the daemon.
    note = desktop.wait_for_notification(predicate=lambda n: n["summary"] == WELCOME
                                         and n["appname"] == "Agent Companion", timeout=10)
    assert note["error"] is None and note["id"]
    assert note["timeout"] == 10_000 and note["icon"].endswith("agent-companion.svg")  # it goes away by itself

    # A call through the CLI, as a softphone would drive it.
    started = app.cli("call", "start", "--ref", "E2E-4711")
    assert started.returncode == 0, started.stderr
    assert app.cli("status").stdout.strip() == "On a call (E2E-4711)"
    refused = app.cli("reset")
    assert refused.returncode == 1 and "on a call" in refused.stderr
    time.sleep(1.2)
    ended = app.cli("call", "end", "--tough")
    assert ended.returncode == 0 and "A reset was offered." in ended.stdout

    # The offer is part of the checklist panel's outcome step (one card, one place): no second card.
    desktop.wait_for(lambda: window_ids(desktop, "Moment of Truth"), timeout=10)
    time.sleep(0.5)
    assert not window_ids(desktop, "Take a 60-second reset?")
    desktop.screenshot(ARTIFACTS / "panel-outcome-with-offer.png")

    # A reset through the CLI opens the reset window.
    assert app.cli("reset", "--minutes", "1", "--pattern", "478").returncode == 0
    desktop.wait_for(lambda: window_ids(desktop, "Agent Companion — Reset: 4-7-8 breathing"), timeout=10)
    time.sleep(1.5)
    shot = desktop.screenshot(ARTIFACTS / "reset-window.png")
    assert shot.stat().st_size > 10_000 and image_stddev(shot) > 0.05  # a real picture, not a blank screen
    assert app.cli("status").stdout.strip() == "Taking a reset"
    # A call, a reset, notifications and history all ran without loading SQLAlchemy (idle memory, issue 2).
    assert mapped_packages(app.pid) == []

    # Quit (SIGTERM) records the running reset as ended early and closes the database cleanly.
    app.send_signal(signal.SIGTERM)
    assert app.wait(15) == 0
    desktop.wait_for(lambda: not desktop.has_tray_icon(app.pid), timeout=10)

    con = sqlite3.connect(app.data / "companion.sqlite")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ref, handle, tough = con.execute("SELECT ref, handle_seconds, tough FROM calls").fetchone()
        assert (ref, tough) == ("E2E-4711", 1) and handle >= 1.0
        assert con.execute("SELECT trigger, pattern, planned_seconds, outcome FROM resets").fetchall() == [
            ("cli", "478", 60, "ended_early")]
        kinds = dict(con.execute("SELECT kind, shown_via FROM notifications").fetchall())
        assert kinds == {"info": "plyer", "reset_offer": "toast"}
    finally:
        con.close()
    assert os.stat(app.data / "companion.sqlite").st_mode & 0o777 == 0o600


def test_second_launch_brings_the_running_one_forward(desktop, app):
    other = subprocess.run([COMPANION, "--data-dir", str(app.data)], env=desktop.env, capture_output=True,
                           text=True, timeout=30)
    assert other.returncode == 0 and "already running" in other.stdout
    desktop.wait_for(lambda: window_ids(desktop, "Agent Companion — My day"), timeout=10)
    assert app.poll() is None


def test_without_a_notification_daemon_the_tray_balloon_takes_over(tmp_path):
    """No daemon on the bus: plyer cannot deliver (notify-send fails silently), so the chain falls
    through to the tray balloon; the notification is stored as shown by the tray."""
    from tests.e2e.desktop import HeadlessDesktop

    quiet = HeadlessDesktop().start(tray="tint2", wm=True, dunst=False)
    data, ready = tmp_path / "agent", tmp_path / "ready"
    proc = subprocess.Popen([COMPANION, "--data-dir", str(data)], env={**quiet.env, "COMPANION_READY_FILE": str(ready)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(ready, "services-ready")
        quiet.wait_for(lambda: quiet.has_tray_icon(proc.pid), timeout=10)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        proc.stderr.close()
        quiet.stop()
    con = sqlite3.connect(data / "companion.sqlite")
    try:
        assert con.execute("SELECT title, shown_via FROM notifications").fetchall() == [
            ("Agent Companion is in your tray", "tray")]
    finally:
        con.close()
    assert "notification backend plyer failed" in (data / "companion.log").read_text()
