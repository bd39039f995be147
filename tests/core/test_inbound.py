import logging
import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from companion.db.sql import new_id
from companion import inbound
from tests.core.team_helpers import add_mates, name_me
from tests.fakes import START


def kudos(**over):
    return {"id": new_id(), "kind": "kudos", "sender": "dana", "team": "blue", "recipient": "alex",
            "category": "helping", "message": "Thanks for the cover", "call_ref": "4711",
            "sent_at": START.isoformat(), **over}


def obstacle(**over):
    return {"id": new_id(), "kind": "obstacle", "sender": "dana", "team": "blue", "anonymous": False,
            "category": "tools", "text": "CRM slow", "logged_at": START.isoformat(), **over}


def apply(db, record, me="alex"):
    with db.session() as s:
        return inbound.apply(s, record, me, START)


def count(db, table):
    with db.reading() as s:
        return s.scalar(f"SELECT count(*) FROM {table}")


def test_kudos_for_me_is_received_and_unread(desk, db):
    name_me(desk)
    record = kudos()
    got = apply(db, record)
    assert got == inbound.Received("kudos", record["id"], "dana",
                                   {"category": "helping", "message": "Thanks for the cover", "call_ref": "4711"})
    assert desk.kudos.unread_count() == 1 and desk.kudos.inbox()[0].message == "Thanks for the cover"


def test_kudos_for_someone_else_lands_in_the_feed_quietly(desk, db):
    name_me(desk)
    assert apply(db, kudos(recipient="sam")) is None
    assert [k.recipient for k in desk.kudos.feed()] == ["sam"] and desk.kudos.unread_count() == 0


@pytest.mark.parametrize("make", [
    lambda: kudos(), lambda: obstacle(), lambda: obstacle(anonymous=True, sender=None),
    lambda: {"id": new_id(), "kind": "broadcast", "sender": "lee", "team": "blue", "broadcast_kind": "deep_breath",
             "sent_at": START.isoformat(), "expires_at": (START + timedelta(minutes=10)).isoformat()},
])
def test_applying_twice_changes_nothing(db, make):
    record = make()
    first = apply(db, record)
    before = {table: count(db, table) for table in ("kudos", "obstacles", "broadcasts")}
    assert apply(db, record) is None
    assert {table: count(db, table) for table in ("kudos", "obstacles", "broadcasts")} == before
    assert first is None or first.record_id == record["id"]


def test_vote_idempotent_and_once_per_voter(db):
    target = obstacle()
    apply(db, target)
    vote = {"id": new_id(), "kind": "obstacle_vote", "sender": "sam", "team": "blue", "obstacle_id": target["id"]}
    assert apply(db, vote) is None and apply(db, vote) is None
    assert apply(db, {**vote, "id": new_id()}) is None  # the same voter again under another id
    assert count(db, "obstacle_votes") == 1


def test_reply_to_my_obstacle_tells_me_once(desk, db):
    name_me(desk)
    mine = desk.obstacles.log("rights", "No refund rights")
    reply = {"id": new_id(), "kind": "obstacle_reply", "sender": "lee", "team": "blue", "obstacle_id": mine,
             "reply": "You can refund up to €50 from Monday", "acted_at": START.isoformat()}
    got = apply(db, reply)
    assert got.kind == "obstacle_acted" and got.sender == "lee"
    assert got.data == {"reply": "You can refund up to €50 from Monday", "text": "No refund rights"}
    assert apply(db, reply) is None
    item = desk.obstacles.board()[0].items[0]
    assert (item.status, item.acted_by) == ("acted_on", "lee")


def test_reply_to_someone_elses_obstacle_updates_the_board_quietly(desk, db):
    target = obstacle()
    apply(db, target)
    reply = {"id": new_id(), "kind": "obstacle_reply", "sender": "lee", "team": "blue",
             "obstacle_id": target["id"], "reply": "Done", "acted_at": START.isoformat()}
    assert apply(db, reply) is None
    with db.reading() as s:
        assert s.get("obstacles", target["id"]).status == "acted_on"


def test_reply_from_a_known_non_lead_is_refused(desk, db, caplog):
    add_mates(desk, "sam")
    target = obstacle()
    apply(db, target)
    reply = {"id": new_id(), "kind": "obstacle_reply", "sender": "sam", "team": "blue",
             "obstacle_id": target["id"], "reply": "Done", "acted_at": START.isoformat()}
    assert apply(db, reply) is None and "not a lead" in caplog.text


