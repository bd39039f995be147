"""The hub's provisioning and row-level security, against a real PostgreSQL."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from companion.errors import InvalidInput
from companion.team import hub as hubmod
from companion.team import provision
from companion.team.hub_schema import HUB_VERSION, RECORD_TABLES
from tests.team.simulated import kudos_record

NOW = datetime.now(timezone.utc)


def insert(conn, kind: str, record: dict) -> bool:
    with conn.transaction():
        return hubmod.push_record(conn, kind, record)


def refused(conn, kind: str, record: dict) -> str:
    with pytest.raises(hubmod.Rejected) as caught:
        insert(conn, kind, record)
    return str(caught.value)


def test_init_is_idempotent_and_versioned(hub):
    again = provision.init_hub(hub.admin_url)
    assert (again.before, again.after, again.changed) == (HUB_VERSION, HUB_VERSION, False)
    with hub.admin() as conn:
        assert conn.execute("SELECT array_agg(version ORDER BY version) FROM companion.hub_version").fetchone()[0] \
            == list(range(1, HUB_VERSION + 1))
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'companion'")}
        forced = {r[0] for r in conn.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE nspname = 'companion' AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity")}
    assert tables == {"hub_version", "agents", "cursor_key", "hub_settings", "team_settings", "quota",
                      "obstacle_stage", *(t for t, _f, _w in RECORD_TABLES.values())}
    assert forced == tables  # row-level security on every table, forced for the owner too
    # wellbeing never has a place on the hub
    assert not tables & {"resets", "moods", "vents", "mood", "reset_sessions"}


def test_a_new_hub_and_an_existing_agent_name_are_refused_clearly(hub, pg_cluster):
    pg_cluster.create_database("not_a_hub")
    with pytest.raises(hubmod.HubError, match="team init"):
        provision.add_agent(pg_cluster.admin_url("not_a_hub"), "someone", "red")
    hub.add("alice")
    with pytest.raises(InvalidInput, match="already exists"):
        provision.add_agent(hub.admin_url, hub.agents["alice"].name, "red")
    with pytest.raises(InvalidInput):
        provision.add_agent(hub.admin_url, "Bad Name", "red")
    with pytest.raises(InvalidInput):
        provision.add_agent(hub.admin_url, "companion_x", "<b>x</b>")


def test_secret_is_a_scram_verifier_on_the_server_and_logs_in(hub):
    alice = hub.add("alice")
    with hub.admin() as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (alice.name,)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and alice.secret not in stored
    with hub.connect(alice) as conn:
        assert hubmod.whoami(conn) == {"name": alice.name, "display_name": "Alice", "team": "red", "is_lead": False}
    with pytest.raises(hubmod.HubUnavailable) as caught:
        hubmod.connect(hub.url, user=alice.name, password="wrong" + alice.secret)
    assert alice.secret not in str(caught.value)


def test_agents_exchange_kudos_within_a_team_only(hub):
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol", team="blue")
    record = kudos_record(alice.name, bob.name, "red")
    with hub.connect(alice) as a:
        assert insert(a, "kudos", record) is True
    with hub.connect(bob) as b:
        b.execute("SET TIME ZONE 'Asia/Kolkata'")  # the wire format does not depend on the session
        got = hubmod.pull(b, hubmod.Cursor()).records
        assert [r["id"] for r in got] == [record["id"]]
        assert got[0]["sender"] == alice.name and got[0]["message"] == record["message"]
        assert got[0]["sent_at"].endswith("+00:00")
        assert datetime.fromisoformat(got[0]["sent_at"]) == datetime.fromisoformat(record["sent_at"])
        assert {a["name"] for a in hubmod.roster(b)} == {alice.name, bob.name}
    with hub.connect(carol) as c:  # another team: reads nothing of red, not even its roster
        assert hubmod.pull(c, hubmod.Cursor()).records == []
        assert c.execute("SELECT count(*) FROM companion.kudos").fetchone()[0] == 0
        assert [a["name"] for a in hubmod.roster(c)] == [carol.name]


def test_forged_sender_cross_team_and_self_kudos_are_refused(hub):
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol", team="blue")
    with hub.connect(alice) as a:
        assert "42501" in refused(a, "kudos", kudos_record(bob.name, alice.name, "red"))      # forged sender
        assert "42501" in refused(a, "kudos", kudos_record(alice.name, carol.name, "red"))    # recipient elsewhere
        assert "42501" in refused(a, "kudos", kudos_record(alice.name, carol.name, "blue"))   # into another team
        assert refused(a, "kudos", kudos_record(alice.name, alice.name, "red"))               # self-kudos
    assert hub.count("kudos") == 0


def test_nobody_updates_or_deletes_someone_elses_kudos(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    record = kudos_record(alice.name, bob.name, "red")
    with hub.connect(alice) as a:
        insert(a, "kudos", record)
    with hub.connect(bob) as b:
        for statement in ("UPDATE companion.kudos SET message = 'forged' WHERE id = %s",
                          "DELETE FROM companion.kudos WHERE id = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                b.execute(statement, (record["id"],))
    with hub.connect(alice) as a:  # not even the sender
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            a.execute("UPDATE companion.kudos SET message = 'edited' WHERE id = %s", (record["id"],))
        # re-sending the same id with other content changes nothing either
        assert insert(a, "kudos", dict(record, message="changed")) is False
    with hub.admin() as conn:
        assert conn.execute("SELECT message FROM companion.kudos").fetchall() == [(record["message"],)]


def test_the_same_record_pushed_twice_stays_one_row(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    record = kudos_record(alice.name, bob.name, "red")
    with hub.connect(alice) as a:
        assert insert(a, "kudos", record) is True
        assert insert(a, "kudos", record) is False
    with hub.connect(alice) as a:  # another session, later
        assert insert(a, "kudos", record) is False
    assert hub.count("kudos", "id = %s", (record["id"],)) == 1


def test_client_cannot_choose_its_place_in_the_feed(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.connect(alice) as a:
        insert(a, "kudos", kudos_record(alice.name, bob.name, "red"))  # takes seq 1
        forged = kudos_record(alice.name, bob.name, "red")
        with a.transaction():
            a.execute("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, sent_at, seq, tx)"
                      " VALUES (%s, %s, 'red', %s, 'helping', 'x', now(), 1, '1'::xid8)",
                      (forged["id"], alice.name, bob.name))
    with hub.admin() as conn:  # agents cannot read the stamps at all
        seq, tx = conn.execute("SELECT seq, tx::text::bigint FROM companion.kudos WHERE id = %s",
                               (forged["id"],)).fetchone()
    assert seq == 2 and tx > 1  # the trigger stamped it, whatever the client sent


def _broadcast(sender, team="red"):
    return {"id": str(uuid.uuid4()), "kind": "broadcast", "sender": sender, "team": team,
            "broadcast_kind": "deep_breath", "sent_at": NOW.isoformat(),
            "expires_at": (NOW + timedelta(minutes=10)).isoformat()}


def _template(sender, team="red"):
    return {"id": str(uuid.uuid4()), "kind": "template", "sender": sender, "team": team, "template_id": "mot",
            "name": "Moment of Truth", "version": 1, "body": {"items": ["Greet", "Listen"]}}


def _obstacle(sender, team="red", anonymous=False):
    return {"id": str(uuid.uuid4()), "kind": "obstacle", "sender": None if anonymous else sender, "team": team,
            "anonymous": anonymous, "category": "tools", "text": "I lack refund rights", "logged_at": NOW.isoformat()}


def test_only_leads_broadcast_reply_and_publish_templates(hub):
    alice, lead, other_lead = hub.add("alice"), hub.add("lea", lead=True), hub.add("olga", team="blue", lead=True)
    obstacle = _obstacle(alice.name)
    reply = {"id": str(uuid.uuid4()), "kind": "obstacle_reply", "sender": None, "team": "red",
             "obstacle_id": obstacle["id"], "reply": "Approved from Monday", "acted_at": NOW.isoformat()}
    with hub.connect(alice) as a:
        insert(a, "obstacle", obstacle)
        assert "42501" in refused(a, "broadcast", _broadcast(alice.name))
        assert "42501" in refused(a, "template", _template(alice.name))
        assert "42501" in refused(a, "obstacle_reply", dict(reply, sender=alice.name))
    with hub.connect(lead) as lc:
        assert insert(lc, "broadcast", _broadcast(lead.name))
        assert insert(lc, "template", _template(lead.name))
        assert insert(lc, "obstacle_reply", dict(reply, sender=lead.name))
        assert "42501" in refused(lc, "broadcast", _broadcast(alice.name))  # a lead cannot forge a sender either
    with hub.connect(other_lead) as oc:  # a lead of another team cannot reach red
        assert "42501" in refused(oc, "broadcast", _broadcast(other_lead.name, team="red"))
        assert "42501" in refused(oc, "obstacle_reply", dict(reply, id=str(uuid.uuid4()), sender=other_lead.name,
                                                             team="blue"))
    with hub.connect(alice) as a:  # what the lead sent reaches the team
        kinds = sorted(r["kind"] for r in hubmod.pull(a, hubmod.Cursor()).records)
        assert kinds == ["broadcast", "obstacle", "obstacle_reply", "template"]


def test_anonymous_obstacles_carry_no_sender_and_votes_are_ones_own(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    hub.settings(anonymous_delay_min=0, anonymous_delay_max=0)
    with hub.connect(alice) as a:
        anon = _obstacle(alice.name, anonymous=True)
        assert insert(a, "obstacle", anon)
        assert insert(a, "obstacle", anon) is False  # pushed again: one obstacle
        assert refused(a, "obstacle", dict(_obstacle(alice.name), sender=bob.name))
        assert refused(a, "obstacle", dict(_obstacle(alice.name, anonymous=True), sender=alice.name))  # not anon
    assert hub.release(bob) == 1  # published by another desk's round
    with hub.connect(bob) as b:
        vote = {"id": str(uuid.uuid4()), "kind": "obstacle_vote", "sender": bob.name, "team": "red",
                "obstacle_id": anon["id"]}
        assert insert(b, "obstacle_vote", vote)
        assert insert(b, "obstacle_vote", dict(vote, id=str(uuid.uuid4()))) is False  # one +1 per person
        assert "42501" in refused(b, "obstacle_vote", dict(vote, id=str(uuid.uuid4()), sender=alice.name))
        pulled = [r for r in hubmod.pull(b, hubmod.Cursor()).records if r["kind"] == "obstacle"]
        assert pulled[0]["sender"] is None and pulled[0]["anonymous"] is True


def test_breath_joins_are_private_and_counted_for_leads_from_five_agents(hub):
    lead = hub.add("lea", lead=True)
    agents = [hub.add(f"a{i}") for i in range(3)]
    broadcast = _broadcast(lead.name)
    with hub.connect(lead) as lc:
        insert(lc, "broadcast", broadcast)

    def join(agent):
        with hub.connect(agent) as c:
            insert(c, "breath_join", {"id": str(uuid.uuid4()), "kind": "breath_join", "sender": agent.name,
                                      "team": "red", "broadcast_id": broadcast["id"], "joined_at": NOW.isoformat()})

    for agent in agents[:2]:
        join(agent)
    with hub.connect(agents[0]) as c:  # a join is readable only by its sender
        assert c.execute("SELECT sender FROM companion.breath_joins").fetchall() == [(agents[0].name,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # and only a lead may count
            hubmod.breath_join_count(c, broadcast["id"])
    with hub.connect(lead) as lc:
        assert lc.execute("SELECT count(*) FROM companion.breath_joins").fetchone()[0] == 0
        assert hubmod.breath_join_count(lc, broadcast["id"]) is None  # 4 agents in the team: hidden
    hub.add("a3")
    join(agents[2])
    with hub.connect(lead) as lc:
        assert hubmod.breath_join_count(lc, broadcast["id"]) == 3  # 5 agents: the count shows
    other = hub.add("olga", team="blue", lead=True)
    with hub.connect(other) as oc:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            hubmod.breath_join_count(oc, broadcast["id"])


def test_notify_is_a_wake_up_with_no_payload(hub):
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol", team="blue")
    with hub.connect(bob) as b, hub.connect(carol) as c, hub.connect(alice) as a:
        red_channel, _roster = hubmod.listen(b, "red")
        hubmod.listen(c, "blue")
        insert(a, "kudos", kudos_record(alice.name, bob.name, "red", "secret praise"))
        got = list(b.notifies(timeout=2, stop_after=1))
        assert [(n.channel, n.payload) for n in got] == [(red_channel, "")]
        assert list(c.notifies(timeout=0.3)) == []  # another team is not even woken


def test_cursor_never_skips_a_row_committed_out_of_order(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    early, late = kudos_record(alice.name, bob.name, "red", "early"), kudos_record(alice.name, bob.name, "red", "late")
    first, second = hub.connect(alice), hub.connect(alice)
    try:
        first.execute("BEGIN")
        hubmod.push_record(first, "kudos", early)   # lower seq, still uncommitted
        second.execute("BEGIN")
        hubmod.push_record(second, "kudos", late)   # higher seq, commits first
        second.execute("COMMIT")
        with hub.connect(bob) as b:
            batch = hubmod.pull(b, hubmod.Cursor())
            assert [r["message"] for r in batch.records] == ["late"]
            assert batch.cursor == hubmod.Cursor()  # not past 'late': an older transaction is still open
            first.execute("COMMIT")
            batch2 = hubmod.pull(b, batch.cursor)
            assert [r["message"] for r in batch2.records] == ["early", "late"]
            batch3 = hubmod.pull(b, batch2.cursor)
            assert batch3.records == []
    finally:
        first.close()
        second.close()


def test_a_wake_up_that_arrives_during_a_query_is_kept_for_the_next_drain(hub):
    """The worker drains notifications after its pull: one read by the driver mid-query must not be lost."""
    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.connect(bob) as b, hub.connect(alice) as a:
        red_channel, _roster = hubmod.listen(b, "red")
        insert(a, "kudos", kudos_record(alice.name, bob.name, "red"))
        time.sleep(0.2)  # the NOTIFY is on bob's socket before his next query
        hubmod.pull(b, hubmod.Cursor())  # the driver reads it while running this query
        assert [n.channel for n in b.notifies(timeout=0)] == [red_channel]
        assert list(b.notifies(timeout=0)) == []


def test_a_database_owner_with_createrole_can_run_the_hub(pg_cluster):
    """No superuser needed: the database owner with CREATEROLE provisions and enrols."""
    with hubmod.connect(pg_cluster.admin_url("postgres")) as conn:
        conn.execute("CREATE ROLE hub_admin LOGIN CREATEROLE PASSWORD 'hub-admin-pw'")
        conn.execute("CREATE DATABASE owned_hub OWNER hub_admin")
    admin = pg_cluster.url("owned_hub", "hub_admin", "hub-admin-pw")
    first = provision.init_hub(admin)
    assert first.after == HUB_VERSION and first.sessions_visible  # pg_catalog needs a superuser: it says so
    with hubmod.connect(pg_cluster.admin_url("owned_hub")) as conn:
        conn.execute(provision.SESSION_VIEWS_SQL)  # what `team init` asks a superuser to run
        conn.execute(provision.GUARDED_SQL)
    again = provision.init_hub(admin)
    assert again.changed is False and not again.sessions_visible
    secret = provision.add_agent(admin, "owned_alice", "red")
    provision.add_agent(admin, "owned_bob", "red")
    with hubmod.connect(pg_cluster.url("owned_hub"), user="owned_alice", password=secret) as a:
        assert insert(a, "kudos", kudos_record("owned_alice", "owned_bob", "red"))
    with hubmod.connect(admin) as conn:  # the admin sees the team's data through the owner's policy
        assert conn.execute("SELECT count(*) FROM companion.kudos").fetchone()[0] == 1
