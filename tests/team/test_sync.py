"""The sync worker against a real hub: delivery end to end, the hub going away, idempotency, refusals."""
from __future__ import annotations

import json
import time

from companion.db.sql import Row
from companion.team import outbox
from companion.team.hub import CURSOR_STATE, Cursor, HubUnavailable
from tests.fakes import FakeClock
from companion.team import inbound
from tests.team.simulated import kudos_record, send_kudos_for_tests


def local_kudos(db) -> list[Row]:
    with db.reading() as s:
        return s.all("SELECT * FROM kudos ORDER BY sent_at")


def teammate_names(db) -> set[str]:
    with db.reading() as s:
        return {row.name for row in s.all("SELECT name FROM teammates")}


def stored_cursor(db) -> Cursor:
    with db.reading() as s:
        return Cursor.from_state(json.loads(s.get("settings", f"state.{CURSOR_STATE}", column="key").value))


def on_roster(desk, *names) -> bool:
    return all(desk.app.roster.find(name) is not None for name in names)


def test_two_agents_exchange_kudos_end_to_end(hub, make_desk):
    """The real path: KudosService on alice's desk -> outbox -> hub (RLS) -> NOTIFY -> bob's worker pulls ->
    companion.team.inbound -> Desk.team_received -> bob's notification, inbox and feed."""
    alice, bob, carol = hub.add("alice"), hub.add("bob"), hub.add("carol", team="blue")
    a, b, c = make_desk(alice), make_desk(bob), make_desk(carol)
    for desk in (a, b, c):
        desk.worker.start()
    for desk in (a, b):
        desk.received.wait_for(lambda r: r.statuses and r.statuses[-1]["online"])
    a.received.wait_for(lambda r: on_roster(a, bob.name))  # the roster came from the hub
    started = time.monotonic()
    sent = a.app.kudos.send(bob.name, "responding", "<b>thanks</b> for taking my escalation", "4711")
    b.received.wait_for(lambda r: len(r.items) == 1)
    took = time.monotonic() - started
    assert took < 5, f"a NOTIFY should wake the receiver at once (idle rounds are {60} s); took {took:.2f} s"
    assert b.received.items == [inbound.Received("kudos", sent.id, alice.name, {
        "category": "responding", "message": "<b>thanks</b> for taking my escalation", "call_ref": "4711"})]
    b.app.team_received(b.received.items)  # what the bridge does on the GUI thread
    assert b.notifier.shown == [("Kudos from Alice: Responding with care", "<b>thanks</b> for taking my escalation")]
    assert [k.message for k in b.app.kudos.inbox()] == ["<b>thanks</b> for taking my escalation"]
    assert b.app.kudos.unread_count() == 1
    # and back: bob thanks alice
    b.received.wait_for(lambda r: on_roster(b, alice.name))
    b.app.kudos.send(alice.name, "teamwork", "you too")
    a.received.wait_for(lambda r: len(r.items) == 1)
    assert a.received.items[0].sender == bob.name
    a.received.wait_for(lambda r: r.statuses[-1] == {"online": True, "waiting": 0})
    assert teammate_names(a.db) == {alice.name, bob.name}  # the other team is not in the roster
    assert not on_roster(a, carol.name)
    time.sleep(0.3)
    assert c.received.items == [] and local_kudos(c.db) == []  # carol's team saw nothing
    assert hub.count("kudos") == 2