def test_breath_join_and_my_own_broadcast_tell_nothing(db):
    join = {"id": new_id(), "kind": "breath_join", "sender": "sam", "team": "blue", "broadcast_id": new_id(),
            "joined_at": START.isoformat()}
    assert apply(db, join) is None
    own = {"id": new_id(), "kind": "broadcast", "sender": "alex", "team": "blue", "broadcast_kind": "deep_breath",
           "sent_at": START.isoformat(), "expires_at": (START + timedelta(minutes=10)).isoformat()}
    assert apply(db, own) is None and count(db, "broadcasts") == 1


def test_a_published_template_joins_my_list_and_is_announced_once(desk, db):
    from companion.checklists.publish import publish_record
    from companion.checklists.templates import Item, Template

    lead_copy = desk.checklists.templates.create(Template("Billing", (Item("hi", "Say hi", 15),), "Client X"))
    record = publish_record(lead_copy, sender="lee", team="blue")
    got = apply(db, record)
    assert got is not None and (got.kind, got.sender, got.data) == (inbound.TEMPLATE_PUBLISHED, "lee",
                                                                    {"name": "Billing"})
    team = [t for t in desk.checklists.templates.list() if t.source == "team"]
    assert [(t.name, t.published_by, t.read_only) for t in team] == [("Billing", "lee", True)]
    assert apply(db, record) is None  # the same publication again: nothing new, nothing announced
    desk.team_received([got])
    assert any("Billing" in n.body and n.title == "A new team checklist" for n in desk.notifications.history())


def test_a_malformed_template_is_refused_with_a_log(db, caplog):
    caplog.set_level(logging.INFO)
    record = {"id": "t-1", "kind": "template", "sender": "lee", "team": "blue", "template_id": "t",
              "name": "Moment of Truth", "version": 1, "body": {}}
    assert apply(db, record) is None and "refused a team record (kind template" in caplog.text


@pytest.mark.parametrize("record, reason", [
    ("not a dict", "JSON object"),
    ({"kind": "kudos"}, "id must be a UUID"),
    (kudos(id="42"), "not a UUID"),
    (kudos(kind="gossip"), "unknown kind"),
    (kudos(sender="dana", recipient="dana"), "self-kudos"),
    (kudos(category="brave"), "Unknown kudos category"),
    (kudos(message="x" * 281), "at most 280"),
    (kudos(message="<b>4111 1111 1111 1111</b>"), "card number"),
    (kudos(message="\u202eevil"), "direction override"),
    (kudos(sender="Robert'); DROP TABLE kudos;--"), "sender must be"),
    (kudos(sent_at="yesterday"), "ISO 8601"),
    (kudos(sent_at=12), "ISO 8601"),
    (kudos(call_ref=4711), "call_ref"),
    (obstacle(anonymous="yes"), "true or false"),
    (obstacle(anonymous=True), "no sender"),
    (obstacle(text="card 4111-1111-1111-1111"), "card number"),
    (obstacle(category="gossip"), "Choose a category"),
    ({"id": new_id(), "kind": "obstacle_vote", "sender": "sam", "obstacle_id": new_id()}, "does not know"),
    ({"id": new_id(), "kind": "obstacle_reply", "sender": "lee", "obstacle_id": new_id(), "reply": "x",
      "acted_at": START.isoformat()}, "does not know"),
    ({"id": new_id(), "kind": "broadcast", "sender": "lee", "broadcast_kind": "party",
      "sent_at": START.isoformat(), "expires_at": START.isoformat()}, "broadcast_kind"),
    ({"id": new_id(), "kind": "broadcast", "sender": "lee", "broadcast_kind": "deep_breath",
      "sent_at": START.isoformat(), "expires_at": START.isoformat()}, "after sent_at"),
])
def test_malformed_records_are_refused_with_a_logged_reason(db, caplog, record, reason):
    assert apply(db, record) is None
    assert "refused a team record" in caplog.text and reason in caplog.text
    assert sum(count(db, table) for table in ("kudos", "obstacles", "broadcasts", "obstacle_votes")) == 0


def test_a_database_error_is_logged_not_raised(db, caplog, monkeypatch):
    record = kudos()

    def boom(session, record, me, now):
        raise sqlite3.IntegrityError("constraint")

    monkeypatch.setitem(inbound._HANDLERS, "kudos", boom)
    assert apply(db, record) is None and "could not apply" in caplog.text


