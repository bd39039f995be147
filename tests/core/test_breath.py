import json
from datetime import timedelta

import pytest

from companion.db.sql import new_id
from companion.errors import InvalidInput
from companion.notify.kinds import BREATH_INVITE
from companion import inbound
from companion.team.breath import HIDDEN, WINDOW
from tests.core.team_helpers import add_mates, join_hub, name_me
from tests.fakes import RecordingPresenter


@pytest.fixture
def agent(desk):
    name_me(desk, "alex")
    join_hub(desk, team="blue")
    desk.notifications.presenter = RecordingPresenter()
    return desk


def broadcast_from_lead(desk, minutes_left=10):
    """The hub delivers a lead's broadcast; the worker applies it and hands the Received to the desk."""
    now = desk.clock.now()
    record = {"id": new_id(), "kind": "broadcast", "sender": "lee", "team": "blue",
              "broadcast_kind": "deep_breath", "sent_at": (now - WINDOW + timedelta(minutes=minutes_left)).isoformat(),
              "expires_at": (now + timedelta(minutes=minutes_left)).isoformat()}
    with desk.db.session() as s:
        received = inbound.apply(s, record, "alex", now)
    desk.team_received([received])
    return record["id"]


def invitations(desk):
    return [p for p in desk.notifications.presenter.presented if p.kind == BREATH_INVITE]


def row(desk, broadcast_id):
    with desk.db.reading() as s:
        return s.get("broadcasts", broadcast_id)


def test_not_on_a_call_the_invitation_is_shown_at_once(agent):
    bid = broadcast_from_lead(agent)
    [shown] = agent.notifications.presenter.presented
    assert shown.kind == BREATH_INVITE and [a.label for a in shown.actions] == ["Join", "Not now"]
    assert shown.payload["broadcast_id"] == bid
    assert row(agent, bid).invited_at == agent.clock.now()


def test_the_hourly_cap_does_not_hold_an_invitation(agent):
    agent.save_settings(agent.settings().with_changes(notifications_per_hour=1))
    agent.notifications.post("info", "one", "x")
    agent.notifications.post("info", "two", "held by the cap")
    broadcast_from_lead(agent)
    assert len(agent.notifications.presenter.presented) == 1


def test_on_a_call_it_is_shown_when_the_call_ends_inside_the_window(agent, clock):
    agent.start_call("4711")
    bid = broadcast_from_lead(agent)
    assert agent.notifications.presenter.presented == []
    clock.advance(9 * 60)
    agent.end_call()
    [shown] = invitations(agent)
    assert shown.payload["broadcast_id"] == bid and row(agent, bid).response is None


def test_on_a_call_past_the_window_it_is_recorded_as_missed(agent, clock):
    agent.start_call("4711")
    bid = broadcast_from_lead(agent)
    clock.advance(10 * 60 + 1)
    agent.end_call()
    assert invitations(agent) == []
    assert row(agent, bid).response == "missed"
    with pytest.raises(InvalidInput, match="already answered"):
        agent.join_breath(bid)


def test_an_invitation_that_arrives_after_its_window_is_missed(agent):
    now = agent.clock.now()
    record = {"id": new_id(), "kind": "broadcast", "sender": "lee", "team": "blue", "broadcast_kind": "deep_breath",
              "sent_at": (now - timedelta(minutes=20)).isoformat(), "expires_at": (now - timedelta(minutes=10)).isoformat()}
    with agent.db.session() as s:
        received = inbound.apply(s, record, "alex", now)
    agent.team_received([received])
    assert agent.notifications.presenter.presented == [] and row(agent, record["id"]).response == "missed"


def test_join_records_sends_breath_join_and_starts_a_group_reset(agent):
    bid = broadcast_from_lead(agent)
    agent.join_breath(bid)
    session = agent.start_reset(1, None, "group_breath")
    assert session.trigger == "group_breath" and session.planned_seconds == 60
    assert row(agent, bid).response == "joined"
    with agent.db.reading() as s:
        [item] = s.all("SELECT * FROM outbox WHERE kind = ?", ("breath_join",))
    assert json.loads(item.payload)["broadcast_id"] == bid


