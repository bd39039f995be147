"""Fairness, gently (issue 11): who nobody has thanked yet this month, by name, for teams of 5+, with a fake
clock; and the Team feed's paging (a page at a time, fast with 100,000 kudos stored)."""
import time as wall
from datetime import datetime, timedelta, timezone

import pytest

from companion.db.sql import new_id
from companion.kudos.fairness import MIN_TEAM, month_bounds, not_thanked
from companion.kudos.service import week_bounds
from companion.team.roster import Mate
from tests.core.team_helpers import add_mates, name_me


@pytest.fixture
def team(desk):
    name_me(desk, "alex")
    add_mates(desk, "sam", "dana", "kim", "lee")  # five with me
    return desk


def store(desk, sender, recipient, when, category="helping", message="Thanks"):
    with desk.db.session() as s:
        s.insert("kudos", {"id": new_id(), "sender": sender, "recipient": recipient, "category": category,
                           "message": message, "call_ref": None, "team": None, "sent_at": when, "read_at": None})


def mate(name, display):
    return Mate(name, display, None, False, "local")


def names(mates):
    return [m.name for m in mates]


def test_month_bounds_are_local_calendar_months():
    start, end = month_bounds(datetime(2026, 12, 15, 12, tzinfo=timezone.utc))
    assert (start.astimezone().month, start.astimezone().day, start.astimezone().hour) == (12, 1, 0)
    assert (end.astimezone().year, end.astimezone().month, end.astimezone().day) == (2027, 1, 1)


def test_not_thanked_is_ordered_by_name_and_never_counts():
    mates = [mate("zoe", "zoe"), mate("bob", "Bob"), mate("amy", "amy"), mate("me", "Me"), mate("cy", "Cy")]
    assert names(not_thanked(mates, {"bob"}, "me")) == ["amy", "cy", "zoe"]  # case-insensitive, by name
    assert not_thanked(mates[:MIN_TEAM - 2] + [mate("me", "Me")], set(), "me") == []  # 4 people: no hint


def test_quiet_teammates_this_month_with_a_fake_clock(team, clock):
    assert names(team.kudos.quiet_teammates()) == ["dana", "kim", "lee", "sam"]  # nobody thanked yet
    team.kudos.send("dana", "helping", "Thanks for the cover")
    store(team, "sam", "kim", clock.now() - timedelta(minutes=5))
    store(team, "sam", "kim", clock.now() - timedelta(minutes=4))  # twice: still just "thanked"
    assert names(team.kudos.quiet_teammates()) == ["lee", "sam"]
    store(team, "dana", "lee", month_bounds(clock.now())[0] - timedelta(seconds=1))  # last month: not counted
    assert names(team.kudos.quiet_teammates()) == ["lee", "sam"]
    clock.advance(40 * 24 * 3600)  # a new month: everyone is quiet again
    assert names(team.kudos.quiet_teammates()) == ["dana", "kim", "lee", "sam"]


def test_quiet_teammates_follow_the_setting_and_the_team_size(team, desk):
    desk.save_settings(desk.settings().with_changes(kudos_suggest_quiet=False))
    assert team.kudos.quiet_teammates() == []
    desk.save_settings(desk.settings().with_changes(kudos_suggest_quiet=True))
    desk.roster.remove_local("lee")  # four people: the hint would single someone out
    assert team.kudos.quiet_teammates() == []


def test_feed_pages_follow_each_other_without_gaps_or_repeats(team, clock):
    start, _ = week_bounds(clock.now())
    for i in range(7):
        store(team, "sam", "dana", start + timedelta(hours=1), message=f"same second {i}")  # ties on sent_at
    for i in range(5):
        store(team, "dana", "kim", start + timedelta(hours=2 + i), message=f"later {i}")
    store(team, "dana", "kim", start - timedelta(hours=1), message="last week")
    seen, after = [], None
    while True:
        page = team.kudos.feed_page(after, limit=5)
        seen += page.items
        after = page.next
        if after is None:
            break
    assert [k.id for k in seen] == [k.id for k in team.kudos.feed()] and len(seen) == 12
    assert team.kudos.feed_count() == 12


def test_my_inbox_pages_too(team, clock):
    for i in range(3):
        store(team, "dana", "alex", clock.now() - timedelta(days=20, minutes=i))  # older than this week: inbox only
    page = team.kudos.feed_page(limit=2, mine=True)
    assert len(page.items) == 2 and page.next is not None
    assert [k.recipient for k in team.kudos.feed_page(page.next, limit=2, mine=True).items] == ["alex"]


def bulk_kudos(db, start, now, count=100_000):
    """``count`` kudos: half spread over this week so far, half in the months before."""
    from companion.db.sql import bind_value

    span = (now - start).total_seconds()
    people = ["alex", "sam", "dana", "kim", "lee"]
    rows = []
    for i in range(count):
        when = start + timedelta(seconds=span * (i // 2) / (count // 2)) if i % 2 else start - timedelta(minutes=i + 1)
        sender, recipient = people[i % 5], people[(i + 1 + i // 5) % 5]
        if sender == recipient:
            recipient = people[(i + 2) % 5]
        stamp = bind_value(when)
        rows.append((new_id(), sender, recipient, ("helping", "teamwork")[(i // 2) % 2], f"Thanks {i}", stamp, stamp, stamp))
    with db.session() as s:
        s.connection.executemany("INSERT INTO kudos (id, sender, recipient, category, message, sent_at, created_at, "
                                 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def test_a_page_and_the_stars_stay_fast_with_100000_kudos(team, db, clock):
    start, _ = week_bounds(clock.now())
    bulk_kudos(db, start, clock.now())
    began = wall.perf_counter()
    page = team.kudos.feed_page(limit=50)
    second = team.kudos.feed_page(page.next, limit=50)
    count = team.kudos.feed_count()
    stars = team.kudos.service_stars()
    quiet = team.kudos.quiet_teammates()
    took = wall.perf_counter() - began
    assert len(page.items) == 50 and len(second.items) == 50 and count == 50_000
    assert {s.category.key for s in stars} == {"helping", "teamwork"} and quiet == []
    print(f"100,000 kudos: page+page+count+stars+hint in {took * 1000:.0f} ms")
    assert took < 2.0, f"a page, the count, the stars and the hint took {took:.2f} s with 100,000 kudos"
