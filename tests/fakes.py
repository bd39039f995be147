"""Fakes for the core's collaborators: a clock you move by hand, notifiers that record or fail."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from companion.errors import NotifyError

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, now: datetime = START, mono: float = 1000.0) -> None:
        self._now = now
        self._mono = mono

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Time passes: both clocks move together."""
        self._mono += seconds
        self._now += timedelta(seconds=seconds)

    def jump_wall_clock(self, seconds: float) -> None:
        """Someone changed the system time: only the wall clock moves."""
        self._now += timedelta(seconds=seconds)


class RecordingNotifier:
    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.shown.append((title, body))


class FailingNotifier:
    def __init__(self, name: str = "failing") -> None:
        self.name = name
        self.calls = 0

    def notify(self, title: str, body: str) -> None:
        self.calls += 1
        raise NotifyError(f"{self.name} is broken")


class RecordingPresenter:
    def __init__(self) -> None:
        self.presented: list = []

    def present(self, shown) -> None:
        self.presented.append(shown)
