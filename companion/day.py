"""A day's summary for "My day": calls, handle times, resets, notifications (local time day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from companion.calls import store as calls_store
from companion.checklists import store as checklists_store
from companion.db.rows import CallRow, NotificationRow, ResetSessionRow
from companion.notify import store as notify_store
from companion.reset import store as reset_store

if TYPE_CHECKING:
    from companion.desk import Desk


@dataclass(frozen=True)
class DaySummary:
    start: datetime
    calls: list[CallRow]
    resets: list[ResetSessionRow]
    notifications: list[NotificationRow]

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
        notes = notify_store.created_between(s, start, end)
    return DaySummary(start, calls, resets, notes)


def checklist_ticks(desk: Desk, call_ids: list[str]) -> dict[str, tuple[int, int]]:
    """call id -> (ticked, items) of its checklist run, for those of ``call_ids`` that had one."""
    if not call_ids:
        return {}
    with desk.db.reading() as s:
        return {run.call_id: (run.ticked_count, run.item_count) for run in checklists_store.run_counts(s, call_ids)}