def test_hub_down_while_100_kudos_are_sent_each_delivered_exactly_once(hub, make_desk, pg_cluster):
    alice, bob = hub.add("alice"), hub.add("bob")
    hub.settings(kudos_per_day=1000, rows_per_minute=1000)  # the hub's own limits are not what this is about
    a, b = make_desk(alice), make_desk(bob)
    a.worker.start()
    b.worker.start()
    for desk in (a, b):
        desk.received.wait_for(lambda r: r.statuses and r.statuses[-1]["online"])
    pg_cluster.stop()
    try:
        sent = [send_kudos_for_tests(a.db, alice.name, bob.name, "red", f"kudos {i}")["id"] for i in range(100)]
        a.received.wait_for(lambda r: {"online": False, "waiting": 100} in r.statuses)  # the tray's "offline — 100"
    finally:
        pg_cluster.start()
    b.received.wait_for(lambda r: len(r.items) >= 100, timeout=90)
    a.received.wait_for(lambda r: r.statuses[-1] == {"online": True, "waiting": 0}, timeout=90)
    time.sleep(0.5)  # any duplicate would have arrived by now
    assert sorted(i.record_id for i in b.received.items) == sorted(sent)  # each exactly once
    assert len(local_kudos(b.db)) == 100
    assert hub.count("kudos") == 100
    with a.db.reading() as s:
        assert s.scalar("SELECT count(*) FROM outbox WHERE pushed_at IS NULL") == 0


def test_a_record_pushed_again_stays_one_row_and_is_told_once(hub, make_desk):
    alice, bob = hub.add("alice"), hub.add("bob")
    a, b = make_desk(alice, clock=FakeClock()), make_desk(bob, clock=FakeClock())
    sent = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "twice?")
    a.worker.step()
    with a.db.session() as s:  # as if the app died after the hub committed but before we noted it
        assert s.update("outbox", {"pushed_at": None}, "pushed_at IS NOT NULL") == 1
    a.worker.step()
    b.worker.step()
    b.worker.step()
    assert hub.count("kudos", "id = %s", (sent["id"],)) == 1
    assert [i.record_id for i in b.received.items] == [sent["id"]]
    assert len(local_kudos(b.db)) == 1


def test_a_refused_record_is_kept_with_its_reason_and_does_not_block_the_rest(hub, make_desk):
    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice, clock=FakeClock())
    forged = kudos_record(bob.name, alice.name, "red", "forged")
    with a.db.session() as s:
        outbox.enqueue(s, "kudos", forged, a.worker.clock.now())
    good = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "real")
    a.worker.step()
    assert hub.count("kudos") == 1 and hub.count("kudos", "id = %s", (good["id"],)) == 1
    with a.db.session() as s:
        assert outbox.waiting(s) == 0
        [refused] = outbox.rejected(s)
        assert refused.record_id == forged["id"] and "42501" in refused.last_error
    assert a.worker.online is True and a.worker.waiting == 0
    a.worker.step()  # not pushed again
    with a.db.session() as s:
        assert outbox.rejected(s)[0].attempts == 1


def test_one_record_that_cannot_be_applied_does_not_hold_up_the_feed(hub, make_desk):
    alice, bob = hub.add("alice"), hub.add("bob")
    a, b = make_desk(alice, clock=FakeClock()), make_desk(bob, clock=FakeClock())
    first = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "first")
    second = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "second")
    a.worker.step()

    def picky_apply(session, record, me):
        if record["id"] == first["id"]:
            raise ValueError("cannot read this one")
        return inbound.apply(session, record, me)

    b.worker._apply = picky_apply
    b.worker.step()
    assert [i.record_id for i in b.received.items] == [second["id"]]
    assert [k.message for k in local_kudos(b.db)] == ["second"]
    assert stored_cursor(b.db) != Cursor()


class FakeWaker:
    def __init__(self, clock):
        self.clock, self.waits, self.woken = clock, [], 0

    def wait(self, timeout, fileno=None):
        self.waits.append(timeout)
        self.clock.advance(timeout)

    def wake(self):
        self.woken += 1

    def close(self):
        pass


def test_a_local_commit_that_enqueued_something_wakes_the_worker_until_it_stops(db):
    from companion.events import EventHub
    from companion.team.sync import SyncWorker

    clock = FakeClock()
    waker = FakeWaker(clock)
    worker = SyncWorker(db, lambda: None, inbound.apply, lambda s, a: None, EventHub(), clock,
                        me="alice", team="red", waker=waker)
    worker._hook_outbox()  # what start() does before the thread runs
    with db.session() as s:
        s.insert("teammates", {"name": "bob", "display_name": "Bob"})  # nothing for the hub
    assert waker.woken == 0
    with db.session():
        with db.session() as inner:  # enqueued in a savepoint: the wake-up waits for the outer commit
            outbox.enqueue(inner, "kudos", {"id": "k1"}, clock.now())
        assert waker.woken == 0
    assert waker.woken == 1
    worker.stop()
    send_kudos_for_tests(db, "alice", "bob", "red", "after stop")
    assert waker.woken == 2  # stop() wakes the thread once; the commit after it no longer does


