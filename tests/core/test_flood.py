"""A flood received: bursts coalesce into one notice and the waiting queue stays bounded (issue 14, point 2)."""
import json
import time
from datetime import timezone

from companion.notify.centre import MAX_WAITING
from companion import inbound
from companion.db.sql import new_id
from tests.core.test_notification_centre import centre_for, rows


def kudos_for_me(desk, message, sender="dana"):
    record = {"id": new_id(), "kind": "kudos", "sender": sender, "team": "blue", "recipient": "alex",
              "category": "helping", "message": message, "call_ref": None, "sent_at": desk.clock.now().isoformat()}
    with desk.db.session() as s:
        return inbound.apply(s, record, "alex", desk.clock.now())


def test_waiting_informational_notifications_are_bounded_and_folded(db, clock, notifier):
    centre = centre_for(db, clock, [notifier])
    centre.set_on_call(True)
    centre.post("breath_invite", "Group deep breath", "Join?", payload={"actions": [{"key": "join", "label": "J"}]})
    for n in range(MAX_WAITING + 120):
        clock.advance(1)
        centre.post("kudos_received", f"Kudos {n}", "Thanks")
    clock.advance(1)
    centre.post("reset_offer", "Take a reset?", "A hard call")
    all_rows = rows(db)
    waiting = [r for r in all_rows if r.shown_at is None and r.held_reason == "call"]
    assert len(waiting) <= MAX_WAITING + 2  # the two actionable ones are never folded
    assert {r.kind for r in waiting} >= {"breath_invite", "reset_offer", "folded"}
    [summary] = [r for r in waiting if r.kind == "folded"]
    folded = [r for r in all_rows if r.held_reason == "folded"]
    assert json.loads(summary.payload)["folded"] == len(folded) and len(folded) >= 120
    assert summary.title == f"{len(folded)} more notifications while you were busy"
    assert "Kudos 0" in {r.title for r in folded} and f"Kudos {MAX_WAITING + 119}" not in {r.title for r in folded}
    assert len(all_rows) == MAX_WAITING + 120 + 3  # nothing deleted: folded ones stay in the history
    centre.set_on_call(False)
    titles = [title for title, _ in notifier.shown]
    assert titles[0] == "Group deep breath" and summary.title in titles
    assert not any(title == "Kudos 0" for title in titles)
    [offer] = [r for r in rows(db) if r.kind == "reset_offer"]
    assert offer.held_reason != "folded"  # waits (behind the hourly cap), never folded


def test_a_burst_of_received_kudos_is_one_notice(desk, notifier):
    desk.set_agent_name("alex")
    desk.roster.add_local("dana", "Dana Scully")
    items = [kudos_for_me(desk, f"Thanks {n}") for n in range(37)]
    desk.team_received(items)
    assert notifier.shown == [("37 new kudos", "From Dana Scully. Open Team feed to read them.")]
    desk.team_received(items[:1])
    assert notifier.shown[-1] == ("Kudos from Dana Scully: Helping others", "Thanks 0")


def flood_notifications(db, when, count):
    """``count`` received-kudos notifications at ``when`` (generated in SQL: quick on a 2-core CI)."""
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    with db.session() as s:
        s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                  "INSERT INTO notifications (id, kind, title, body, payload, held_reason, created_at, updated_at) "
                  "SELECT printf('00000000-0000-4000-8000-%012d', i), 'kudos_received', 'Kudos from Dana: Helping', "
                  "'Thanks ' || i, '{}', 'folded', ?, ? FROM n", (count, stamp, stamp))


def test_my_day_is_bounded_and_paged_with_100000_notifications(desk, clock):
    from companion.day import DAY_NOTIFICATIONS, PAGE_SIZE, notifications_page, summarise_day

    today = clock.now().astimezone()
    desk.notifications.post("reset_offer", "Take a reset?", "After a long call", payload={"call_id": "c1"})
    flood_notifications(desk.db, clock.now(), 100_000)
    clock.advance(1)
    desk.notifications.post("info", "Newest", "x")
    started = time.perf_counter()
    summary = summarise_day(desk, today)
    took = time.perf_counter() - started
    assert summary.notification_count == 100_002
    assert len(summary.notifications) == DAY_NOTIFICATIONS + 1  # the newest informational ones + every prompt
    assert summary.notifications[0].kind == "reset_offer" and summary.notifications[-1].title == "Newest"
    assert took < 0.3, f"My day's summary took {took:.3f} s"
    first, second = notifications_page(desk, today, 0), notifications_page(desk, today, 1)
    assert len(first) == len(second) == PAGE_SIZE and first[0].title == "Newest"
    assert not {n.id for n in first} & {n.id for n in second}
    assert notifications_page(desk, today, 100_002 // PAGE_SIZE)[-1].title == "Take a reset?"
