"""Three real Agent Companion instances on one real (virtual) desktop, one team on a throwaway PostgreSQL hub:
agents A and B and their lead L. Everything goes the way IT and the agents would do it:

- the hub is provisioned and every desk joined with the real CLI (``companion team init / add-agent / join``),
  the one-time secrets read from the command output and landing in the desktop's unlocked gnome-keyring, not
  in a data folder or a log;
- A sends kudos by clicking their tray icon, choosing "Send kudos…" from the real menu and typing into the
  dialog (two letters + completion, a digit for the category, the message, Enter); B's desk gets it over the
  hub and its notification reaches the notification daemon;
- L invites the team to a group deep breath from the tray; both A and B (neither of them the sender) get the
  Join / Not now card; A says Not now, B joins: a reset window opens on B's screen, the hub counts one join
  for that broadcast and L's open window shows "1 joined" (two more teammates without a desk make the team
  five, the least for which a count is shown);
- a call on A opens the Moment of Truth checklist panel, and the invitation waits for that call to end.

Every screenshot is saved under test-artifacts/e2e/ and checked for real content.
"""
from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from companion.kudos.categories import CATEGORIES
from companion.team.hub import keyring_user
from tests.e2e.agents import Agent, check_picture, pixel_signature, settle
from tests.e2e.conftest import ARTIFACTS
from tests.process import mapped_packages
from tests.team.pgcluster import Cluster

TEAM = "e2e"
HUB_DB = "e2e_team_hub"
SYNC_TIMEOUT = 60.0  # hub round trips on a busy 2-core machine: generous, and only a ceiling


@dataclass
class Member:
    agent: Agent
    user: str
    display: str
    secret: str


def shot(name: str) -> Path:
    return ARTIFACTS / f"team-hub-{name}.png"


def run_ok(agent: Agent, *args: str, input: str | None = None) -> str:
    res = agent.cli(*args, input=input)
    assert res.returncode == 0, f"companion {' '.join(args[:2])} failed ({res.returncode}):\n{res.stdout}{res.stderr}"
    return res.stdout


def one_time_secret(output: str) -> str:
    """The secret `companion team add-agent` prints on its own indented line after "One-time secret"."""
    match = re.search(r"One-time secret[^\n]*:\n\s+(\S+)\n", output)
    assert match, f"no one-time secret in the add-agent output:\n{output}"
    return match.group(1)


KEYRING_CHECK = (
    "import sys, keyring; user, secret = sys.stdin.read().split('\\n')[:2]; "
    "print(type(keyring.get_keyring()).__module__, keyring.get_password('agent-companion', user) == secret)"
)


def in_desktop_keyring(desktop, user: str, secret: str) -> bool:
    """Whether the desktop's Secret Service (the unlocked gnome-keyring) holds this secret for this entry
    (the secret goes in on stdin, never on a command line)."""
    res = desktop.run([sys.executable, "-c", KEYRING_CHECK], input=f"{user}\n{secret}\n", timeout=30)
    assert res.returncode == 0, res.stderr
    backend, found = res.stdout.split()
    assert backend == "keyring.backends.SecretService", backend
    return found == "True"


