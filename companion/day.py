"""A day's summary for "My day": calls, handle times, resets, notifications (local time day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from companion.calls import store as calls_store
from companion.checklists import store as checklists_store
from companion.db.rows import CallRow, NotificationRow, ResetSessionRow
from companion.notify import store as notify_store
from companion.notify.kinds import FOLDABLE
from companion.reset import store as reset_store

if TYPE_CHECKING:
    from companion.desk import Desk

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


def checklist_ticks(desk: Desk, call_ids: list[str]) -> dict[str, tuple[int, int]]:
    """call id -> (ticked, items) of its checklist run, for those of ``call_ids`` that had one."""
    if not call_ids:
        return {}
    with desk.db.reading() as s:
        return {run.call_id: (run.ticked_count, run.item_count) for run in checklists_store.run_counts(s, call_ids)}
