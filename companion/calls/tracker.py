"""Call state and handle time.

A softphone (or the agent) says ``call start`` and ``call end``; the tracker records each call with its
handle time (measured on the monotonic clock, so a wall-clock change mid-call cannot distort it) and,
after a long call or one marked tough, offers a reset. While on call, notifications are held.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from companion import events as ev
from companion.calls import store
from companion.calls.refs import validate_ref
from companion.clock import Clock
from companion.config import Settings
from companion.db.engine import Database
from companion.errors import InvalidInput
from companion.events import EventHub

IDLE, ON_CALL = "idle", "on_call"


STARTED, CONTINUED, REPLACED = "started", "continued", "replaced"


@dataclass(frozen=True)
class CallStart:
    id: str
    outcome: str                      # started | continued (same reference again) | replaced
    previous_ref: str | None = None   # the call that was still open, for "replaced"
    ended_reset: bool = False         # a reset was running and the call ended it (set by the Desk)

    def describe(self, ref: str | None) -> str:
        label = f" ({ref})" if ref else ""
        if self.outcome == CONTINUED:
            return f"Call{label} is already in progress."
        text = f"Call started{label}; notifications held."
        if self.outcome == REPLACED:
            previous = f" ({self.previous_ref})" if self.previous_ref else ""
            text = f"The previous call{previous} was still open; it was ended. " + text
        if self.ended_reset:
            text += " The reset that was running has ended (it is recorded)."
        return text


@dataclass(frozen=True)
class CallSummary:
    id: str
    ref: str | None
    handle_seconds: float
    tough: bool
    offer_reset: bool


class CallTracker:
    def __init__(self, db: Database, clock: Clock, events: EventHub, settings: Callable[[], Settings]) -> None:
        self._db = db
        self._clock = clock
        self._events = events
        self._settings = settings
        self.state = IDLE
        self.current_id: str | None = None
        self.current_ref: str | None = None
        self._started_mono = 0.0

    def close_abandoned(self) -> int:
        """Calls left open by a crash or a shutdown mid-call are closed without a handle time."""
        now = self._clock.now()
        with self._db.session() as s:
            return store.close_abandoned(s, now)

    @property
    def on_call(self) -> bool:
        return self.state == ON_CALL

    def elapsed(self) -> float:
        return self._clock.monotonic() - self._started_mono if self.on_call else 0.0

    def start(self, ref: str | None = None) -> CallStart:
        """Start a call. The same reference again is the softphone repeating itself (the call goes on);
        a different one while a call is open means the first call is over."""
        ref = validate_ref(ref)
        previous: str | None = None
        outcome = STARTED
        if self.on_call:
            if ref == self.current_ref:
                return CallStart(self.current_id or "", CONTINUED)
            previous, outcome = self.current_ref, REPLACED
            self.end()
        now = self._clock.now()
        with self._db.session() as s:
            row = store.insert(s, ref, now)
            self.current_id = row.id
        self.current_ref = ref
        self._started_mono = self._clock.monotonic()
        self.state = ON_CALL
        self._events.publish(ev.CALL_STARTED, id=self.current_id, ref=ref)
        self._events.publish(ev.STATE_CHANGED)
        return CallStart(self.current_id or "", outcome, previous)

    def end(self, tough: bool = False) -> CallSummary:
        if not self.on_call or self.current_id is None:
            raise InvalidInput("No call is in progress.")
        handle = max(0.0, self._clock.monotonic() - self._started_mono)
        now = self._clock.now()
        with self._db.session() as s:
            store.end(s, self.current_id, now, round(handle, 1), tough)
        settings = self._settings()
        offer = settings.offer_reset_after_calls and (tough or handle >= settings.long_call_minutes * 60)
        summary = CallSummary(self.current_id, self.current_ref, handle, tough, offer)
        self.state, self.current_id, self.current_ref = IDLE, None, None
        self._events.publish(ev.CALL_ENDED, summary=summary)
        self._events.publish(ev.STATE_CHANGED)
        return summary
