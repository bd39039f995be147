"""Sending and reading kudos: the rules (no self-kudos, a daily giving cap, plain text, 280 characters),
the inbox, this week's team feed and the weekly Service Stars (no ranking list, ties show every name).

With a team hub configured, a sent kudos is written to the outbox in the same transaction; alone it stays
on this desk (the feed still shows it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Callable

from companion.clock import Clock
from companion.config import Settings
from companion.db.engine import Database
from companion.db.rows import KudosRow
from companion.db.sql import new_id
from companion.errors import InvalidInput
from companion.kudos import store
from companion.kudos.categories import BY_KEY, CATEGORIES, Category, category
from companion.kudos.fairness import month_bounds, not_thanked
from companion.kudos.rules import MAX_MESSAGE, validate_call_ref, validate_message  # noqa: F401 (re-exported)
from companion.team import outbox
from companion.team.identity import Identity
from companion.names import validate_name
from companion.team.roster import Mate, Roster

PAGE = 50  # kudos cards per page of the Team feed
Cursor = tuple[datetime, str]  # (sent_at, id) of the last kudos of a page


@dataclass(frozen=True)
class KudosView:
    id: str
    sender: str
    recipient: str
    category: Category
    message: str
    call_ref: str | None
    sent_at: datetime
    read: bool


@dataclass(frozen=True)
class Stars:
    """One category's Service Stars of a week: every name with the most kudos in it (ties: all)."""
    category: Category
    names: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Page:
    """A page of kudos, newest first; ``next`` continues after it (None: this was the last page)."""
    items: list[KudosView]
    next: Cursor | None


def local_midnight_after(now: datetime) -> datetime:
    local = now.astimezone()
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 local time of ``now``'s week, and the Monday after."""
    local = now.astimezone()
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=local.tzinfo)
    return monday, monday + timedelta(days=7)


