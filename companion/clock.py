"""Time sources. Services take a Clock; tests hand in a fake one.

``monotonic()`` measures durations: it never jumps with the wall clock. Where the platform offers
CLOCK_BOOTTIME (Linux) it is used, so time spent in suspend counts: a reset that was running when the
laptop slept is over when it wakes, instead of resuming mid-breath an hour later.
``now()`` is the wall clock in UTC, used only for timestamps that are stored.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


def _boottime() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)  # type: ignore[attr-defined]


class SystemClock:
    """The real clock."""

    def __init__(self) -> None:
        self._mono = _boottime if hasattr(time, "CLOCK_BOOTTIME") else time.monotonic

    def monotonic(self) -> float:
        return self._mono()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


def utc(dt: datetime) -> datetime:
    """Normalise a datetime to aware UTC (SQLite hands naive values back)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
