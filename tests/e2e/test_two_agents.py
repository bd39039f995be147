"""Two real Agent Companion instances, two agents, one desktop: what one agent does through the tray stays
with that agent. The frame for the team scenarios (kudos, group deep breath) of issue 5."""
from __future__ import annotations

import pytest

from tests.e2e.agents import Agent, artefact_name, check_picture, settle
from tests.e2e.conftest import ARTIFACTS


@pytest.fixture
def agents(desktop, tmp_path):
    started: list[Agent] = []
    try:
        for name in ("A", "B"):
            started.append(Agent(desktop, tmp_path / f"agent-{name}", name).start())
        yield started
    finally:
        codes = {agent.name: agent.stop() for agent in reversed(started)}
    for agent in started:
        assert codes[agent.name] == 0, f"agent {agent.name} exited with {codes[agent.name]}:\n{agent.output_text()}"
        assert "Traceback" not in agent.output_text(), agent.output_text()


def test_agent_a_starts_a_breath_from_the_tray_menu_and_agent_b_is_left_alone(desktop, agents):
    a, b = agents
    icon_a, icon_b = a.tray_icon(), b.tray_icon()
    assert icon_a.window != icon_b.window  # each instance has its own icon in tint2
    assert a.data != b.data and a.status() == b.status() == "Ready"

    # Agent A right-clicks their own icon: the tray menu opens and shows real text.
    menu = a.open_tray_menu()
    assert menu.entries[:2] == ["Reset", "Start a call"] and menu.entries[-1] == "Quit"
    assert menu.window is not None and menu.window.height > 100
    settle()
    shot = a.screenshot(menu.window, ARTIFACTS / "two-agents-A-tray-menu.png")
    check_picture(shot, min_size=(100, 100))

    # ... and chooses Reset → 1-minute breath with the keyboard.
    a.choose("Reset", "1-minute breath")
    a.window_titled("— Reset: ")
    settle(1.0)  # a breath is moving: let the circle grow a little
    shot = a.screenshot_titled("— Reset: ", ARTIFACTS / f"two-agents-A-{artefact_name('reset window')}.png",
                               steady=False)  # the circle keeps moving
    check_picture(shot, min_size=(300, 300))
    assert a.status() == "Taking a reset"

    # Agent B's instance is untouched: still ready, no window of its own open, no reset recorded.
    assert b.status() == "Ready"
    assert b.windows() == []

    # The reset window has the keyboard: Esc ends the breath, which is recorded in A's database only.
    a.press("Escape")
    desktop.wait_for(lambda: a.status() == "Ready", timeout=10, message="Esc did not end agent A's reset")
    assert a.query("SELECT trigger, planned_seconds, outcome FROM resets") == [("tray", 60, "ended_early")]
    assert b.query("SELECT count(*) FROM resets") == [(0,)] and b.status() == "Ready"
