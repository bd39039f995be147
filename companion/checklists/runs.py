"""Checklist runs: the Moment of Truth checklist of one call, from call start to the outcome step.

The Desk owns one ChecklistService: a call start opens a run on the active template, the agent ticks items
(1-9 or the mouse), the call end saves the run with its handle time, and the outcome step may add how the
moment went and "what got in the way?". Runs are private coaching data: they are never put in the outbox
and never leave this desk.

Timing rules (what the panel shows):
- an item with ``due_within_seconds`` is *due* until that time has passed, then *late* until ticked;
- closing items are *upcoming* until the call nears its end: when the call has lasted 70 % of the agent's
  recent average handle time (3 minutes when there is no history yet), or every other item is ticked.
Score: the share of the template's items that were ticked (0-1); a late tick still counts as ticked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from companion.calls import store as calls_store
from companion.calls.tracker import CallStart
from companion.checklists import store
from companion.checklists.store import TemplateStore
from companion.checklists.templates import Item, check_text
from companion.clock import Clock
from companion.config import SettingsStore
from companion.db.engine import Database
from companion.errors import InvalidInput

OUTCOMES = ("positive", "neutral", "negative")
MAX_OBSTACLE = 1000
CLOSING_SHARE = 0.7            # closing items come forward at 70 % of the recent average handle time
DEFAULT_CLOSING_AFTER = 180.0  # ... or after 3 minutes with no history
RECENT_CALLS = 20

# Item states for the panel
TICKED, DUE, LATE, OPEN, UPCOMING, CLOSING = "ticked", "due", "late", "open", "upcoming", "closing"


def score(items: tuple[Item, ...], ticked: dict[str, float]) -> float:
    """The share of the items that were ticked (0-1). Ticks of keys not in the template do not count."""
    if not items:
        return 0.0
    return sum(1 for item in items if item.key in ticked) / len(items)


@dataclass
class ActiveRun:
    call_id: str
    template_id: str
    template_version: int
    template_name: str
    items: tuple[Item, ...]
    started_at: datetime
    started_mono: float
    closing_after: float
    ticked: dict[str, float] = field(default_factory=dict)  # item key -> seconds after the start

    def elapsed(self, mono: float) -> float:
        return max(0.0, mono - self.started_mono)

    def closing_now(self, mono: float) -> bool:
        others = [i for i in self.items if not i.closing]
        if others and all(i.key in self.ticked for i in others):
            return True
        return self.elapsed(mono) >= self.closing_after

    def state(self, item: Item, mono: float) -> str:
        if item.key in self.ticked:
            return TICKED
        elapsed = self.elapsed(mono)
        if item.due_within_seconds is not None:
            return DUE if elapsed <= item.due_within_seconds else LATE
        if item.closing:
            return CLOSING if self.closing_now(mono) else UPCOMING
        return OPEN

    def seconds_left(self, item: Item, mono: float) -> float | None:
        if item.due_within_seconds is None or item.key in self.ticked:
            return None
        return item.due_within_seconds - self.elapsed(mono)

    def score(self) -> float:
        return score(self.items, self.ticked)


@dataclass(frozen=True)
class SavedRun:
    id: str
    call_id: str
    template_name: str
    score: float
    ticked: int
    items: int
    handle_seconds: float | None


class ChecklistService:
    def __init__(self, db: Database, clock: Clock, templates: TemplateStore) -> None:
        self._db = db
        self._clock = clock
        self.templates = templates
        self.active: ActiveRun | None = None
        self.last_saved: SavedRun | None = None

    @classmethod
    def build(cls, db: Database, clock: Clock, state: SettingsStore) -> "ChecklistService":
        return cls(db, clock, TemplateStore(db, clock, state))

    # -- the desk's two hooks ---------------------------------------------------------------------
    def call_started(self, started: CallStart) -> ActiveRun | None:
        """A call started: open a run on the active template. The same call again keeps its run; a call
        that replaced an open one saves that one's run first."""
        if self.active is not None:
            if self.active.call_id == started.id:
                return self.active  # the softphone repeated itself
            self.save()  # a new call replaced the open one: its run is saved as it stands
        stored = self.templates.active()
        self.active = ActiveRun(started.id, stored.id, stored.version, stored.name, stored.template.items,
                                self._clock.now(), self._clock.monotonic(), self._closing_after())
        return self.active

    def call_ended(self) -> SavedRun | None:
        """The call ended: save its run. ``last_saved`` is this call's run (None when it had none)."""
        self.last_saved = self.save()
        return self.last_saved

    def monotonic(self) -> float:
        """The clock the run's timing uses (for the panel's due/closing display)."""
        return self._clock.monotonic()

    # -- during the call --------------------------------------------------------------------------
    def tick(self, key: str) -> bool:
        """Tick an item (or untick it if it is ticked). Returns whether it is ticked now."""
        run = self._require_active()
        if key not in {i.key for i in run.items}:
            raise InvalidInput(f"This checklist has no item {key!r}.")
        if key in run.ticked:
            del run.ticked[key]
            return False
        run.ticked[key] = round(run.elapsed(self._clock.monotonic()), 1)
        return True

    def tick_number(self, number: int) -> str | None:
        """Tick item ``number`` (1-based, as the keys 1-9 on the panel). Returns its key, None if out of range."""
        run = self._require_active()
        if not 1 <= number <= len(run.items):
            return None
        key = run.items[number - 1].key
        self.tick(key)
        return key

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> SavedRun | None:
        """Save the active run (ticks and when, handle time from the call) and close it."""
        run, self.active = self.active, None
        if run is None:
            return None
        now = self._clock.now()
        value = run.score()
        with self._db.session() as s:
            call = calls_store.get(s, run.call_id)
            if call is None:  # the call is gone (its data was deleted meanwhile): nothing to attach to
                return None
            handle = call.handle_seconds
            if handle is None:
                handle = round(run.elapsed(self._clock.monotonic()), 1)
            row = store.insert_run(s, {
                "call_id": run.call_id, "template_id": run.template_id, "template_version": run.template_version,
                "template_name": run.template_name, "started_at": run.started_at, "ended_at": now,
                "handle_seconds": handle, "item_count": len(run.items),
                "ticked_count": sum(1 for i in run.items if i.key in run.ticked), "score": value,
                "created_at": now, "updated_at": now})
            for position, item in enumerate(run.items, start=1):
                store.insert_run_item(s, row.id, position, item.key, run.ticked.get(item.key))
            saved = SavedRun(row.id, run.call_id, run.template_name, value, row.ticked_count, row.item_count,
                             handle)
        self.last_saved = saved
        return saved

    def set_outcome(self, run_id: str, outcome: str | None, obstacle: str | None) -> None:
        """The outcome step: how the moment went (optional) and what got in the way (optional)."""
        if outcome is not None and outcome not in OUTCOMES:
            raise InvalidInput(f"The outcome is one of {', '.join(OUTCOMES)}.")
        text = check_text(obstacle, "What got in the way", MAX_OBSTACLE, required=False) if obstacle else None
        with self._db.session() as s:
            if not store.set_run_outcome(s, run_id, outcome, text, self._clock.now()):
                raise InvalidInput("That checklist run no longer exists.")

    def run_items(self, run_id: str) -> list[tuple[str, float | None]]:
        with self._db.reading() as s:
            rows = store.run_items(s, run_id)
        return [(r.item_key, r.ticked_at) for r in rows]

    # -- helpers ----------------------------------------------------------------------------------
    def _require_active(self) -> ActiveRun:
        if self.active is None:
            raise InvalidInput("There is no call checklist open.")
        return self.active

    def _closing_after(self) -> float:
        with self._db.reading() as s:
            recent = calls_store.recent_handle_seconds(s, RECENT_CALLS)
        if not recent:
            return DEFAULT_CLOSING_AFTER
        return CLOSING_SHARE * sum(recent) / len(recent)
