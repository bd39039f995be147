import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from companion.errors import InvalidInput
from companion.kudos.categories import CATEGORIES, category
from companion.kudos.service import local_midnight_after
from companion.team.identity import NameNeeded
from tests.core.team_helpers import add_mates, join_hub, name_me


@pytest.fixture
def team(desk):
    name_me(desk, "alex")
    add_mates(desk, "dana", "sam", "kim")
    return desk


def rows(db, table):
    with db.reading() as s:
        return s.all(f"SELECT * FROM {table}")


def test_five_heart_categories_with_names_and_descriptions():
    assert [c.key for c in CATEGORIES] == ["helping", "exceeding", "achieving", "responding", "teamwork"]
    assert [c.name for c in CATEGORIES] == ["Helping others", "Exceeding expectations", "Achieving goals",
                                            "Responding with care", "Thriving through teamwork"]
    assert all(c.description.endswith(".") for c in CATEGORIES)
    with pytest.raises(InvalidInput, match="Unknown kudos category"):
        category("brave")


def test_send_stores_plain_text_and_stays_local_without_a_hub(team, db, clock):
    sent = team.kudos.send("dana", "helping", "  Thanks for <b>covering</b> my queue!  ", "4711")
    assert sent.message == "Thanks for <b>covering</b> my queue!"  # trimmed, never interpreted
    [row] = rows(db, "kudos")
    assert (row.sender, row.recipient, row.category, row.call_ref, row.sent_at) == (
        "alex", "dana", "helping", "4711", clock.now())
    assert rows(db, "outbox") == []  # alone: nothing is enqueued
    assert [k.id for k in team.kudos.feed()] == [sent.id]


def test_with_a_hub_the_outbox_gets_the_wire_record_in_the_same_transaction(team, db):
    join_hub(team, team="blue")
    sent = team.kudos.send("dana", "teamwork", "Great huddle")
    [item] = rows(db, "outbox")
    record = json.loads(item.payload)
    assert item.kind == "kudos" and item.record_id == sent.id
    assert record == {"id": sent.id, "kind": "kudos", "sender": "alex", "team": "blue", "recipient": "dana",
                      "category": "teamwork", "message": "Great huddle", "call_ref": None,
                      "sent_at": sent.sent_at.isoformat()}


def test_a_refused_kudos_leaves_neither_row_nor_outbox_item(team, db):
    join_hub(team)
    with pytest.raises(InvalidInput):
        team.kudos.send("dana", "helping", "x" * 281)
    assert rows(db, "kudos") == [] and rows(db, "outbox") == []


def test_no_self_kudos(team):
    with pytest.raises(InvalidInput, match="cannot send kudos to yourself"):
        team.kudos.send("alex", "helping", "me, me, me")


@pytest.mark.parametrize("message, reason", [
    ("", "empty"), ("   ", "empty"), ("x" * 281, "281 characters long; at most 280"),
    ("pay 4111 1111 1111 1111", "card number"), ("bell\x07", "control characters"),
    ("\u202eevil", "text-direction override"),
])
def test_message_rules(team, message, reason):
    with pytest.raises(InvalidInput, match=reason):
        team.kudos.send("dana", "helping", message)


def test_280_characters_fit(team):
    assert len(team.kudos.send("dana", "helping", "y" * 280).message) == 280


def test_call_ref_is_checked_too(team):
    with pytest.raises(InvalidInput, match="call reference"):
        team.kudos.send("dana", "helping", "ok", "<script>")
    with pytest.raises(InvalidInput, match="card number"):
        team.kudos.send("dana", "helping", "ok", "4111111111111111")


def test_unknown_recipient_and_category(team):
    with pytest.raises(InvalidInput, match="not on your team roster"):
        team.kudos.send("zoe", "helping", "hi")
    with pytest.raises(InvalidInput, match="Unknown kudos category"):
        team.kudos.send("dana", "kindness", "hi")
    with pytest.raises(InvalidInput, match="recipient must be"):
        team.kudos.send("Dana Scully", "helping", "hi")


def test_name_is_needed_first(desk):
    add_mates(desk, "dana")
    with pytest.raises(NameNeeded):
        desk.kudos.send("dana", "helping", "hi")
    desk.set_agent_name("alex")
    assert desk.kudos.send("dana", "helping", "hi").sender == "alex"


def test_daily_cap_says_when_it_resets_and_resets_at_local_midnight(team, clock):
    team.save_settings(team.settings().with_changes(kudos_daily_cap=2))
    team.kudos.send("dana", "helping", "one")
    team.kudos.send("sam", "helping", "two")
    with pytest.raises(InvalidInput) as refused:
        team.kudos.send("kim", "helping", "three")
    midnight = local_midnight_after(clock.now())
    assert "daily limit" in str(refused.value) and f"{midnight:%H:%M} local time" in str(refused.value)
    clock.advance((midnight - clock.now()).total_seconds() + 1)
    assert team.kudos.send("kim", "helping", "three").recipient == "kim"


