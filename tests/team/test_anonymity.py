"""Review finding 1: with SQL access through their own hub login, neither a teammate nor the lead can link an
anonymous obstacle to its author or tell who joined a group deep breath (no tx/xid, sequence, storage time or
transaction grouping to read); the feed is read through ``companion.pull`` with an opaque cursor. Also the
hub schema's upgrade from version 1, where all of that was readable."""
from __future__ import annotations

import psycopg
import pytest

from companion.team import hub as hubmod
from companion.team import provision
from companion.team.hub_schema import HUB_VERSION, MIGRATIONS, RECORD_TABLES
from companion.team.sync import ANONYMOUS_HOLD, QUIET_AFTER_ANONYMOUS
from tests.fakes import FakeClock
from tests.team.simulated import kudos_record

ORDERING = ("tx", "seq", "stored_at", "xmin", "ctid", "cmin", "*")


def denied(conn, query: str, params: tuple = ()) -> bool:
    try:
        conn.execute(query, params)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_lead_cannot_tell_who_wrote_an_anonymous_obstacle(hub, make_desk):
    alice, lea = hub.add("alice"), hub.add("lea", lead=True)
    for short in ("bob", "cid", "dan"):
        hub.add(short)
    hub.settings(anonymous_delay_min=0, anonymous_delay_max=0)  # the hub's own hold-back: none here
    a = make_desk(alice, clock=FakeClock())
    a.worker.step()  # the roster
    a.app.kudos.send(hub.agents["bob"].name, "helping", "thanks for covering my queue")
    anon = a.app.obstacles.log("rights", "My lead never lets me refund", anonymous=True)
    a.app.kudos.send(hub.agents["cid"].name, "teamwork", "and you too")
    a.worker.step()
    assert hub.count("kudos") == 2 and hub.count("obstacles") == 0  # held back on the desk for a while
    a.worker.clock.advance(ANONYMOUS_HOLD[1] + 1)
    a.worker.step()
    assert hub.count("obstacle_stage") == 1 and hub.count("obstacles") == 0  # staged: not published by alice
    a.worker.step()
    assert hub.count("obstacles") == 0  # her own desk's rounds never publish it
    assert hub.release(lea) == 1  # another desk's round does
    with hub.connect(lea) as lc:
        # the reviewer's query, and every column or system column that orders or groups rows
        assert denied(lc, "SELECT k.sender FROM companion.obstacles o JOIN companion.kudos k ON k.tx = o.tx "
                          "WHERE o.anonymous")
        for table, _fields, _who in RECORD_TABLES.values():
            for column in ORDERING:
                assert denied(lc, f"SELECT {column} FROM companion.{table}"), (table, column)
        assert denied(lc, "SELECT nextval('companion.change_seq')")
        assert denied(lc, "SELECT * FROM companion.cursor_key")
        # nor who holds which lock or transaction id right now (a live view of who writes to obstacles)
        for query in ("SELECT * FROM pg_locks", "SELECT * FROM pg_lock_status()", "SELECT * FROM pg_stat_activity",
                      "SELECT * FROM pg_stat_get_activity(NULL)"):
            assert denied(lc, query), query
        # what the lead can read: the obstacle without an author, as the feature shows it
        rows = lc.execute("SELECT id::text, sender, anonymous FROM companion.obstacles").fetchall()
        assert rows == [(anon, None, True)]
        batch = hubmod.pull(lc, hubmod.Cursor())
        [pulled] = [r for r in batch.records if r["kind"] == "obstacle"]
        assert pulled["sender"] is None and not {"tx", "seq", "stored_at"} & set(pulled)
    with hub.admin() as conn:  # pushed in a transaction of its own: nothing groups it with alice's kudos
        obstacle_tx = conn.execute("SELECT tx::text FROM companion.obstacles").fetchone()[0]
        kudos_tx = {r[0] for r in conn.execute("SELECT tx::text FROM companion.kudos")}
        assert kudos_tx and obstacle_tx not in kudos_tx
        # the cursor says nothing: not the transaction id in any form
        assert obstacle_tx not in batch.cursor.token and batch.cursor.token != ""


def test_nobody_can_tell_who_joined_a_deep_breath(hub, make_desk):
    lea, alice, bob = hub.add("lea", lead=True), hub.add("alice"), hub.add("bob")
    cid, dan = hub.add("cid"), hub.add("dan")
    lead, a, b = make_desk(lea), make_desk(alice), make_desk(bob)
    for desk in (lead, a, b):
        desk.worker.step()
    broadcast = lead.app.breath.send()
    lead.worker.step()
    a.worker.step()
    b.worker.step()
    b.app.kudos.send(cid.name, "helping", "bob's kudos")
    b.worker.step()
    a.app.breath.join(broadcast)
    a.app.kudos.send(bob.name, "teamwork", "alice's kudos")
    a.worker.step()
    b.app.breath.decline(broadcast)
    b.app.kudos.send(dan.name, "helping", "bob again")
    b.worker.step()
    for who in (lea, bob, cid):
        with hub.connect(who) as conn:
            assert denied(conn, "SELECT seq FROM companion.kudos UNION ALL SELECT seq FROM companion.broadcasts")
            assert conn.execute("SELECT count(*) FROM companion.breath_joins").fetchone()[0] == 0
            assert all(r["kind"] != "breath_join" for r in hubmod.pull(conn, hubmod.Cursor()).records)
    with hub.admin() as conn:
        # the feed's sequence has no gap where the join sits: joins have a sequence of their own
        seqs = sorted(r[0] for r in conn.execute(
            "SELECT seq FROM companion.kudos UNION ALL SELECT seq FROM companion.broadcasts"))
        assert seqs == list(range(seqs[0], seqs[0] + 4))
        join_tx = conn.execute("SELECT tx::text FROM companion.breath_joins").fetchone()[0]
        alice_tx = conn.execute("SELECT tx::text FROM companion.kudos WHERE sender = %s", (alice.name,)).fetchone()[0]
        assert join_tx != alice_tx  # the join went alone
    with hub.connect(lea) as lc:
        assert hubmod.breath_join_count(lc, broadcast) == 1  # the count, and nothing else


