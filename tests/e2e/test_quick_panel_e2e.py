"""The tray's quick panel on a real X desktop (tint2): a left click opens it beside the icon, and the default
1-minute breath is one more key press (or click) away."""
from __future__ import annotations

import pytest

from tests.e2e.agents import Agent, check_picture, settle
from tests.e2e.conftest import ARTIFACTS

PANEL = "^Agent Companion — Quick actions$"


@pytest.fixture
def agent(desktop, tmp_path):
    started = Agent(desktop, tmp_path / "agent", "A").start()
    try:
        yield started
    finally:
        code = started.stop()
    assert code == 0, started.output_text()
    assert "Traceback" not in started.output_text(), started.output_text()


def test_left_click_opens_the_quick_panel_and_enter_starts_the_breath(desktop, agent):
    agent.click_tray_icon(button=1)
    panel = agent.window_titled(PANEL)
    where, icon = agent.geometry(panel), agent.tray_icon()
    assert where.width >= 200 and where.height >= 150
    settle()
    shot = agent.screenshot(panel, ARTIFACTS / "quick-panel.png")
    check_picture(shot, min_size=(200, 150))

    agent.press("Escape")  # Esc closes it, nothing else happens
    desktop.wait_for(lambda: not agent.windows_titled(PANEL), timeout=10, message="Esc did not close the panel")
    assert agent.status() == "Ready"

    agent.click_tray_icon(button=1)
    agent.window_titled(PANEL)
    agent.press("Return")  # Breathe has the focus: the second action of "two clicks"
    agent.window_titled("— Reset: ")
    desktop.wait_for(lambda: agent.status() == "Taking a reset", timeout=10, message="no reset started")
    assert not agent.windows_titled(PANEL)  # a choice closes the panel
    assert icon.window == agent.tray_icon().window
    agent.press("Escape")  # the reset window has the keyboard: Esc ends the breath
    desktop.wait_for(lambda: agent.status() == "Ready", timeout=10, message="Esc did not end the reset")
    assert agent.query("SELECT trigger, planned_seconds FROM resets") == [("tray", 60)]
