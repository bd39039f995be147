"""The Moment of Truth checklist on a real (virtual) desktop: call start -> panel visible without taking the
softphone's keyboard -> the agent clicks into it and ticks by key -> call end -> the run is stored -> My week
shows it (the screenshot is checked for the chart's content, not just for existing)."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_real_app import app, image_stddev, window_ids  # noqa: F401 - `app` is a fixture

SOFTPHONE = """
import sys
from PySide6.QtWidgets import QApplication, QLineEdit
qt = QApplication(sys.argv[:1])
edit = QLineEdit()
edit.setWindowTitle("Softphone E2E")
edit.resize(420, 60)
edit.move(120, 320)
edit.textChanged.connect(lambda text: print("TEXT", text, flush=True))
edit.show()
qt.exec()
"""
CALLS_COLOUR = "#3b6ea8"  # ui/windows/my_week.py: the calls bars


@pytest.fixture
def softphone(desktop, tmp_path):
    out = open(tmp_path / "softphone.out", "w")
    proc = subprocess.Popen([sys.executable, "-c", SOFTPHONE], env=desktop.env, stdout=out,
                            stderr=subprocess.STDOUT, text=True)
    wid = desktop.wait_for(lambda: (window_ids(desktop, "Softphone E2E") or [None])[0], timeout=20)
    proc.wid = wid  # type: ignore[attr-defined]
    proc.output = lambda: (tmp_path / "softphone.out").read_text()  # type: ignore[attr-defined]
    yield proc
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    out.close()


def active_window(desktop) -> str:
    return desktop.run(["xdotool", "getactivewindow"]).stdout.strip()


def geometry(desktop, wid: str) -> dict[str, int]:
    out = desktop.run(["xdotool", "getwindowgeometry", "--shell", wid]).stdout
    return {k: int(v) for k, v in (line.split("=") for line in out.split() if "=" in line) if k != "SCREEN"}


def colour_pixels(path, crop: str, colour: str) -> int:
    """How many pixels of ``colour`` (within 6 %) the cropped region holds."""
    out = subprocess.run(["convert", str(path), "-crop", crop, "+repage", "-fuzz", "6%", "-fill", "black",
                          "+opaque", colour, "-fill", "white", "-opaque", colour, "-colorspace", "Gray",
                          "-format", "%[fx:round(mean*w*h)]", "info:"], capture_output=True, text=True, timeout=30)
    return int(float(out.stdout.strip()))


def test_call_panel_ticks_by_key_and_my_week_shows_the_call(desktop, app, softphone):  # noqa: F811
    desktop.wait_for(lambda: desktop.has_tray_icon(app.pid), timeout=10)
    desktop.wait_for_notification(predicate=lambda n: n["appname"] == "Agent Companion", timeout=10)
    desktop.close_all_notifications()  # the welcome bubble sits in the same corner as the panel
    desktop.run(["xdotool", "windowactivate", "--sync", softphone.wid])
    desktop.wait_for(lambda: active_window(desktop) == softphone.wid, timeout=10)

    # Call start (as the softphone would run it): the panel appears in a corner, the softphone keeps the keyboard.
    started = app.cli("call", "start", "--ref", "E2E-MOT")
    assert started.returncode == 0, started.stderr
    panel = desktop.wait_for(lambda: (window_ids(desktop, "Moment of Truth") or [None])[0], timeout=10)
    time.sleep(0.5)
    assert active_window(desktop) == softphone.wid
    desktop.run(["xdotool", "type", "--delay", "40", "12"])  # the agent keeps typing into the softphone
    desktop.wait_for(lambda: "TEXT 12" in softphone.output(), timeout=10)
    box = geometry(desktop, panel)
    assert box["X"] + box["WIDTH"] >= 1280 - 40 and box["Y"] <= 60  # top-right corner of the 1280x800 screen

    # The agent clicks into the panel: now it has the keyboard and 1 and 3 tick items 1 and 3.
    desktop.run(["xdotool", "mousemove", "--sync", str(box["X"] + 20), str(box["Y"] + 12), "click", "1"])
    desktop.wait_for(lambda: active_window(desktop) == panel, timeout=10)
    desktop.run(["xdotool", "key", "--delay", "80", "1", "3"])
    time.sleep(0.5)
    ended = app.cli("call", "end")
    assert ended.returncode == 0, ended.stderr
    time.sleep(0.3)
    desktop.run(["xdotool", "key", "Escape"])  # the outcome step: save as it is

    con = sqlite3.connect(app.data / "companion.sqlite")
    try:
        ref, template, ticked, items, outcome = con.execute(
            "SELECT calls.ref, template_name, ticked_count, item_count, outcome FROM checklist_runs "
            "JOIN calls ON calls.id = checklist_runs.call_id").fetchone()
        assert (ref, template, ticked, items, outcome) == ("E2E-MOT", "Moment of Truth", 2, 8, None)
        ticks = dict(con.execute("SELECT item_key, ticked_at FROM checklist_run_items"))
        assert {k for k, v in ticks.items() if v is not None} == {"greet", "confirm-need"}
    finally:
        con.close()

    # My week (over the local socket) shows the call: the window is found by its title and its chart has
    # the calls bar in it.
    shown = app.cli("show", "--week")
    assert shown.returncode == 0 and shown.stdout.strip() == "Opening My week.", shown.stderr
    week = desktop.wait_for(lambda: (window_ids(desktop, "Agent Companion — My week") or [None])[0], timeout=20)
    time.sleep(1.5)
    shot = desktop.screenshot(ARTIFACTS / "my-week.png")
    win = geometry(desktop, week)
    window_crop = f"{win['WIDTH']}x{win['HEIGHT']}+{win['X']}+{win['Y']}"
    chart_crop = f"{win['WIDTH'] // 2}x{win['HEIGHT'] * 2 // 3}+{win['X']}+{win['Y']}"  # the calls chart
    crop = ARTIFACTS / "my-week-window.png"
    subprocess.run(["convert", str(shot), "-crop", window_crop, "+repage", str(crop)], check=True, timeout=30)
    assert image_stddev(crop) > 0.05  # a real window, not a blank one
    assert colour_pixels(shot, chart_crop, CALLS_COLOUR) > 300  # the bar of today's call
    assert app.poll() is None


def test_cli_reset_sits_in_the_work_area_and_panel_show_brings_the_checklist_back(desktop, app, softphone):  # noqa: F811
    """`companion reset` opens the window wholly inside the screen's work area (the 30 px tint2 panel sits at
    the bottom of the 1280x800 screen); after Esc hid the call's checklist, `companion panel show` brings it
    back with the keyboard, for the same call."""
    desktop.wait_for(lambda: desktop.has_tray_icon(app.pid), timeout=10)
    desktop.wait_for_notification(predicate=lambda n: n["appname"] == "Agent Companion", timeout=10)
    desktop.close_all_notifications()  # the welcome bubble sits in the same corner as the panel
    assert app.cli("reset", "--minutes", "1").returncode == 0
    reset = desktop.wait_for(lambda: (window_ids(desktop, "Agent Companion — Reset: ") or [None])[0], timeout=10)
    time.sleep(0.5)
    box = geometry(desktop, reset)
    assert box["X"] >= 0 and box["Y"] >= 0 and box["X"] + box["WIDTH"] <= 1280, box
    assert box["Y"] + box["HEIGHT"] <= 800 - 30, box  # not under the panel
    desktop.run(["xdotool", "windowactivate", "--sync", reset])
    desktop.run(["xdotool", "key", "Escape", "Escape"])  # ends the reset, then closes the window
    desktop.wait_for(lambda: not window_ids(desktop, "Agent Companion — Reset: "), timeout=10)

    desktop.run(["xdotool", "windowactivate", "--sync", softphone.wid])
    assert app.cli("call", "start", "--ref", "E2E-SHOW").returncode == 0
    panel = desktop.wait_for(lambda: (window_ids(desktop, "Moment of Truth") or [None])[0], timeout=10)
    time.sleep(0.5)
    assert active_window(desktop) == softphone.wid  # appearing never takes the softphone's keyboard
    spot = geometry(desktop, panel)
    desktop.run(["xdotool", "mousemove", "--sync", str(spot["X"] + 20), str(spot["Y"] + 12), "click", "1"])
    desktop.wait_for(lambda: active_window(desktop) == panel, timeout=10)
    desktop.run(["xdotool", "key", "1", "Escape"])  # tick the greeting, then hide the panel
    desktop.wait_for(lambda: not window_ids(desktop, "Moment of Truth"), timeout=10)
    shown = app.cli("panel", "show")
    assert shown.returncode == 0 and shown.stdout.strip() == "The checklist panel is showing.", shown.stderr
    again = desktop.wait_for(lambda: (window_ids(desktop, "Moment of Truth") or [None])[0], timeout=10)
    desktop.wait_for(lambda: active_window(desktop) == again, timeout=10)
    desktop.run(["xdotool", "key", "3"])  # it has the keyboard: the same call's checklist
    time.sleep(0.3)
    # Dragged by its top line, it moves there (and stays inside the work area).
    before = geometry(desktop, again)
    grab_x, grab_y = before["X"] + 40, before["Y"] + 22  # on the title
    desktop.run(["xdotool", "mousemove", "--sync", str(grab_x), str(grab_y), "mousedown", "1"])
    for step in range(1, 6):
        desktop.run(["xdotool", "mousemove", "--sync", str(grab_x - 80 * step), str(grab_y + 40 * step)])
    desktop.run(["xdotool", "mouseup", "1"])
    moved = desktop.wait_for(lambda: (lambda g: g if g["X"] <= before["X"] - 300 else None)(geometry(desktop, again)),
                             timeout=10)
    assert abs(moved["Y"] - (before["Y"] + 200)) <= 10 and moved["Y"] + moved["HEIGHT"] <= 800 - 30, moved
    assert app.cli("call", "end").returncode == 0
    con = sqlite3.connect(app.data / "companion.sqlite")
    try:
        ticked = {k for k, v in con.execute("SELECT item_key, ticked_at FROM checklist_run_items") if v is not None}
    finally:
        con.close()
    assert ticked == {"greet", "confirm-need"}
    con = sqlite3.connect(app.data / "companion.sqlite")
    try:
        (saved,) = con.execute("SELECT value FROM settings WHERE key = 'state.checklist_panel.position'").fetchone()
    finally:
        con.close()
    assert '"corner": "top_right"' in saved  # where it was dropped, for the next call
    refused = app.cli("panel", "show")  # no call any more
    assert refused.returncode == 1 and "No call is in progress" in refused.stderr
