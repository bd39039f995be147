"""The reset session state machine: "what is due at now", from an injected monotonic clock.

The ui's timer only asks ``tick(now)``; the session never sleeps or schedules anything itself, so it is
tested deterministically with a fake clock. Monotonic time never jumps with the wall clock. A gap
between ticks longer than ``GAP_SECONDS`` means the machine was suspended (or the app frozen): the
session ends as ``interrupted`` at the last moment it was seen running, so no breathing happens "while
asleep".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.reset.patterns import Pattern, Phase

RUNNING, COMPLETED, ENDED_EARLY, INTERRUPTED = "running", "completed", "ended_early", "interrupted"
GAP_SECONDS = 15.0


@dataclass(frozen=True)
class Snapshot:
    state: str
    phase: Phase
    phase_index: int
    phase_progress: float      # 0..1 within the current phase
    phase_remaining: float     # seconds
    elapsed: float             # seconds of breathing so far
    remaining: float           # seconds left in the session

    @property
    def finished(self) -> bool:
        return self.state != RUNNING


class ResetSession:
    def __init__(self, pattern: Pattern, planned_seconds: int, started_mono: float, started_at: datetime,
                 trigger: str) -> None:
        if planned_seconds <= 0:
            raise ValueError("planned_seconds must be positive")
        self.pattern = pattern
        self.planned_seconds = planned_seconds
        self.started_mono = started_mono
        self.started_at = started_at
        self.trigger = trigger
        self.state = RUNNING
        self._last_seen = started_mono
        self.actual_seconds = 0.0

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.actual_seconds)

    def begin(self, now: float, at: datetime) -> None:
        """The breathing begins now (the window's mood step before it took a few seconds): the planned time
        counts from here, so the agent gets the whole reset they asked for. Only while still running."""
        if self.state != RUNNING:
            raise ValueError("a finished reset cannot begin again")
        self.started_mono = self._last_seen = now
        self.started_at = at

    def _elapsed(self, now: float) -> float:
        return min(max(0.0, now - self.started_mono), float(self.planned_seconds))

    def tick(self, now: float) -> Snapshot:
        if self.state == RUNNING:
            if now - self._last_seen > GAP_SECONDS:
                self._finish(INTERRUPTED, self._last_seen)
            elif now - self.started_mono >= self.planned_seconds:
                self._finish(COMPLETED, now)
            else:
                self._last_seen = max(self._last_seen, now)
        return self.snapshot(now)

    def end_early(self, now: float) -> Snapshot:
        if self.state == RUNNING:
            snap = self.tick(now)
            if snap.finished:
                return snap
            self._finish(ENDED_EARLY, now)
        return self.snapshot(now)

    def _finish(self, state: str, at: float) -> None:
        self.state = state
        self.actual_seconds = self._elapsed(at)

    def snapshot(self, now: float) -> Snapshot:
        elapsed = self.actual_seconds if self.state != RUNNING else self._elapsed(now)
        t = elapsed % self.pattern.cycle_seconds
        for index, phase in enumerate(self.pattern.phases):
            if t < phase.seconds or index == len(self.pattern.phases) - 1:
                progress = min(1.0, t / phase.seconds)
                return Snapshot(self.state, phase, index, progress, max(0.0, phase.seconds - t), elapsed,
                                max(0.0, self.planned_seconds - elapsed))
            t -= phase.seconds
        raise AssertionError("unreachable")
