"""A day's summary for "My day": calls, handle times, resets, notifications (local time day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from companion.db.sql import Row


@dataclass(frozen=True)
class DaySummary:
    start: datetime
    calls: list[Row]
    resets: list[Row]
    notifications: list[Row]

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


def summarise_day(desk, local_moment: datetime) -> DaySummary:
    start, end = day_bounds(local_moment)
    with desk.db.reading() as s:
        calls = s.all("SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
                      (start, end))
        resets = s.all("SELECT * FROM resets WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
                       (start, end))
        notes = s.all("SELECT * FROM notifications WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
                      (start, end))
    return DaySummary(start, calls, resets, notes)