def test_backoff_doubles_from_1_to_60_seconds_with_jitter_and_counts_what_waits(db):
    from companion.events import EventHub
    from companion.team.sync import SyncWorker, backoff_delay

    clock = FakeClock()
    attempts = []

    def unreachable():
        attempts.append(clock.monotonic())
        raise HubUnavailable("The team hub cannot be reached: connection refused")

    events = EventHub()
    statuses = []
    events.subscribe("team.status", lambda e: statuses.append(e.data))
    worker = SyncWorker(db, unreachable, inbound.apply, lambda s, a: None, events, clock,
                        me="alice", team="red", waker=FakeWaker(clock), rng=lambda: 0.5)
    delays = [round(worker.step(), 3)]
    for _ in range(8):
        clock.advance(delays[-1])
        delays.append(round(worker.step(), 3))
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert [round(b - a, 3) for a, b in zip(attempts, attempts[1:])] == delays[:-1]
    assert statuses == [{"online": False, "waiting": 0}]
    # a kudos sent while offline: the count moves, but no early reconnect
    send_kudos_for_tests(db, "alice", "bob", "red", "later")
    clock.advance(10)
    remaining = worker.step()
    assert round(remaining, 3) == 50 and len(attempts) == 9
    assert statuses[-1] == {"online": False, "waiting": 1}
    # jitter stays within +-20 % and never passes 60 s
    assert backoff_delay(1, lambda: 0.0) == 0.8 and backoff_delay(1, lambda: 1.0) == 1.2
    assert backoff_delay(3, lambda: 0.0) == 3.2 and backoff_delay(20, lambda: 1.0) == 60


def test_reconnect_resets_the_backoff_and_catches_up(hub, make_desk):
    alice, bob = hub.add("alice"), hub.add("bob")
    clock = FakeClock()
    down = {"on": True}

    def flaky():
        if down["on"]:
            raise HubUnavailable("The team hub cannot be reached: connection refused")
        return hub.connect(bob)

    a = make_desk(alice, clock=FakeClock())
    b = make_desk(bob, clock=clock, connect=flaky)
    b.worker._rng = lambda: 0.5  # no jitter
    sent = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "while you were away")
    a.worker.step()
    assert [b.worker.step(), b.worker.step()] == [1.0, 1.0]  # failed, then waiting out the second
    assert b.worker.online is False and b.received.items == []
    clock.advance(1)
    assert b.worker.step() == 2.0  # second failure: the delay doubled
    clock.advance(2)
    down["on"] = False
    b.worker.step()
    assert [i.record_id for i in b.received.items] == [sent["id"]]
    assert b.worker.online is True and b.worker._failures == 0


def test_a_roster_change_wakes_the_worker_and_is_applied(hub, make_desk):
    alice = hub.add("alice")
    a = make_desk(alice, clock=FakeClock())
    a.worker.step()
    assert teammate_names(a.db) == {alice.name}
    carol = hub.add("carol")          # the admin enrols someone: NOTIFY on the team's roster channel
    hub.add("dave", team="blue")      # another team: no wake-up for red, and not readable anyway
    time.sleep(0.2)
    a.worker.step()
    assert teammate_names(a.db) == {alice.name, carol.name}