def files_containing(folder: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


@dataclass
class Team:
    database: str
    members: dict[str, Member]


@pytest.fixture
def team(desktop, pg_cluster: Cluster, tmp_path) -> Iterator[Team]:
    """The hub, provisioned by the CLI; A, B and lead L joined (before their apps start), then started."""
    database = f"{HUB_DB}_{uuid.uuid4().hex[:8]}"
    admin_url = pg_cluster.create_database(database)
    hub_url = pg_cluster.url(database)  # what agents are given: no password in it
    prefix = f"e2e{uuid.uuid4().int % 10**6:06d}_"  # login roles are cluster-wide: unique per run (digits
    # only, so "Be" completes to Ben alone)
    it = Agent(desktop, tmp_path / "it-admin", "IT")  # the admin's own shell: only the CLI, never started
    out = run_ok(it, "team", "init", admin_url)
    assert "Team hub ready" in out, out

    people = {"A": ("ana", "Ana Alvarez", False), "B": ("ben", "Ben Brooks", False), "L": ("lea", "Lea Lund", True)}
    members: dict[str, Member] = {}
    for short, display in (("cy", "Cy Carter"), ("dee", "Dee Dunn")):  # teammates without a desk here: five
        run_ok(it, "team", "add-agent", prefix + short, "--team", TEAM, "--hub", admin_url,  # in the team, so
               "--display-name", display)                                        # the lead may see a count
    for key, (short, display, lead) in people.items():
        user = prefix + short
        args = ["team", "add-agent", user, "--team", TEAM, "--hub", admin_url, "--display-name", display]
        out = run_ok(it, *args, *(["--lead"] if lead else []))
        secret = one_time_secret(out)
        agent = Agent(desktop, tmp_path / f"agent-{key}", key)
        joined = run_ok(agent, "team", "join", hub_url, "--user", user, "--secret-stdin", input=secret + "\n")
        assert f"Joined team {TEAM} as {user}" in joined, joined
        assert "Your secret is in the" in joined and "keyring" in joined, joined  # not the memory fallback
        assert secret not in joined
        assert in_desktop_keyring(desktop, keyring_user(hub_url, user), secret)
        members[key] = Member(agent, user, display, secret)

    started: list[Agent] = []
    try:
        for member in members.values():
            started.append(member.agent.start(timeout=60))
        yield Team(database, members)
    finally:
        codes = {agent.name: agent.stop() for agent in reversed(started)}
    for agent in started:
        assert codes[agent.name] == 0, f"agent {agent.name} exited with {codes[agent.name]}:\n{agent.output_text()}"
        assert "Traceback" not in agent.output_text(), agent.output_text()
    server_log = (pg_cluster.root / "server.log").read_text(errors="replace")
    for member in members.values():  # after a whole session, the secret is still only in the keyring
        assert files_containing(member.agent.folder, member.secret) == []
        assert files_containing(it.folder, member.secret) == []  # the admin's CLI only printed it
        assert member.secret not in server_log  # the hub got a SCRAM verifier, never the secret itself


def wait_active(desktop, window: int, what: str) -> None:
    desktop.wait_for(lambda: desktop.run(["xdotool", "getactivewindow"]).stdout.strip() == str(window),
                     timeout=15, message=f"{what} did not get the keyboard")


def wait_online(member: Member, others: list[Member]) -> None:
    """The desk's sync worker is connected (its log says so), the roster came down from the hub, the tray
    does not say "Team hub offline", and `companion team status` reaches the hub with the keyring's secret."""
    agent = member.agent

    def roster_in() -> bool:
        names = {row[0] for row in agent.query("SELECT name FROM teammates WHERE active = 1")}
        return {m.user for m in others} <= names

    log = agent.data / "companion.log"
    agent.desktop.wait_for(lambda: log.exists() and f"team hub connected as {member.user}" in log.read_text(),
                           timeout=SYNC_TIMEOUT, interval=0.5, message=f"agent {agent.name}: never connected "
                           f"to the hub:\n{log.read_text() if log.exists() else ''}{agent.output_text()}")
    agent.desktop.wait_for(roster_in, timeout=SYNC_TIMEOUT, interval=0.5,
                           message=f"agent {agent.name}: the team roster never came from the hub")
    agent.desktop.wait_for(lambda: not agent.status().startswith("Team hub offline"), timeout=SYNC_TIMEOUT,
                           interval=0.5, message=f"agent {agent.name}: {agent.status()}")
    status = run_ok(agent, "team", "status")
    assert "hub:     online" in status and f"user:    {member.user}" in status, status


def test_kudos_and_group_breath_between_two_agents_and_their_lead(desktop, team, pg_cluster):
    a, b, lead = team.members["A"], team.members["B"], team.members["L"]
    everyone = list(team.members.values())

    # The secrets went to the unlocked gnome-keyring of this desktop (the app reads them from there), never
    # to a data folder or a log.
    for member in everyone:
        assert files_containing(member.agent.folder, member.secret) == []
        assert member.secret not in member.agent.output_text()
    for member in everyone:
        wait_online(member, [m for m in everyone if m is not member])

    # -- A sends B kudos through the tray -------------------------------------------------------------------
    message = f"Calmed the Hendricks escalation {uuid.uuid4().hex[:8]}"  # unique: dunst merges identical ones
    menu = a.agent.open_tray_menu()
    assert "Send kudos…" in menu.entries and "Group deep breath…" not in menu.entries  # A is not a lead
    assert not menu.entries[0].startswith("Team hub offline")
    check_picture(a.agent.screenshot(menu.window, shot("A-tray-menu")), min_size=(100, 100))
    a.agent.choose("Send kudos…")
    dialog = a.agent.window_titled("^Agent Companion — Send kudos$")
    wait_active(desktop, dialog, "the kudos dialog")
    a.agent.press("B", "e")                      # two letters of "Ben Brooks": the completer pops up
    desktop.wait_for(lambda: len(a.agent.windows()) >= 2, timeout=10,  # the dialog and the completer's popup
                     message="no completion popped up for 'Be'")
    a.agent.press("Down", "Return")              # take the match
    a.agent.press("Return")                      # message still empty: on to the category
    a.agent.press("3")                           # 3 = the third H.E.A.R.T. category, then on to the message
    desktop.run(["xdotool", "type", "--delay", "30", message], check=True)
    check_picture(a.agent.screenshot(dialog, shot("A-kudos-dialog")), min_size=(250, 150))
    a.agent.press("Return")                      # send

    def sent() -> list[tuple]:
        return a.agent.query("SELECT recipient, category, message FROM kudos WHERE sender = ?", a.user)

    rows = desktop.wait_for(sent, timeout=15, message="A's kudos dialog did not send")
    category = CATEGORIES[2].key
    assert rows == [(b.user, category, message)]

    # B's desk receives it over the hub: stored, and its notification reached the daemon.
    desktop.wait_for(lambda: b.agent.query("SELECT sender, recipient, category, message FROM kudos"),
                     timeout=SYNC_TIMEOUT, interval=0.5, message="the kudos never reached B's database")
    assert b.agent.query("SELECT sender, recipient, category, message FROM kudos") == [
        (a.user, b.user, category, message)]
    note = desktop.wait_for_notification(predicate=lambda n: n["body"] == message, timeout=SYNC_TIMEOUT)
    assert note["summary"].startswith(f"Kudos from {a.display}: ") and note["error"] is None
    assert note["appname"] == "Agent Companion"
    menu = b.agent.open_tray_menu()  # B's tray counts it as new in the team feed
    assert "Team feed (1 new)" in menu.entries, menu.entries
    b.agent.press("Escape")
    # The team feed is the team's: the lead's desk has the kudos too, but only the recipient is notified.
    desktop.wait_for(lambda: lead.agent.query("SELECT recipient, read_at IS NOT NULL FROM kudos"),
                     timeout=SYNC_TIMEOUT, interval=0.5, message="the kudos never reached the lead's feed")
    assert lead.agent.query("SELECT recipient, read_at IS NOT NULL FROM kudos") == [(b.user, 1)]
    assert [n["body"] for n in desktop.notifications()].count(message) == 1

    # -- A takes a call: the Moment of Truth checklist panel opens --------------------------------------------
    desktop.close_all_notifications()  # the panel opens in the corner where dunst shows its bubbles
    run_ok(a.agent, "call", "start", "--ref", "4711")
    panel = a.agent.window_titled("— Moment of Truth$", timeout=15)
    check_picture(a.agent.screenshot(panel, shot("A-checklist-panel")), min_size=(150, 150))
    assert a.agent.status() == "On a call (4711)"

    # -- the lead invites the team to a group deep breath -----------------------------------------------------
    menu = lead.agent.open_tray_menu()
    assert "Group deep breath…" in menu.entries
    lead.agent.choose("Group deep breath…")
    breath_win = lead.agent.window_titled("^Agent Companion — Group deep breath$")
    check_picture(lead.agent.screenshot(breath_win, shot("L-group-breath-window")), min_size=(250, 100))
    wait_active(desktop, breath_win, "the group deep breath window")
    # The window opens with Close focused (Enter or Space never broadcast by accident): Tab to "Invite the
    # team now", Space presses it.
    lead.agent.press("Tab", "space")
    broadcast = desktop.wait_for(lambda: lead.agent.query("SELECT id FROM broadcasts WHERE sender = ?", lead.user),
                                 timeout=15, message="the lead's invitation was not sent")[0][0]
    sent_shot = lead.agent.screenshot(breath_win, shot("L-group-breath-sent"))  # "Last one: ... no count yet"

    # Both agents (neither of them the sender) get the Join / Not now card, an in-app toast of their own
    # (the two instances share this screen, so their cards share its corner: each is raised to be seen).
    # B is free: at once. A is on a call: A's desk has the invitation, but the card waits for the call's end.
    desktop.close_all_notifications()  # dunst's bubbles would sit over the windows photographed below
    toasts = {"B": b.agent.window_titled("^Group deep breath$", timeout=SYNC_TIMEOUT)}
    desktop.wait_for(lambda: a.agent.status() == "On a call (4711) — 1 waiting", timeout=SYNC_TIMEOUT,
                     interval=0.5, message=f"the invitation was not held for A: {a.agent.status()!r}")
    assert a.agent.query("SELECT response FROM broadcasts WHERE id = ?", broadcast) == [(None,)]
    assert a.agent.windows_titled("^Group deep breath$") == []  # no card over A's call
    run_ok(a.agent, "call", "end")
    desktop.wait_for(lambda: a.agent.status() == "Ready", timeout=15, message="A's call did not end")
    toasts["A"] = a.agent.window_titled("^Group deep breath$", timeout=15)

    def press_on_card(member: Member, button: str) -> None:
        """Click a button on the card's bottom row: Join on the left, Not now on the right."""
        toast = toasts[member.agent.name]
        card = member.agent.geometry(toast)
        x = card.width // 4 if button == "Join" else card.width * 3 // 4
        member.agent.click(toast, x, card.height - 24)

    # A says "Not now": recorded on A's desk, nothing sent to the hub.
    check_picture(a.agent.screenshot(toasts["A"], shot("A-breath-invitation")), min_size=(150, 80))
    press_on_card(a, "Not now")
    desktop.wait_for(lambda: a.agent.query("SELECT response FROM broadcasts WHERE id = ?", broadcast)
                     == [("declined",)], timeout=15, message="A's 'Not now' was not recorded")
    # B joins: a 1-minute group reset starts on B's screen.
    check_picture(b.agent.screenshot(toasts["B"], shot("B-breath-invitation")), min_size=(150, 80))
    press_on_card(b, "Join")
    reset = b.agent.window_titled("— Reset: ", timeout=15)
    settle(1.0)  # the breath is moving: let the circle grow a little
    check_picture(b.agent.screenshot(reset, shot("B-reset-window"), steady=False), min_size=(300, 300))
    assert b.agent.status() == "Taking a reset"
    wait_active(desktop, reset, "B's reset window")
    b.agent.press("Escape")  # B ends the breath
    desktop.wait_for(lambda: b.agent.status() == "Ready", timeout=15, message="Esc did not end B's reset")
    assert b.agent.query("SELECT trigger, planned_seconds, outcome FROM resets") == [
        ("group_breath", 60, "ended_early")]
    b.agent.press("Escape")  # and closes the window (it stays on top: it would cover the lead's window here)
    desktop.wait_for(lambda: reset not in {w.id for w in b.agent.windows()}, timeout=15,
                     message="a second Esc did not close B's reset window")
    assert b.agent.query("SELECT response FROM broadcasts WHERE id = ?", broadcast) == [("joined",)]
    # Kudos, checklists, a deep breath and the sync worker ran on every desk without SQLAlchemy (issue 2).
    assert {m.agent.name: mapped_packages(m.agent.pid) for m in everyone} == {m.agent.name: [] for m in everyone}

    def joins() -> int:
        return int(pg_cluster.psql(f"SELECT count(*) FROM companion.breath_joins WHERE broadcast_id = '{broadcast}'",
                                   db=team.database).strip())

    desktop.wait_for(lambda: joins() == 1, timeout=SYNC_TIMEOUT, interval=0.5,
                     message="the hub never counted B's join")
    # ... and the lead sees "1 joined" (a count, never names) in the window still open on their screen.
    desktop.wait_for(lambda: lead.agent.query("SELECT joined_count FROM broadcasts WHERE id = ?", broadcast)
                     == [(1,)], timeout=SYNC_TIMEOUT, interval=0.5, message="the lead never got the join count")
    joined_shot = shot("L-group-breath-joined")

    def window_changed() -> bool:  # the open window shows the new count at its next refresh
        return pixel_signature(lead.agent.screenshot(breath_win, joined_shot)) != pixel_signature(sent_shot)

    desktop.wait_for(window_changed, timeout=30, interval=0.5, message="the lead's window never showed the count")
    check_picture(joined_shot, min_size=(250, 100))

    # Everything each desk had for the hub was delivered (A's kudos, B's join; A's "Not now" stays local).
    for member in everyone:
        desktop.wait_for(lambda m=member: "waiting: 0 changes to send" in run_ok(m.agent, "team", "status"),
                         timeout=SYNC_TIMEOUT, interval=0.5, message=f"agent {member.agent.name}'s outbox never "
                         "drained")
    assert int(pg_cluster.psql("SELECT count(*) FROM companion.kudos", db=team.database)) == 1