def test_a_failed_record_leaves_earlier_work_in_the_session_intact(db):
    good = kudos(recipient="sam")
    with db.session() as s:
        assert inbound.apply(s, good, "alex", START) is None
        assert inbound.apply(s, kudos(message=""), "alex", START) is None
    assert count(db, "kudos") == 1


# -- roster -----------------------------------------------------------------------------------------
def test_roster_apply_upserts_as_hub_and_deactivates_the_departed(desk, db):
    add_mates(desk, "dana")  # hand-typed before joining
    agents = [{"name": "dana", "display_name": "Dana Scully", "team": "blue", "is_lead": False},
              {"name": "lee", "display_name": "Lee Adama", "team": "blue", "is_lead": True}]
    with db.session() as s:
        assert inbound.apply_roster(s, agents) == 2
    mates = {m.name: m for m in desk.roster.mates()}
    assert mates["dana"].source == "hub" and mates["dana"].display_name == "Dana Scully"
    assert mates["lee"].is_lead and mates["lee"].team == "blue"
    with db.session() as s:
        inbound.apply_roster(s, agents[1:])
    assert [m.name for m in desk.roster.mates()] == ["lee"]
    assert {m.name for m in desk.roster.mates(include_inactive=True)} == {"dana", "lee"}  # never deleted


@pytest.mark.parametrize("bad", [
    "nope", {"name": "Bad Name"}, {"name": "ok_name", "display_name": "<4111 1111 1111 1111>"},
    {"name": "ok_name", "display_name": "x\x00"}, {"name": "ok_name", "is_lead": "yes"},
    {"name": "ok_name", "team": "Blue Team"},
])
def test_roster_skips_malformed_entries_and_keeps_the_rest(desk, db, caplog, bad):
    with db.session() as s:
        assert inbound.apply_roster(s, [bad, {"name": "lee", "display_name": "Lee", "team": "blue"}]) == 1
    assert [m.name for m in desk.roster.mates()] == ["lee"] and "skipped a roster entry" in caplog.text


def test_roster_that_is_not_a_list_changes_nothing(desk, db, caplog):
    add_mates(desk, "dana")
    with db.session() as s:
        assert inbound.apply_roster(s, {"name": "x"}) == 0
    assert [m.name for m in desk.roster.mates()] == ["dana"]


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=300),
                    st.sampled_from([new_id(), "dana", "alex", "helping", "tools", "deep_breath", START.isoformat(),
                                     "4111 1111 1111 1111", "<b>x</b>", "\u202e"]),
                    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(list(inbound._HANDLERS) + ["x"]),
       st.dictionaries(st.sampled_from(["id", "sender", "team", "recipient", "category", "message", "call_ref",
                                        "sent_at", "anonymous", "text", "logged_at", "obstacle_id", "reply",
                                        "acted_at", "broadcast_kind", "expires_at", "broadcast_id"]), _VALUES))
def test_any_record_is_applied_or_refused_never_raised(db, kind, fields):
    record = {**fields, "kind": kind}
    result = apply(db, record)
    assert result is None or isinstance(result, inbound.Received)
    assert apply(db, record) is None  # and applying it again changes nothing


def test_after_delete_my_data_a_full_pull_does_not_bring_my_old_records_back(desk, db):
    """The hub keeps its copies; leaving and joining again pulls everything from the start. What I deleted
    (kudos I sent or received, my signed obstacles, my +1s) stays gone; others' records and anything newer come in."""
    from companion import mydata

    name_me(desk)
    old_to_me, old_between_others = kudos(), kudos(recipient="sam")
    old_mine = obstacle(sender="alex")
    assert apply(db, old_to_me) is not None
    apply(db, old_between_others)
    apply(db, old_mine)
    assert count(db, "kudos") == 2 and count(db, "obstacles") == 1
    mydata.delete_all(db, "alex")
    with db.session() as s:  # "leave and join": the cursor is gone, everything is pulled again
        got = [inbound.apply(s, r, "alex", START) for r in (old_to_me, old_between_others, old_mine)]
    assert got == [None, None, None]
    assert count(db, "obstacles") == 0
    with db.reading() as s:
        kept = [k.recipient for k in s.all("SELECT recipient FROM kudos")]
    assert kept == ["sam"]  # the team's kudos between others are the team's, not mine
    later = START + timedelta(days=400)  # (the desk's clock has moved on too: a time ahead of it is "now")
    newer = kudos(sent_at=later.isoformat())
    with db.session() as s:
        assert inbound.apply(s, newer, "alex", later) is not None  # sent to me after the delete: arrives as usual