def test_cap_setting_bounds(desk):
    assert desk.settings().kudos_daily_cap == 10
    for bad in (0, 51):
        with pytest.raises(InvalidInput, match="between 1 and 50"):
            desk.settings().with_changes(kudos_daily_cap=bad)


def receive(desk, sender, category_key, message, sent_at, recipient="alex"):
    with desk.db.session() as s:
        s.insert("kudos", {"sender": sender, "recipient": recipient, "category": category_key, "message": message,
                           "sent_at": sent_at, "received_at": sent_at})


def test_inbox_unread_and_mark_read(team, clock):
    receive(team, "dana", "helping", "thanks", clock.now())
    receive(team, "sam", "achieving", "nice", clock.now() + timedelta(minutes=1))
    receive(team, "sam", "achieving", "not mine", clock.now(), recipient="kim")
    assert [k.message for k in team.kudos.inbox()] == ["nice", "thanks"]
    assert team.kudos.unread_count() == 2 and team.status()["unread_kudos"] == 2
    first = team.kudos.inbox()[0].id
    assert team.kudos.mark_read([first]) == 1 and team.kudos.unread_count() == 1
    assert team.kudos.mark_read() == 1 and team.kudos.unread_count() == 0


def test_feed_is_this_week_only_and_service_stars_show_every_tie(team, clock):
    now = clock.now()
    receive(team, "dana", "helping", "a", now, recipient="sam")
    receive(team, "kim", "helping", "b", now, recipient="sam")
    receive(team, "sam", "helping", "c", now, recipient="kim")
    receive(team, "alex", "helping", "d", now, recipient="kim")
    receive(team, "dana", "teamwork", "e", now, recipient="kim")
    receive(team, "dana", "teamwork", "old", now - timedelta(days=8), recipient="kim")
    assert sorted(k.message for k in team.kudos.feed()) == ["a", "b", "c", "d", "e"]
    stars = {s.category.key: (s.names, s.count) for s in team.kudos.service_stars()}
    assert stars == {"helping": (("kim", "sam"), 2), "teamwork": (("kim",), 1)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=400), st.text(max_size=50).map(lambda t: (t * 10_000)[:10_000]),
                 st.sampled_from(["<b>x</b>", "<script>alert(1)</script>", "\u202eoops", "a\x00b", "\r\n",
                                  "&lt;i&gt;", "\u2067rtl\u2069", "x" * 10_000])))
def test_any_message_is_refused_clearly_or_stored_as_typed(team, message):
    before = len(team.kudos.feed())
    try:
        sent = team.kudos.send("dana", "helping", message)
    except InvalidInput as exc:
        assert str(exc) and len(str(exc)) < 300
        assert len(team.kudos.feed()) == before
        return
    assert sent.message == message.strip()
    stored = next(k for k in team.kudos.feed() if k.id == sent.id)
    assert stored.message == message.strip()
    with team.db.session() as s:  # keep under the daily cap for the next example
        s.execute("DELETE FROM kudos")


@pytest.fixture
def auckland(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Pacific/Auckland")  # 09:00 UTC is 22:00 there (NZDT, +13)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_cap_follows_local_midnight_not_utc(team, clock, auckland):
    team.save_settings(team.settings().with_changes(kudos_daily_cap=1))
    team.kudos.send("dana", "helping", "late shift thanks")
    with pytest.raises(InvalidInput, match=r"resets at midnight \(00:00 local time, 2 h 0 min from now\)"):
        team.kudos.send("sam", "helping", "one more")
    clock.advance(2 * 3600 + 60)  # 00:01 in Auckland, still 11:01 the same day in UTC
    assert team.kudos.send("sam", "helping", "new day").recipient == "sam"


def test_on_a_hub_an_unknown_recipient_is_not_on_the_hubs_roster(team):
    """The Settings roster is read-only on a hub: the refusal must not send the agent there."""
    from tests.core.team_helpers import join_hub

    join_hub(team)
    with pytest.raises(InvalidInput, match="not on your team hub's roster") as refused:
        team.kudos.send("zoe", "helping", "hi")
    assert "Settings" not in str(refused.value)


def test_restore_local_brings_back_the_hand_typed_roster_after_a_hub(team):
    from companion import inbound

    team.roster.add_local("jo", "Jo")
    hand_typed = {m.name for m in team.roster.mates() if m.source == "local"}
    assert "jo" in hand_typed and "dana" in hand_typed
    with team.db.session() as s:  # a hub roster arrives: hand-typed entries become inactive (dana is taken over)
        inbound.apply_roster(s, [{"name": "dana", "display_name": "Dana", "team": "blue", "is_lead": False}])
    assert team.roster.find("jo") is None
    assert team.roster.restore_local() == len(hand_typed) - 1
    assert team.roster.find("jo") is not None and team.roster.find("dana") is not None