def test_a_lead_gets_how_many_joined_a_group_breath_from_the_hub(hub, make_desk):
    """The lead's "N joined": the lead's worker asks the hub (breath_join_count) for their recent broadcasts
    and stores the count; a join wakes the lead's worker like any record. Found by the e2e suite: before,
    nothing asked, and the lead's window said "no count yet" for ever."""
    lead = hub.add("lead", lead=True)
    amy, ben = hub.add("amy"), hub.add("ben")
    hub.add("cat"), hub.add("dan")  # five in the team: the count may be shown
    lead_desk, a, b = make_desk(lead), make_desk(amy), make_desk(ben)
    for desk in (lead_desk, a, b):
        desk.worker.step()  # the roster
    broadcast = lead_desk.app.breath.send()
    assert lead_desk.app.breath.last_sent().joined == "no count yet (the team hub reports it)"
    lead_desk.worker.step()  # pushed; nobody joined yet
    assert lead_desk.app.breath.last_sent().joined == "0 joined"
    for desk in (a, b):
        desk.worker.step()  # the invitation comes in
    a.app.breath.join(broadcast)
    b.app.breath.decline(broadcast)  # stays on b's desk
    for desk in (a, b):
        desk.worker.step()
    assert hub.count("breath_joins") == 1
    lead_desk.worker.step()
    assert lead_desk.app.breath.last_sent().joined == "1 joined"
    assert lead_desk.worker.online is True
    assert a.worker.online is True  # an agent's worker asks nothing: it has no broadcasts of its own


def test_the_join_count_is_not_asked_for_what_the_hub_does_not_know_and_is_hidden_under_five(hub, make_desk):
    lead = hub.add("lead", lead=True)
    hub.add("amy")
    lead_desk = make_desk(lead)
    lead_desk.worker.step()
    broadcast = lead_desk.app.breath.send()
    lead_desk.worker.step()
    with lead_desk.db.reading() as s:  # two agents: the hub says NULL, nothing is stored
        assert s.get("broadcasts", broadcast).joined_count is None
    assert lead_desk.app.breath.last_sent().joined == "fewer than 5 in the team: count hidden"
    with lead_desk.db.session() as s:  # a broadcast the hub never got (e.g. refused): the hub refuses to count
        row = s.get("broadcasts", broadcast)
        s.insert("broadcasts", {"id": "00000000-0000-4000-8000-00000000abcd", "kind": "deep_breath",
                                "sender": lead.name, "team": lead.team, "sent_at": row.sent_at,
                                "expires_at": row.expires_at, "created_at": row.created_at,
                                "updated_at": row.updated_at})
    assert lead_desk.worker.step() > 0 and lead_desk.worker.online is True and lead_desk.worker.last_error is None
