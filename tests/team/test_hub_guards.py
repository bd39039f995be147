"""Issue 14, the hub side: each attack is made by an agent's own psql-level connection (psycopg with the agent's
login) against a real throwaway PostgreSQL, and each failed on hub schema version 2.

1. anonymity: a NOTIFY names its sender's backend pid and pg_stat_get_backend_* map a pid to its role;
2. limits the hub enforces itself (and the desk tells the agent about a refusal);
3. guards an agent cannot lift (connection limit, a stuck transaction ended by the hub);
4. card numbers refused by the hub itself (the desk's test vectors);
5. team_of()/is_lead() for one's own team only; another team's wake-ups cannot be listened to;
6. frozen migrations, the upgrade of a version-2 hub, and `team doctor`.
"""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest

from companion.team import hub as hubmod
from companion.team import provision
from companion.team.hub_schema import HUB_VERSION, MIGRATIONS
from tests.team.simulated import kudos_record

NOW = datetime.now(timezone.utc).isoformat()
VECTORS = json.loads((Path(__file__).parents[1] / "card_number_vectors.json").read_text())


def denied(conn, query: str, params: tuple = ()) -> bool:
    try:
        conn.execute(query, params)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def push(conn, kind: str, record: dict) -> bool:
    with conn.transaction():
        return hubmod.push_record(conn, kind, record)


def obstacle(sender: str | None, team: str = "red", text: str = "The CRM logs me out every hour") -> dict:
    return {"id": str(uuid.uuid4()), "kind": "obstacle", "sender": sender, "team": team,
            "anonymous": sender is None, "category": "tools", "text": text, "logged_at": NOW}


def vote(sender: str, obstacle_id: str) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "obstacle_vote", "sender": sender, "team": "red",
            "obstacle_id": obstacle_id}


# -- 1. anonymity ---------------------------------------------------------------------------------------------
def test_no_wake_up_carries_the_pid_of_an_anonymous_obstacles_author(hub):
    """The reviewer's attack: bob listens; alice's named kudos tells him her backend pid; the wake-up of her
    anonymous obstacle then named her. Now it is staged by the hub and published by another desk, silently."""
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol")
    hub.settings(anonymous_delay_min=0, anonymous_delay_max=0)
    with hub.connect(bob) as b, hub.connect(alice) as a:
        hubmod.listen(b, "red")
        alice_pid = a.info.backend_pid
        push(a, "kudos", kudos_record(alice.name, bob.name, "red", "named"))
        anon = obstacle(None)
        push(a, "obstacle", anon)
        assert hubmod.tend(a) == 0  # the author's own rounds never publish it
        assert hub.release(carol) == 1
        time.sleep(0.3)
        pids = [n.pid for n in b.notifies(timeout=0.5)]
        assert pids.count(alice_pid) == 1  # the kudos only
        records = hubmod.pull(b, hubmod.Cursor()).records
        assert [r["id"] for r in records if r["kind"] == "obstacle"] == [anon["id"]]
    with hub.admin() as conn:  # published in carol's transaction, logged at the hour only
        row = conn.execute("SELECT sender, logged_at = date_trunc('hour', logged_at) FROM companion.obstacles"
                           ).fetchone()
        assert row == (None, True)
        assert conn.execute("SELECT count(*) FROM companion.obstacle_stage").fetchone()[0] == 0


def test_an_agent_cannot_map_a_pid_to_a_role_or_watch_transactions(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.connect(alice) as a, hub.connect(bob) as b:
        assert a.info.backend_pid != b.info.backend_pid
        for query in ("SELECT pg_stat_get_backend_userid(s) FROM pg_stat_get_backend_idset() s",
                      "SELECT pg_stat_get_backend_pid(1)", "SELECT * FROM pg_stat_get_activity(%s)" % a.info.backend_pid,
                      "SELECT * FROM pg_stat_activity", "SELECT * FROM pg_locks", "SELECT * FROM pg_stat_user_tables",
                      "SELECT pg_stat_get_tuples_inserted('companion.obstacles'::regclass)",
                      "SELECT pg_current_snapshot()", "SELECT txid_current_snapshot()", "SELECT pg_current_xact_id()",
                      "SELECT txid_current()", "SELECT pg_blocking_pids(%s)" % a.info.backend_pid,
                      "CREATE TEMP TABLE hold (i int)"):
            assert denied(b, query), query
        # nor can an agent insert an anonymous obstacle itself (its session would be the author's)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("INSERT INTO companion.obstacles (id, sender, team, anonymous, category, text, logged_at) "
                      "VALUES (gen_random_uuid(), NULL, 'red', true, 'tools', 'x', now())")
        assert denied(b, "SELECT * FROM companion.obstacle_stage")
        # stage one for another team: refused
        with pytest.raises(hubmod.Rejected):
            push(b, "obstacle", obstacle(None, team="blue"))