class KudosService:
    def __init__(self, db: Database, clock: Clock, identity: Identity, roster: Roster,
                 settings: Callable[[], Settings]) -> None:
        self._db = db
        self._clock = clock
        self._identity = identity
        self._roster = roster
        self._settings = settings

    # -- giving -----------------------------------------------------------------------------------
    def given_today(self, now: datetime | None = None) -> int:
        now = now or self._clock.now()
        local = now.astimezone()
        midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
        me = self._identity.name()
        with self._db.reading() as s:
            return store.given_since(s, me, midnight)

    def send(self, recipient: str, category_key: str, message: str, call_ref: str | None = None) -> KudosView:
        """Validate everything first; refuse with a clear message and change nothing, or store (and
        enqueue for the hub) in one transaction."""
        me = self._identity.require_name()
        recipient = validate_name(recipient, "The recipient")
        if recipient == me:
            raise InvalidInput("Kudos are for your teammates: you cannot send kudos to yourself.")
        cat = category(category_key)
        text = validate_message(message)
        ref = validate_call_ref(call_ref)
        mate = self._roster.find(recipient)
        if mate is None:
            where = ("your team hub's roster" if self._identity.hub() is not None
                     else "your team roster (add teammates in Settings → Team)")
            raise InvalidInput(f"{recipient} is not on {where}.")
        now = self._clock.now()
        cap = self._settings().kudos_daily_cap
        if self.given_today(now) >= cap:
            resets = local_midnight_after(now)
            raise InvalidInput(f"You have given {cap} kudos today, your daily limit. It resets at midnight "
                               f"({resets:%H:%M} local time, {_until(resets - now)} from now).")
        hub = self._identity.hub()
        team = hub.team if hub else None
        with self._db.session() as s:
            kudos = store.insert(s, {"id": new_id(), "sender": me, "recipient": recipient, "category": cat.key,
                                     "message": text, "call_ref": ref, "team": team, "sent_at": now,
                                     "read_at": None, "created_at": now, "updated_at": now})
            if hub is not None:
                outbox.enqueue(s, "kudos", wire_record(kudos), now)
            view = _view(kudos)
        return view

    # -- reading ----------------------------------------------------------------------------------
    def inbox(self, limit: int = 200) -> list[KudosView]:
        me = self._identity.name()
        with self._db.reading() as s:
            return [_view(k) for k in store.inbox(s, me, limit)]

    def unread_count(self) -> int:
        me = self._identity.name()
        if not me:
            return 0
        with self._db.reading() as s:
            return store.unread_count(s, me)

    def mark_read(self, ids: list[str] | None = None) -> int:
        """Mark my unread kudos as read (all of them, or the given ids). Returns how many changed."""
        me = self._identity.name()
        now = self._clock.now()
        with self._db.session() as s:
            return store.mark_read(s, me, now, ids)

    def feed(self, now: datetime | None = None) -> list[KudosView]:
        """This week's kudos across the team (Monday 00:00 local time onwards), newest first."""
        start, end = week_bounds(now or self._clock.now())
        with self._db.reading() as s:
            return [_view(k) for k in store.sent_between(s, start, end)]

    def feed_page(self, after: Cursor | None = None, limit: int = PAGE, now: datetime | None = None,
                  mine: bool = False) -> Page:
        """One page of this week's kudos (or, ``mine``, of my inbox: every kudos I received), newest first,
        starting after ``after`` (the previous page's ``next``). Keyset paging on the sent_at index: a page
        costs the same with 100,000 kudos stored as with 100."""
        limit = max(1, min(int(limit), 500))
        if mine:
            where, params = "recipient = ?", [self._identity.name()]
        else:
            start, end = week_bounds(now or self._clock.now())
            where, params = "sent_at >= ? AND sent_at < ?", [start, end]
        if after is not None:
            where += " AND (sent_at < ? OR (sent_at = ? AND id < ?))"
            params += [after[0], after[0], after[1]]
        with self._db.reading() as s:
            rows = store.page(s, where, params, limit + 1)
        items = [_view(k) for k in rows[:limit]]
        more = len(rows) > limit
        return Page(items, (items[-1].sent_at, items[-1].id) if more and items else None)

    def feed_count(self, now: datetime | None = None) -> int:
        """How many kudos this week (an index range count, not a load)."""
        start, end = week_bounds(now or self._clock.now())
        with self._db.reading() as s:
            return store.count_between(s, start, end)

    def quiet_teammates(self, now: datetime | None = None) -> list[Mate]:
        """Teammates nobody has thanked yet this calendar month (local time), by display name: the gentle
        fairness hint of Send kudos. Empty when the setting is off, or the team (me included) has fewer than
        :data:`~companion.kudos.fairness.MIN_TEAM` people. Never a ranking: who received *something* is
        never counted or shown."""
        if not self._settings().kudos_suggest_quiet:
            return []
        me = self._identity.name()
        mates = [m for m in self._roster.mates() if m.name != me]
        start, end = month_bounds(now or self._clock.now())
        with self._db.reading() as s:
            thanked = store.recipients_between(s, start, end)
        return not_thanked(mates, thanked, me)

    def service_stars(self, now: datetime | None = None) -> list[Stars]:
        """For each category (in H.E.A.R.T. order) this week's star(s); categories with no kudos are left out.
        Counted by the database (GROUP BY on the week's index range), never by loading the week."""
        counts: dict[str, dict[str, int]] = {c.key: {} for c in CATEGORIES}
        start, end = week_bounds(now or self._clock.now())
        with self._db.reading() as s:
            for category_key, recipient, n in store.counts_between(s, start, end):
                counts[category_key][recipient] = n
        stars = []
        for cat in CATEGORIES:
            per = counts[cat.key]
            if per:
                best = max(per.values())
                stars.append(Stars(cat, tuple(sorted(n for n, c in per.items() if c == best)), best))
        return stars


def wire_record(k: KudosRow) -> dict[str, Any]:
    return {"id": k.id, "kind": "kudos", "sender": k.sender, "team": k.team, "recipient": k.recipient,
            "category": k.category, "message": k.message, "call_ref": k.call_ref,
            "sent_at": k.sent_at.isoformat()}


def _view(k: KudosRow) -> KudosView:
    return KudosView(k.id, k.sender, k.recipient, BY_KEY[k.category], k.message, k.call_ref, k.sent_at,
                     k.read_at is not None)


def _until(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