def test_a_hub_transaction_left_open_does_not_stall_delivery(hub, make_desk):
    """Review finding 7: more records than one page behind a transaction left open on the hub all arrive in
    one round; the stored cursor stays safe and moves on once that transaction ends."""
    import uuid

    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice, clock=FakeClock())
    a.worker._batch = 3
    a.worker.step()
    stuck = hubmod_connect(hub, bob, autocommit=False)  # a desk whose network died mid-push
    insert = ("INSERT INTO companion.kudos (id, sender, team, recipient, category, message, sent_at) "
              "VALUES (%s, %s, 'red', %s, 'helping', %s, now())")
    try:
        stuck.execute(insert, (str(uuid.uuid4()), bob.name, alice.name, "lost in transit"))
        with hub.connect(bob) as b:
            for i in range(8):
                b.execute(insert, (str(uuid.uuid4()), bob.name, alice.name, f"kudos {i}"))
        a.worker.step()
        assert sorted(k.message for k in local_kudos(a.db)) == [f"kudos {i}" for i in range(8)]
        assert len(a.received.items) == 8
        assert stored_cursor(a.db) == Cursor()  # still before the open transaction's place
        a.worker.step()  # the same rows again: nothing new to tell
        assert len(a.received.items) == 8
    finally:
        stuck.rollback()
        stuck.close()
    a.worker.step()
    assert stored_cursor(a.db) != Cursor()
    assert len(a.received.items) == 8 and len(local_kudos(a.db)) == 8
    with hub.admin() as conn:  # and agent logins end such a transaction themselves after a minute
        setting = conn.execute("SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                               "WHERE r.rolname = %s", (bob.name,)).fetchone()[0]
    assert "idle_in_transaction_session_timeout=60s" in setting


def hubmod_connect(hub, agent, autocommit=True):
    from companion.team import hub as hubmod

    return hubmod.connect(hub.url, user=agent.name, password=agent.secret, autocommit=autocommit)


def _group_breath(hub, make_desk, agents: int, joining: int):
    """A lead and ``agents`` teammates (the lead among them), ``joining`` of them join; one FakeClock."""
    from datetime import timedelta

    clock = FakeClock()
    lea = hub.add("lea", lead=True)
    mates = [hub.add(f"m{i}") for i in range(agents - 1)]
    lead = make_desk(lea, clock=clock)
    desks = [make_desk(m, clock=clock) for m in mates[:max(joining, 1)]]
    for desk in (lead, *desks):
        desk.worker.step()
    broadcast = lead.app.breath.send()
    lead.worker.step()
    for desk in desks[:joining]:
        desk.worker.step()
        desk.app.breath.join(broadcast)
        desk.worker.step()
    return clock, lead, broadcast, timedelta


def test_the_lead_sees_how_many_joined(hub, make_desk, qtbot):
    """Review finding 8: the lead's worker fetches the hub's count for its open deep breath and the Group deep
    breath window shows it; a join pushed late is counted once more a little after the window closed."""
    from companion.team.sync import COUNT_SETTLE
    from ui.windows.breath import GroupBreathWindow

    clock, lead, broadcast, timedelta = _group_breath(hub, make_desk, agents=6, joining=2)
    lead.worker.step()
    assert lead.app.breath.last_sent().joined == "2 joined"
    window = GroupBreathWindow(lead.app)
    qtbot.addWidget(window)
    assert "2 joined" in window.last.text()
    window._timer.setInterval(50)  # the open window follows the count (every 5 s in the app)
    window.show()
    qtbot.waitExposed(window)
    # a third agent joined in time, but its desk was offline: the join reaches the hub after the window closed
    late = make_desk(hub.agents["m2"], clock=clock)
    late.worker.step()
    late.app.breath.join(broadcast)
    clock.advance(11 * 60)
    late.worker.step()
    wait = lead.worker.step()
    assert lead.app.breath.last_sent().joined == "2 joined"   # closed: not asked again until it settles
    assert wait <= COUNT_SETTLE.total_seconds() - 60 + 0.001    # ... but the worker wakes up for it
    clock.advance(COUNT_SETTLE.total_seconds())
    lead.worker.step()
    assert lead.app.breath.last_sent().joined == "3 joined"
    qtbot.waitUntil(lambda: "3 joined" in window.last.text(), timeout=3000)
    with hub.admin() as conn:  # once more only: a join arriving later still is not fetched
        conn.execute("INSERT INTO companion.breath_joins (id, sender, team, broadcast_id, joined_at) "
                     "VALUES (gen_random_uuid(), %s, 'red', %s, now())", (hub.agents["m3"].name, broadcast))
    clock.advance(60)
    lead.worker.step()
    assert lead.app.breath.last_sent().joined == "3 joined"


def test_with_fewer_than_five_agents_the_count_stays_hidden(hub, make_desk):
    clock, lead, broadcast, _ = _group_breath(hub, make_desk, agents=4, joining=2)
    lead.worker.step()
    assert hub.count("breath_joins") == 2
    assert lead.app.breath.last_sent().joined == "fewer than 5 in the team: count hidden"


def test_delete_my_data_waits_for_a_push_in_progress_so_nothing_read_before_it_reaches_the_hub(
        hub, make_desk, monkeypatch):
    """Delete my data and the worker's "read the outbox, push, hub commits" share Desk.delivery: a delete
    started while a batch is on its way waits for the hub's commit (what was sent before stays sent), and a
    record deleted before a round is never pushed."""
    import threading

    from companion import mydata
    from companion.team import hub as hub_mod

    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice)
    first = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "sent before the delete")
    deleting: list[threading.Thread] = []
    deleted: list[dict] = []
    real_push = hub_mod.push_record

    def push_while_the_agent_deletes(conn, kind, record):
        if not deleting:
            thread = threading.Thread(target=lambda: deleted.append(
                mydata.delete_all(a.db, alice.name, delivery=a.app.delivery)))
            deleting.append(thread)
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "Delete my data did not wait for the batch on its way to the hub"
        return real_push(conn, kind, record)

    monkeypatch.setattr(hub_mod, "push_record", push_while_the_agent_deletes)
    a.worker.step()
    deleting[0].join(10)
    assert deleted and deleted[0]["kudos"] == 1  # the delete ran once the hub had committed
    assert hub.count("kudos", "id = %s", (first["id"],)) == 1
    assert local_kudos(a.db) == []
    second = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "deleted before the round")
    mydata.delete_all(a.db, alice.name, delivery=a.app.delivery)
    a.worker.step()
    assert hub.count("kudos", "id = %s", (second["id"],)) == 0


