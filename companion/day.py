"""A day's summary for "My day": calls, handle times, resets, notifications (local time day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from companion.db.models import CallRecord, Notification, ResetSession


@dataclass(frozen=True)
class DaySummary:
    start: datetime
    calls: list[CallRecord]
    resets: list[ResetSession]
    notifications: list[Notification]

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
        calls = list(s.scalars(select(CallRecord).where(CallRecord.started_at >= start, CallRecord.started_at < end)
                               .order_by(CallRecord.started_at)))
        resets = list(s.scalars(select(ResetSession).where(ResetSession.started_at >= start,
                                                           ResetSession.started_at < end)
                                .order_by(ResetSession.started_at)))
        notes = list(s.scalars(select(Notification).where(Notification.created_at >= start,
                                                          Notification.created_at < end)
                               .order_by(Notification.created_at)))
    return DaySummary(start, calls, resets, notes)