def test_a_breath_join_wakes_nobody(hub):
    """Its wake-up came from the joiner's backend: with the pid of their kudos, the lead saw who joined."""
    lea, alice = hub.add("lea", lead=True), hub.add("alice")
    broadcast = {"id": str(uuid.uuid4()), "kind": "broadcast", "sender": lea.name, "team": "red",
                 "broadcast_kind": "deep_breath", "sent_at": NOW,
                 "expires_at": datetime.now(timezone.utc).replace(year=2100).isoformat()}
    with hub.connect(lea) as lc, hub.connect(alice) as a:
        push(lc, "broadcast", broadcast)
        hubmod.listen(lc, "red")
        push(a, "breath_join", {"id": str(uuid.uuid4()), "kind": "breath_join", "sender": alice.name,
                                "team": "red", "broadcast_id": broadcast["id"], "joined_at": NOW})
        assert list(lc.notifies(timeout=0.5)) == []


# -- 2. limits ------------------------------------------------------------------------------------------------
def limit_refusal(conn, kind: str, record: dict) -> str:
    with pytest.raises(hubmod.LimitReached) as caught:
        push(conn, kind, record)
    return str(caught.value)


def test_the_hub_enforces_per_agent_limits_itself(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.admin() as conn:
        conn.execute("INSERT INTO companion.team_settings (team, kudos_per_day) VALUES ('red', 3)")
    hub.settings(obstacles_per_hour=2, votes_per_hour=1)
    with hub.connect(alice) as a:
        for i in range(3):
            push(a, "kudos", kudos_record(alice.name, bob.name, "red", f"k{i}"))
        assert "at most 3 kudos a day" in limit_refusal(a, "kudos", kudos_record(alice.name, bob.name, "red"))
        named = obstacle(alice.name)
        push(a, "obstacle", named)
        push(a, "obstacle", obstacle(None))  # an anonymous one counts too (when staged)
        assert "at most 2 obstacles an hour" in limit_refusal(a, "obstacle", obstacle(None))
        assert "obstacles" in limit_refusal(a, "obstacle", obstacle(alice.name))
        push(a, "obstacle_vote", vote(alice.name, named["id"]))
    with hub.connect(bob) as b:  # another agent's limits are his own
        push(b, "obstacle_vote", vote(bob.name, named["id"]))
        push(b, "kudos", kudos_record(bob.name, alice.name, "red"))
        other = obstacle(bob.name)
        push(b, "obstacle", other)
        assert "+1s an hour" in limit_refusal(b, "obstacle_vote", vote(bob.name, other["id"]))
    assert hub.count("kudos") == 4 and hub.count("obstacles") == 2


def test_rows_a_minute_slow_an_agent_down(hub):
    alice, bob = hub.add("alice"), hub.add("bob")
    hub.settings(rows_per_minute=5)
    with hub.connect(alice) as a:
        for i in range(5):
            push(a, "kudos", kudos_record(alice.name, bob.name, "red", f"k{i}"))
        with pytest.raises(hubmod.SlowDown, match="at most 5 changes a minute"):
            push(a, "kudos", kudos_record(alice.name, bob.name, "red", "one too many"))
        # the same as raw SQL, as psql would: SQLSTATE CA420
        with pytest.raises(psycopg.Error) as caught:
            a.execute("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, sent_at) "
                      "VALUES (gen_random_uuid(), %s, 'red', %s, 'helping', 'flood', now())", (alice.name, bob.name))
        assert caught.value.sqlstate == hubmod.SLOW_DOWN_SQLSTATE
    assert hub.count("kudos") == 5


def test_the_desk_marks_a_refusal_and_tells_the_agent(hub, make_desk):
    from companion.team import outbox
    from tests.fakes import FakeClock

    alice, bob = hub.add("alice"), hub.add("bob")
    with hub.admin() as conn:
        conn.execute("INSERT INTO companion.team_settings (team, kudos_per_day) VALUES ('red', 1)")
    a = make_desk(alice, clock=FakeClock())
    a.worker.step()
    a.app.kudos.send(bob.name, "helping", "first")
    a.app.kudos.send(bob.name, "teamwork", "second")
    a.worker.step()
    a.worker.step()  # not retried: refused for good
    assert hub.count("kudos") == 1
    with a.db.reading() as s:
        [refused] = outbox.rejected(s)
        assert "at most 1 kudos a day" in refused.last_error and outbox.waiting(s) == 0
    told = [i for i in a.received.items if i.kind == outbox.REFUSED]
    assert len(told) == 1 and told[0].data["what"] == "kudos"
    a.app.team_received(a.received.items)  # what the GUI thread does with team.received
    [(title, body)] = [n for n in a.notifier.shown if "refused" in n[0]]
    assert title == "The team hub refused your kudos" and "at most 1 kudos a day" in body
    assert "stays on this computer" in body


def test_a_desk_told_to_slow_down_waits_and_loses_nothing(hub, make_desk):
    from tests.fakes import FakeClock
    from tests.team.simulated import send_kudos_for_tests
    from companion.team.sync import SLOW_DOWN_SECONDS

    alice, bob = hub.add("alice"), hub.add("bob")
    hub.settings(rows_per_minute=3)
    a = make_desk(alice, clock=FakeClock())
    a.worker.step()
    for i in range(5):
        send_kudos_for_tests(a.db, alice.name, bob.name, "red", f"k{i}")
    a.worker.step()
    wait = a.worker.step()  # (the first round goes again at once: its own kudos woke it)
    assert hub.count("kudos") == 3 and SLOW_DOWN_SECONDS - 1 <= wait <= SLOW_DOWN_SECONDS
    hub.settings(rows_per_minute=10)  # (instead of waiting a real minute on the hub)
    a.worker.clock.advance(SLOW_DOWN_SECONDS + 1)
    a.worker.step()
    assert hub.count("kudos") == 5 and a.worker.waiting == 0


# -- 3. guards an agent cannot lift ---------------------------------------------------------------------------
def test_an_agent_has_a_connection_limit_it_cannot_raise(hub):
    alice = hub.add("alice")
    conns = [hub.connect(alice) for _ in range(provision.AGENT_CONNECTION_LIMIT)]
    try:
        with pytest.raises(hubmod.HubUnavailable, match="too many connections"):
            hub.connect(alice)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conns[0].execute(f'ALTER ROLE "{alice.name}" CONNECTION LIMIT -1')
    finally:
        for conn in conns:
            conn.close()


def test_a_transaction_an_agent_holds_open_is_ended_by_the_hub(hub, make_desk):
    """alice lifts every timeout she can (ALTER ROLE herself, SET in the session) and holds a transaction with
    a row in it: bob's safe cursor could not move past it, and every pull returned everything after it again."""
    from companion.team.sync import HELD_RECHECK
    from tests.fakes import FakeClock
    from tests.team.test_sync import stored_cursor

    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol")
    hub.settings(max_transaction_seconds=1)
    b = make_desk(bob, clock=FakeClock())
    b.worker.step()
    held = hub.connect(alice)
    held.execute(f'ALTER ROLE "{alice.name}" SET idle_in_transaction_session_timeout = 0')  # allowed ...
    held.execute("SET idle_in_transaction_session_timeout = 0")
    held.execute("SET statement_timeout = 0")
    held.execute("BEGIN")
    held.execute("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, sent_at) "
                 "VALUES (gen_random_uuid(), %s, 'red', %s, 'helping', 'held', now())", (alice.name, bob.name))
    try:
        with hub.connect(carol) as c:
            push(c, "kudos", kudos_record(carol.name, bob.name, "red", "after it"))
        assert b.worker.step() <= HELD_RECHECK  # held: it looks again soon, not at the idle round
        assert [i.data["message"] for i in b.received.items] == ["after it"]
        assert stored_cursor(b.db) == hubmod.Cursor()  # held back
        deadline = time.monotonic() + 30
        while stored_cursor(b.db) == hubmod.Cursor():  # ... but the hub ends her transaction
            assert time.monotonic() < deadline, "the held transaction was never ended"
            time.sleep(0.3)
            b.worker.step()
        with pytest.raises(psycopg.OperationalError):
            held.execute("SELECT 1")
    finally:
        held.close()
    assert [i.data["message"] for i in b.received.items] == ["after it"]  # told once; 'held' never committed
    with hub.connect(bob) as conn:  # and a pull from the stored cursor is small again
        assert hubmod.pull(conn, stored_cursor(b.db)).records == []


# -- 4. card numbers ------------------------------------------------------------------------------------------
def test_the_hub_refuses_card_numbers_itself_with_the_desks_vectors(hub):
    alice, lea = hub.add("alice"), hub.add("lea", lead=True)
    sql = ("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, call_ref, sent_at) "
           "VALUES (gen_random_uuid(), %s, 'red', %s, 'helping', %s, %s, now())")
    hub.settings(rows_per_minute=1000)
    with hub.connect(alice) as a:  # as a modified desk (or psql) would send them
        for case in VECTORS["cards"]:
            with pytest.raises(psycopg.errors.CheckViolation):
                a.execute(sql, (alice.name, lea.name, case["text"], None))
        for case in VECTORS["not_cards"]:
            a.execute(sql, (alice.name, lea.name, case["text"], None))
        for ref in ("4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111:1111_1111"):
            with pytest.raises(psycopg.errors.CheckViolation):
                a.execute(sql, (alice.name, lea.name, "thanks", ref))
        with pytest.raises(psycopg.errors.CheckViolation):
            a.execute(sql, (alice.name, lea.name, "thanks", "<b>not a ref</b>"))
        card = "4111\u00a01111\u00a01111\u00a01111"
        assert "23514" in str(pytest.raises(hubmod.Rejected, push, a, "obstacle", obstacle(alice.name, text=card)).value)
        with pytest.raises(hubmod.Rejected):
            push(a, "obstacle", obstacle(None, text="card\n4111.1111.1111.1111"))
        named = obstacle(alice.name)
        push(a, "obstacle", named)
    with hub.connect(lea) as lc:
        with pytest.raises(hubmod.Rejected):
            push(lc, "obstacle_reply", {"id": str(uuid.uuid4()), "kind": "obstacle_reply", "sender": lea.name,
                                        "team": "red", "obstacle_id": named["id"], "reply": f"use {card}",
                                        "acted_at": NOW})
        with pytest.raises(hubmod.Rejected):
            push(lc, "template", {"id": str(uuid.uuid4()), "kind": "template", "sender": lea.name, "team": "red",
                                  "template_id": "t", "name": "Refunds", "version": 1,
                                  "body": {"items": [{"text": "card 4111/1111/1111/1111"}]}})
    with pytest.raises(hubmod.HubError):
        provision.add_agent(hub.admin_url, f"{hub.prefix}dan", "red", display_name="Dan 4111-1111.1111 1111")
    assert hub.count("kudos") == len(VECTORS["not_cards"])


# -- 5. one's own team only -----------------------------------------------------------------------------------
def test_team_of_and_is_lead_answer_for_the_caller_only(hub):
    alice, carol, olga = hub.add("alice"), hub.add("carol", team="blue"), hub.add("olga", team="blue", lead=True)
    with hub.connect(alice) as a:
        assert a.execute("SELECT companion.team_of(%s)", (alice.name,)).fetchone()[0] == "red"
        assert a.execute("SELECT companion.team_of(%s)", (carol.name,)).fetchone()[0] is None
        assert a.execute("SELECT companion.is_lead(%s)", (olga.name,)).fetchone()[0] is False
        assert a.execute("SELECT companion.in_my_team(%s)", (carol.name,)).fetchone()[0] is False


def test_nobody_can_listen_to_another_teams_wake_ups(hub):
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol", team="blue")
    with hub.connect(carol) as c, hub.connect(alice) as a:
        blue, _roster = hubmod.listen(c, "blue")
        for guess in (hubmod.team_channel("red"), hubmod.team_channel("blue"), "companion_red"):
            c.execute(f'LISTEN "{guess}"')
        assert blue != hubmod.team_channel("blue") and len(blue) <= 63
        push(a, "kudos", kudos_record(alice.name, bob.name, "red"))
        assert list(c.notifies(timeout=0.5)) == []


# -- 6. structure: frozen migrations, the upgrade from version 2, team doctor --------------------------------
FROZEN = {1: "b2413bf642b807dea404d8bb9df4b7a0db3c5ae88ec346dddda696762713c012",
          2: "7f9ce13774e253e2619389620c0a82f90d6c0e8b9026bec017e92ef8505d2fd0"}


def test_applied_migrations_are_frozen_text():
    """Version 2 was built from the live RECORD_TABLES: a new kind would have changed a migration hubs had
    applied. Each version's text is pinned; a change to the hub is a new version."""
    for version, digest in FROZEN.items():
        assert hashlib.sha256(MIGRATIONS[version].encode()).hexdigest() == digest, version
    assert HUB_VERSION == 3 and sorted(MIGRATIONS) == [1, 2, 3]
    source = Path(provision.__file__).with_name("hub_migrations.py").read_text()
    assert "RECORD_TABLES" not in source.split('"""', 2)[2] and "import" not in source.split("VERSION_1", 1)[1]


def test_a_version_2_hub_is_upgraded_and_its_card_numbers_at_rest_removed(pg_cluster):
    pg_cluster.create_database("hub_v2")
    admin = pg_cluster.admin_url("hub_v2")
    with hubmod.connect(admin) as conn:
        with conn.transaction():
            for version in (1, 2):
                conn.execute(MIGRATIONS[version])
                conn.execute("INSERT INTO companion.hub_version (version) VALUES (%s)", (version,))
        for name in ("v2_alice", "v2_bob"):
            conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'pw-{name}' IN ROLE companion_agent")
        conn.execute("INSERT INTO companion.agents (name, display_name, team) VALUES "
                     "('v2_alice', 'Alice', 'red'), ('v2_bob', 'Bob', 'red')")
    url = pg_cluster.url("hub_v2")
    with hubmod.connect(url, user="v2_alice", password="pw-v2_alice") as a:  # what a modified desk left there
        push(a, "kudos", kudos_record("v2_alice", "v2_bob", "red", "my card 4111 1111.1111 1111"))
        push(a, "kudos", kudos_record("v2_alice", "v2_bob", "red", "fine"))
    result = provision.init_hub(admin)
    assert (result.before, result.after) == (2, 3)
    with hubmod.connect(url, user="v2_bob", password="pw-v2_bob") as b:
        messages = sorted(r["message"] for r in hubmod.pull(b, hubmod.Cursor()).records)
        assert messages == ["(removed by the team hub: it looked like a card number)", "fine"]
    with hubmod.connect(admin) as conn:
        limit, = conn.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'v2_alice'").fetchone()
        assert limit == provision.AGENT_CONNECTION_LIMIT
    assert not provision.init_hub(admin).changed


def test_team_doctor_checks_the_guards_and_says_what_a_non_superuser_cannot_do(pg_cluster, hub):
    hub.add("alice")
    assert all(f.ok for f in provision.doctor(hub.admin_url)), provision.doctor(hub.admin_url)
    with hubmod.connect(pg_cluster.admin_url("postgres")) as conn:
        conn.execute("CREATE ROLE doc_admin LOGIN CREATEROLE PASSWORD 'doc-admin-pw'")
        conn.execute("CREATE DATABASE doc_hub OWNER doc_admin")
    owner = pg_cluster.url("doc_hub", "doc_admin", "doc-admin-pw")
    assert provision.init_hub(owner).sessions_visible
    findings = provision.doctor(owner)
    [closed] = [f for f in findings if "pg_catalog" in f.text]
    assert not closed.ok and provision.GUARDED_SQL in closed.text and "managed PostgreSQL" in closed.text
    with hubmod.connect(pg_cluster.admin_url("doc_hub")) as conn:  # what it asks a superuser to run
        conn.execute(provision.GUARDED_SQL)
        conn.execute(provision.SESSION_VIEWS_SQL)
    assert all(f.ok for f in provision.doctor(owner)), provision.doctor(owner)


def test_a_quiet_teams_pull_does_not_read_other_teams_rows(hub):
    """Issue 14, scale: a quiet team's pull went through every newer row of every team ((tx, seq) index,
    filtered by team): 0.5 ms with none, 68 ms after 288,000. Counted here as the rows the pull fetches."""
    quiet, mate = hub.add("quiet", team="quiet"), hub.add("mate", team="quiet")
    busy, other = hub.add("busy", team="busy"), hub.add("other", team="busy")
    with hub.connect(quiet) as q:
        push(q, "kudos", kudos_record(quiet.name, mate.name, "quiet", "ours"))
    with hub.connect(mate) as m:
        cursor = hubmod.pull(m, hubmod.Cursor()).cursor
    with hub.admin() as conn:  # another team's 20,000 rows, stamped as the trigger would (bulk, triggers off)
        conn.execute("SET session_replication_role = replica")
        conn.execute("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, sent_at, seq, tx,"
                     " stored_at) SELECT gen_random_uuid(), %s, 'busy', %s, 'helping', 'x', now(),"
                     " nextval('companion.change_seq'), pg_current_xact_id(), now() FROM generate_series(1, 20000)",
                     (busy.name, other.name))
        conn.execute("ANALYZE companion.kudos")
        conn.execute("RESET session_replication_role")
        with conn.transaction():
            conn.execute(f'SET SESSION AUTHORIZATION "{mate.name}"')
            for _ in range(7):  # past PL/pgSQL's switch to a generic plan
                assert hubmod.pull(conn, cursor).records == []
            conn.execute("RESET SESSION AUTHORIZATION")
            fetched = conn.execute("SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) "
                                   "FROM pg_stat_xact_user_tables WHERE relid = 'companion.kudos'::regclass"
                                   ).fetchone()[0]
    assert fetched < 100


def test_a_desk_that_finds_the_hub_full_says_so_and_waits_about_a_minute(hub, make_desk):
    """Issue 14, scale: desks that found no free slot retried within seconds (500 desks: 2,919 attempts in 92 s).
    Now: jittered exponential backoff, and at least ~1 minute (+-20 %) with the tray saying "Team hub full"."""
    from companion.status import TEAM_HUB_FULL, TEAM_PROBLEMS
    from companion.team.sync import HUB_FULL_DELAY, JITTER
    from tests.fakes import FakeClock

    alice = hub.add("alice")
    taken = [hub.connect(alice) for _ in range(provision.AGENT_CONNECTION_LIMIT)]  # no slot left for her desk
    try:
        a = make_desk(alice, clock=FakeClock())
        waits = [a.worker.step() for _ in range(1)]
        for _ in range(3):
            a.worker.clock.advance(waits[-1] + 0.1)
            waits.append(a.worker.step())
        assert all(HUB_FULL_DELAY * (1 - JITTER) <= w <= HUB_FULL_DELAY * (1 + JITTER) for w in waits), waits
        assert len(set(waits)) > 1  # jittered: desks that failed together do not come back together
        assert a.worker.problem == TEAM_HUB_FULL and a.received.statuses[-1]["problem"] == TEAM_HUB_FULL
        assert TEAM_PROBLEMS[TEAM_HUB_FULL].startswith("Team hub full")
    finally:
        for conn in taken:
            conn.close()
    a.worker.clock.advance(HUB_FULL_DELAY * 2)
    a.worker.step()
    assert a.worker.online is True and a.worker.problem is None