def test_a_busy_local_database_is_told_apart_from_an_unreachable_hub(hub, make_desk, monkeypatch):
    """The hub answers but this computer's database is held by another program: the tray must not say "Team
    hub offline" (people would chase the network); it says the local database is busy, and recovers."""
    import sqlite3

    from companion.db import engine as engine_mod

    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 200)
    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice)
    send_kudos_for_tests(a.db, alice.name, bob.name, "red", "waits for the local database")
    holder = sqlite3.connect(a.db.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # e.g. a backup tool holding the file
    try:
        a.worker.step()  # pushes to the hub, then cannot record that on this computer
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert a.received.statuses[-1] == {"online": False, "waiting": 1, "problem": "database_busy"}
    assert "busy" in a.worker.last_error
    a.app.set_team_status(**a.received.statuses[-1])
    assert a.app.status()["team_problem"] == "database_busy"
    a.worker._next_attempt = 0  # skip the backoff
    a.worker.step()
    assert a.received.statuses[-1] == {"online": True, "waiting": 0}
    assert hub.count("kudos") == 1  # pushed once (the second push was an idempotent upsert)


def test_a_hub_stalled_on_a_lock_cancels_the_push_and_the_delivery_lock_is_free_again(hub, make_desk):
    """A hub that accepts the connection but does not answer (here: a table locked by someone else) must not
    keep a batch -- and Desk.delivery, which Delete my data waits for -- for ever: the hub cancels the
    worker's statement after its statement timeout, the worker backs off, and delivers later."""
    from companion.team import hub as hubmod

    alice, bob = hub.add("alice"), hub.add("bob")
    a = make_desk(alice, connect=lambda: hubmod.connect(hub.url, user=alice.name, password=alice.secret,
                                                        statement_timeout=0.5))
    sent = send_kudos_for_tests(a.db, alice.name, bob.name, "red", "held up by a lock on the hub")
    import threading

    with hub.admin() as admin:
        admin.execute("BEGIN")
        admin.execute("LOCK TABLE companion.kudos IN ACCESS EXCLUSIVE MODE")
        unlock = threading.Timer(8.0, lambda: admin.execute("ROLLBACK"))  # without a timeout: a failure, not a hang
        unlock.start()
        started = time.monotonic()
        a.worker.step()
        took = time.monotonic() - started
        unlock.cancel()
        if took < 8.0:  # the timer did not fire: the lock is still held
            admin.execute("ROLLBACK")
    assert took < 5, f"the stalled push held the worker for {took:.1f} s"
    assert a.received.statuses[-1] == {"online": False, "waiting": 1}
    assert "statement timeout" in a.worker.last_error
    assert a.app.delivery.acquire(blocking=False)  # Delete my data would not wait
    a.app.delivery.release()
    a.worker._next_attempt = 0  # skip the backoff
    a.worker.step()
    assert hub.count("kudos", "id = %s", (sent["id"],)) == 1
