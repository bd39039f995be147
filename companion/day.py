"""A day's summary for "My day": calls, handle times, resets, notifications (local time day)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from companion.calls import store as calls_store
from companion.checklists import store as checklists_store
from companion.db.sql import Row
from companion.db.rows import CallRow, NotificationRow, ResetSessionRow
from companion.notify import store as notify_store
from companion.notify.kinds import FOLDABLE
from companion.reset import store as reset_store
from companion.reset.patterns import PATTERNS

if TYPE_CHECKING:
    from companion.desk import Desk

# The mood scale's words (the reset window's and the mood tap's: ui/widgets/mood.py shows the same five)
MOOD_WORDS = {1: "Drained", 2: "Tense", 3: "Okay", 4: "Good", 5: "Great"}
OUTCOME_WORDS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
RESET_OUTCOMES = {"completed": "Completed", "ended_early": "Ended early", "interrupted": "Interrupted by a call"}
TAKEN, DECLINED, LAPSED, OPEN = "taken", "declined", "lapsed", "still open"

# My day stays quick and small whatever arrived (issue 14: 100,000 kudos in a day): it holds every prompt and
# notice of the app (a few a call) but only the newest DAY_NOTIFICATIONS informational ones (kudos received,
# "your obstacle was acted on"); notifications_page() reads the day's list a page at a time.
DAY_NOTIFICATIONS = 200
PAGE_SIZE = 200


@dataclass(frozen=True)
class DaySummary:
    start: datetime
    calls: list[CallRow]
    resets: list[ResetSessionRow]
    notifications: list[NotificationRow]  # bounded: see summarise_day
    notification_count: int = 0            # all of the day's notifications (``notifications`` may hold fewer)

    @property
    def average_handle(self) -> float | None:
        times = [c.handle_seconds for c in self.calls if c.handle_seconds is not None]
        return sum(times) / len(times) if times else None

    @property
    def reset_seconds(self) -> float:
        return sum(r.actual_seconds for r in self.resets)


def day_bounds(local_moment: datetime) -> tuple[datetime, datetime]:
    start_local = local_moment.replace(hour=0, minute=0, second=0, microsecond=0)
    end_local = start_local + timedelta(days=1)
    return start_local.astimezone(timezone.utc), end_local.astimezone(timezone.utc)


def summarise_day(desk: Desk, local_moment: datetime) -> DaySummary:
    start, end = day_bounds(local_moment)
    with desk.db.reading() as s:
        calls = calls_store.between(s, start, end)
        resets = reset_store.between(s, start, end)
        notes = notify_store.of_day(s, start, end, FOLDABLE, DAY_NOTIFICATIONS)
        count = notify_store.count_of_day(s, start, end)
    return DaySummary(start, calls, resets, notes, count)


def notifications_page(desk: Desk, local_moment: datetime, page: int, size: int = PAGE_SIZE
                       ) -> list[NotificationRow]:
    """Page ``page`` (0 = the newest) of the day's notifications, newest first, ``size`` at most."""
    start, end = day_bounds(local_moment)
    size = max(1, min(size, PAGE_SIZE))
    with desk.db.reading() as s:
        return notify_store.page_of_day(s, start, end, max(0, page) * size, size)


def pattern_name(key: str) -> str:
    """ "box" -> "Box breathing" (the pattern's name without its counts); an unknown key as it is."""
    import re

    pattern = PATTERNS.get(key)
    return key if pattern is None else re.sub(r"\s+[\d-]+$", "", pattern.name)


def mood_word(value: int | None) -> str:
    return MOOD_WORDS.get(value, "–") if value is not None else "–"


def mood_change(before: int | None, after: int | None) -> str:
    """ "Tense → Good"; a step not answered is "–"."""
    return f"{mood_word(before)} → {mood_word(after)}"


def reset_outcome(outcome: str) -> str:
    return RESET_OUTCOMES.get(outcome, outcome.replace("_", " ").capitalize())


def call_checklists(desk: Desk, call_ids: list[str]) -> dict[str, Row]:
    """call id -> its checklist run's ``ticked_count``, ``item_count``, ``outcome``, ``obstacle_text``."""
    with desk.db.reading() as s:
        return {run.call_id: run for run in checklists_store.runs_of_calls(s, call_ids)}


def offer_states(summary: DaySummary, now: datetime, calls: list[Row] | None = None) -> dict[str, str]:
    """call id -> what became of the reset offered after it: taken (a reset linked to the call ran), declined
    ("Not now", or the offer put away), lapsed (its 10 minutes ran out, or the next call began first), still
    open. Only calls that were offered one appear."""
    taken = {r.call_id for r in summary.resets if r.call_id}
    starts = [c.started_at for c in (calls if calls is not None else summary.calls)]
    states = {}
    for note in summary.notifications:
        if note.kind != "reset_offer":
            continue
        call_id = json.loads(note.payload or "{}").get("call_id")
        if not call_id:
            continue
        if call_id in taken:
            states[call_id] = TAKEN
        elif note.read_at is None:
            states[call_id] = LAPSED if note.expires_at is not None and now >= note.expires_at else OPEN
        elif (note.expires_at is not None and note.read_at >= note.expires_at) or any(
                note.created_at <= start <= note.read_at for start in starts):
            states[call_id] = LAPSED
        else:
            states[call_id] = DECLINED
    return states
