"""Starting, finishing and recording resets. Every session is recorded: trigger, pattern, planned and
actual seconds, outcome, and the optional private moods. Nothing here is ever synced."""
from __future__ import annotations

from companion import events as ev
from companion.clock import Clock
from companion.db.engine import Database
from companion.errors import InvalidInput
from companion.events import EventHub
from companion.reset.patterns import PATTERNS, validate_minutes
from companion.reset.session import ResetSession

TRIGGERS = ("tray", "cli", "after_call", "window", "group_breath")


def validate_mood(mood: int | None) -> int | None:
    if mood is not None and (isinstance(mood, bool) or not isinstance(mood, int) or not 1 <= mood <= 5):
        raise InvalidInput("A mood is a number from 1 to 5.")
    return mood


class ResetService:
    def __init__(self, db: Database, clock: Clock, events: EventHub) -> None:
        self._db = db
        self._clock = clock
        self._events = events
        self.current: ResetSession | None = None
        self._mood_before: int | None = None
        self._call_id: str | None = None

    def start(self, pattern_key: str, minutes: int, trigger: str, *, mood_before: int | None = None,
              call_id: str | None = None) -> ResetSession:
        if self.current is not None:
            raise InvalidInput("A reset is already running.")
        pattern = PATTERNS.get(pattern_key)
        if pattern is None:
            raise InvalidInput(f"Unknown breathing pattern {pattern_key!r}; choose one of {', '.join(PATTERNS)}.")
        minutes = validate_minutes(minutes)
        if trigger not in TRIGGERS:
            raise InvalidInput(f"Unknown reset trigger {trigger!r}.")
        self._mood_before = validate_mood(mood_before)
        self._call_id = call_id
        self.current = ResetSession(pattern, minutes * 60, self._clock.monotonic(),
                                    self._clock.now(), trigger)
        self._events.publish(ev.RESET_STARTED, session=self.current)
        return self.current

    def begin_breathing(self) -> None:
        """The reset window's mood step is over: the running session's time starts now (see ResetSession.begin)."""
        if self.current is not None:
            self.current.begin(self._clock.monotonic(), self._clock.now())

    def set_mood_before(self, mood: int | None) -> None:
        self._mood_before = validate_mood(mood)

    def tick(self) -> ResetSession | None:
        """Advance the running session; records and returns it when it has just finished."""
        session = self.current
        if session is None:
            return None
        if session.tick(self._clock.monotonic()).finished:
            return self._record(session)
        return None

    def end_early(self, reason: str | None = None) -> ResetSession | None:
        """End the running session now. ``reason`` (e.g. "call-started", "quit") travels with the
        ``reset.finished`` event for the presence hooks (companion.presence)."""
        session = self.current
        if session is None:
            return None
        session.end_early(self._clock.monotonic())
        return self._record(session, reason)

    def _record(self, session: ResetSession, reason: str | None = None) -> ResetSession:
        """Save the finished session. ``current`` is cleared even if saving fails, so a failed save never
        leaves the desk stuck in a reset; a call that no longer exists (its data was deleted) is not linked."""
        now = self._clock.now()
        try:
            with self._db.session() as s:
                call_id = self._call_id
                if call_id is not None and s.get("calls", call_id) is None:
                    call_id = None
                row = s.insert("resets", {"trigger": session.trigger, "pattern": session.pattern.key,
                                          "planned_seconds": session.planned_seconds,
                                          "actual_seconds": round(session.actual_seconds, 1),
                                          "outcome": session.state, "started_at": session.started_at,
                                          "ended_at": session.ended_at, "mood_before": self._mood_before,
                                          "call_id": call_id, "created_at": now, "updated_at": now})
                session.record_id = row.id  # type: ignore[attr-defined]
        finally:
            self.current = None
            self._call_id = None
        self._events.publish(ev.RESET_FINISHED, session=session, reason=reason)
        return session

    def set_mood_after(self, record_id: str, mood: int | None) -> None:
        validate_mood(mood)
        with self._db.session() as s:
            row = s.get("resets", record_id)
            if row is None:
                raise InvalidInput("That reset is no longer in your history.")
            if row.mood_after != mood:
                s.update("resets", {"mood_after": mood}, "id = ?", (record_id,))