def test_a_cursor_cannot_be_read_forged_or_altered(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.connect(alice) as a:
        for i in range(3):
            with a.transaction():
                hubmod.push_record(a, "kudos", kudos_record(alice.name, bob.name, "red", f"k{i}"))
    with hub.connect(bob) as b:
        first = hubmod.pull(b, hubmod.Cursor(), limit=1)
        assert [r["message"] for r in first.records] == ["k0"] and first.more
        assert hubmod.pull(b, first.cursor, limit=1).cursor == hubmod.pull(b, first.cursor, limit=1).cursor
        token = first.cursor.token
        altered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        for bad in (altered, "not-a-cursor", token[:-1]):
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                b.execute("SELECT companion.pull(%s, 10)", (bad,))
        assert denied(b, "SELECT companion.cursor_position(%s)", (token,))
        # a desk holding a cursor the hub does not know (its key changed) starts over; applying is idempotent
        assert [r["message"] for r in hubmod.pull(b, hubmod.Cursor(altered)).records] == ["k0", "k1", "k2"]


def test_init_upgrades_a_version_1_hub(pg_cluster):
    pg_cluster.create_database("hub_v1")
    admin = pg_cluster.admin_url("hub_v1")
    with hubmod.connect(admin) as conn:  # a hub as version 1 left it
        with conn.transaction():
            conn.execute(MIGRATIONS[1])
            conn.execute("INSERT INTO companion.hub_version (version) VALUES (1)")
        conn.execute("CREATE ROLE v1_alice LOGIN PASSWORD 'v1-alice-pw' IN ROLE companion_agent")
        conn.execute("CREATE ROLE v1_bob LOGIN PASSWORD 'v1-bob-pw' IN ROLE companion_agent")
        conn.execute("INSERT INTO companion.agents (name, display_name, team) VALUES "
                     "('v1_alice', 'Alice', 'red'), ('v1_bob', 'Bob', 'red')")
    url = pg_cluster.url("hub_v1")
    with hubmod.connect(url, user="v1_alice", password="v1-alice-pw") as a:
        with a.transaction():
            hubmod.push_record(a, "kudos", kudos_record("v1_alice", "v1_bob", "red", "from version 1"))
        assert a.execute("SELECT tx FROM companion.kudos").fetchall()  # readable in version 1: the finding
    result = provision.init_hub(admin)
    assert (result.before, result.after) == (1, HUB_VERSION) and HUB_VERSION == 3
    assert provision.init_hub(admin).changed is False
    with hubmod.connect(url, user="v1_bob", password="v1-bob-pw") as b:
        assert denied(b, "SELECT tx FROM companion.kudos")
        assert [r["message"] for r in hubmod.pull(b, hubmod.Cursor()).records] == ["from version 1"]
    with hubmod.connect(admin) as conn:  # existing agent logins got the idle-transaction timeout too
        settings = dict(conn.execute(
            "SELECT r.rolname, s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
            "WHERE r.rolname LIKE 'v1\\_%'").fetchall())
    assert {name: sorted(values) for name, values in settings.items()} == {
        name: ["idle_in_transaction_session_timeout=60s", "statement_timeout=60s"] for name in ("v1_alice", "v1_bob")}


def test_an_anonymous_obstacle_is_held_then_pushed_in_a_round_of_its_own(hub, make_desk):
    """Review 2: pushed in the same round as its author's kudos, an anonymous obstacle sat between them in the
    team's feed. It now waits a random 2-15 minutes (fixed per record), goes in a round where the desk pushes
    nothing else, and for a moment after it the desk pushes nothing of its own."""
    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice, clock=FakeClock())
    a.worker.step()
    a.app.obstacles.log("tools", "The CRM logs me out every hour", anonymous=True)
    assert 0 < a.worker.step() <= ANONYMOUS_HOLD[1]  # the worker wakes when it is due, not at the idle round
    assert hub.count("obstacle_stage") == 0
    a.worker.clock.advance(ANONYMOUS_HOLD[1] + 1)
    a.app.kudos.send(bob.name, "helping", "sent just as the obstacle is due")
    a.worker.step()
    assert (hub.count("kudos"), hub.count("obstacle_stage")) == (1, 0)  # the kudos goes first, in its own round
    a.worker.step()
    assert hub.count("obstacle_stage") == 1  # then the obstacle, alone
    a.app.kudos.send(bob.name, "teamwork", "right after it")
    wait = a.worker.step()
    assert hub.count("kudos") == 1 and QUIET_AFTER_ANONYMOUS[0] - 1 <= wait <= QUIET_AFTER_ANONYMOUS[1]
    a.worker.clock.advance(QUIET_AFTER_ANONYMOUS[1] + 1)
    a.worker.step()
    assert hub.count("kudos") == 2  # after the quiet moment, everything else flows as before