def test_decline_and_join_after_the_window(agent, clock):
    first = broadcast_from_lead(agent)
    agent.breath.decline(first)
    assert row(agent, first).response == "declined"
    second = broadcast_from_lead(agent, minutes_left=2)
    clock.advance(3 * 60)
    with pytest.raises(InvalidInput, match="has ended"):
        agent.join_breath(second)
    assert row(agent, second).response == "missed"


def test_cannot_join_during_a_call(agent):
    bid = broadcast_from_lead(agent)
    agent.start_call()
    with pytest.raises(InvalidInput, match="on a call"):
        agent.join_breath(bid)
    assert row(agent, bid).response is None


def test_only_a_lead_on_a_hub_sends(desk):
    name_me(desk, "lee")
    with pytest.raises(InvalidInput, match="Only a team lead"):
        desk.breath.send()
    join_hub(desk, lead=False)
    with pytest.raises(InvalidInput, match="Only a team lead"):
        desk.breath.send()


def test_lead_sends_and_sees_the_count_only_with_five_or_more(desk, clock):
    name_me(desk, "lee")
    join_hub(desk, team="blue", lead=True)
    bid = desk.breath.send()
    with desk.db.reading() as s:
        [item] = s.all("SELECT * FROM outbox")
    record = json.loads(item.payload)
    assert record["kind"] == "broadcast" and record["broadcast_kind"] == "deep_breath"
    assert record["expires_at"] == (clock.now() + WINDOW).isoformat()
    with desk.db.session() as s:
        inbound.apply_roster(s, [{"name": n, "display_name": n, "team": "blue", "is_lead": n == "lee"}
                                 for n in ("lee", "ann", "bob", "cat")])
        from companion.team.breath import record_joined_count
        record_joined_count(s, bid, 3)
    assert desk.breath.last_sent().joined == HIDDEN == "fewer than 5 in the team: count hidden"
    with desk.db.session() as s:
        inbound.apply_roster(s, [{"name": n, "display_name": n, "team": "blue", "is_lead": n == "lee"}
                                 for n in ("lee", "ann", "bob", "cat", "dan")])
    assert desk.breath.last_sent().joined == "3 joined"
    assert desk.notifications.history() == []  # the lead's own broadcast is no invitation


def test_a_lead_on_a_four_person_hub_team_with_local_extras_still_hides(desk):
    name_me(desk, "lee")
    join_hub(desk, team="blue", lead=True)
    add_mates(desk, "x1", "x2", "x3", "x4", "x5")  # hand-typed: no team
    desk.breath.send()
    assert desk.breath.last_sent().joined == HIDDEN


def test_received_notifications_are_held_during_a_call(agent, notifier, clock):
    add_mates(agent, "dana")
    agent.start_call("4711")
    record = {"id": new_id(), "kind": "kudos", "sender": "dana", "team": "blue", "recipient": "alex",
              "category": "responding", "message": "You were so calm with that caller", "call_ref": None,
              "sent_at": clock.now().isoformat()}
    with agent.db.session() as s:
        received = inbound.apply(s, record, "alex", clock.now())
    agent.team_received([received])
    assert notifier.shown == []
    with agent.db.reading() as s:
        [note] = s.all("SELECT * FROM notifications")
    assert note.held_reason == "call"
    agent.end_call()
    assert notifier.shown == [("Kudos from Dana: Responding with care", "You were so calm with that caller")]


def test_hold_for_call_holds_only_open_unanswered_invitations(agent, clock):
    # review of the merged app (finding 11): the ui hands over the invitations whose cards it closed
    open_one, answered, lapsing = broadcast_from_lead(agent), broadcast_from_lead(agent), broadcast_from_lead(agent, 1)
    ids = {p.payload["broadcast_id"]: p.id for p in invitations(agent)}
    agent.breath.decline(answered)
    agent.start_call("4711")
    info = agent.notifications.post("info", "not an invitation", "x")
    assert agent.breath.hold_for_call([ids[open_one], ids[answered], ids[lapsing], info]) == 2
    clock.advance(120)  # the 1-minute one lapsed during the call
    agent.end_call()
    shown_again = [p.payload["broadcast_id"] for p in invitations(agent)][3:]
    assert shown_again == [open_one]
    assert (row(agent, open_one).response, row(agent, answered).response, row(agent, lapsing).response) == \
        (None, "declined", "missed")
