"""The notification centre: every notification is a row; it is shown now or held.

Held while the agent is on a call, while notifications are paused (the pause ends by itself), and when
the hourly cap is reached; held notifications are shown afterwards, oldest first, unless they expired
(a "take a reset?" offer is pointless an hour later). Plain notifications go through the Notifier chain;
actionable prompts (with buttons) go to the app's own toast, through a presenter the ui installs.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol, Sequence

from companion import events as ev
from companion.clock import Clock, utc
from companion.config import Settings, SettingsStore
from companion.db.engine import Database
from companion.db.rows import NotificationRow
from companion.db.sql import Tx
from companion.errors import NotifyError
from companion.events import EventHub
from companion.notify import store
from companion.notify.base import NotifierChain
from companion.notify.kinds import FOLDABLE, FOLDED, STATUS, UNCAPPED

log = logging.getLogger(__name__)

HOLD_CALL = "call"
HOLD_PAUSED = "paused"
HOLD_RATE = "rate"
HOLD_UNDELIVERABLE = "undeliverable"
EXPIRED = "expired"
_RELEASABLE = (HOLD_CALL, HOLD_PAUSED, HOLD_RATE, HOLD_UNDELIVERABLE)
HOLD_FOLDED = "folded"  # folded into a "N more notifications" notice: never shown itself, kept in the history
MAX_WAITING = 50        # informational notifications waiting at most; older ones are folded (never an actionable one)


@dataclass(frozen=True)
class Action:
    key: str
    label: str


@dataclass(frozen=True)
class Shown:
    id: str
    kind: str
    title: str
    body: str
    actions: tuple[Action, ...]
    payload: dict[str, Any]


class Presenter(Protocol):
    """Shows an actionable prompt (the ui's toast); calls back with the chosen action key."""

    def present(self, shown: Shown) -> None: ...


class NotificationCentre:
    def __init__(self, db: Database, clock: Clock, notifier: NotifierChain, settings: Callable[[], Settings],
                 store: SettingsStore, events: EventHub) -> None:
        self._db = db
        self._clock = clock
        self._notifier = notifier
        self._settings = settings
        self._store = store
        self._events = events
        self.presenter: Presenter | None = None
        self.on_call = False
        self._paused_until: datetime | None = _parse(store.get_state("paused_until"))
        if self._paused_until is not None and clock.now() >= self._paused_until:
            self._paused_until = None  # it ended while the app was closed: nothing to announce
            store.set_state("paused_until", None)

    # -- state -------------------------------------------------------------------------------------
    @property
    def paused_until(self) -> datetime | None:
        """The end of the current pause, or None. Pure: an expired pause reads as None here and is
        cleared (with its "back on" notice) by ``expire_pause``, which flush and the ui's timer call."""
        until = self._paused_until
        return until if until is not None and self._clock.now() < until else None

    def expire_pause(self) -> bool:
        """End a pause whose time has come (it resumes by itself). True if one just ended."""
        if self._paused_until is None or self._clock.now() < self._paused_until:
            return False
        self._clear_pause()
        return True

    def pause(self, until: datetime) -> None:
        until = utc(until)
        if until <= self._clock.now():
            raise ValueError("a pause must end in the future")
        self._paused_until = until
        self._store.set_state("paused_until", until.isoformat())
        self._events.publish(ev.NOTIFICATIONS_PAUSED, until=until)

    def resume(self) -> None:
        """Resume now (the agent asked)."""
        if self._paused_until is not None:
            self._clear_pause()
        self.flush()

    def _clear_pause(self) -> None:
        self._paused_until = None
        self._store.set_state("paused_until", None)
        self._events.publish(ev.NOTIFICATIONS_RESUMED)

    def set_on_call(self, on_call: bool) -> None:
        self.on_call = on_call
        if not on_call:
            self.flush()

    # -- posting -----------------------------------------------------------------------------------
    def post(self, kind: str, title: str, body: str, *, payload: dict[str, Any] | None = None,
             actions: Sequence[Action] = (), expires_after: timedelta | None = None) -> str:
        now = self._clock.now()
        data = dict(payload or {})
        if actions:
            data["actions"] = [{"key": a.key, "label": a.label} for a in actions]
        with self._db.session() as s:
            row = store.insert(s, {"kind": kind, "title": title[:200], "body": body,
                                   "payload": json.dumps(data), "created_at": now, "updated_at": now,
                                   "expires_at": now + expires_after if expires_after else None})
            notification_id = row.id
        if not self._try_show(notification_id) and kind in FOLDABLE:
            self._bound_waiting(now)
        return notification_id

    def _bound_waiting(self, now: datetime) -> None:
        """Keep at most MAX_WAITING informational notifications waiting: the oldest beyond it are folded into
        one waiting notice ("37 more notifications"), itself counted and updated, never duplicated.
        Actionable prompts (a deep-breath invitation, a reset offer) are never folded."""
        reason = self._hold_reason() or HOLD_UNDELIVERABLE
        with self._db.session() as s:
            excess = store.held_of_kinds(s, _RELEASABLE, FOLDABLE) - (MAX_WAITING - 1)
            if excess <= 0:
                return
            folded = store.fold_oldest(s, _RELEASABLE, FOLDABLE, excess, HOLD_FOLDED)
            summary = store.waiting_of_kind(s, _RELEASABLE, FOLDED)
            total = folded + (json.loads(summary.payload or "{}").get("folded", 0) if summary else 0)
            title = f"{total} more notification{'s' if total != 1 else ''} while you were busy"
            body = "They are listed in My day → Notifications; kudos are in the Team feed."
            values = {"title": title, "body": body, "payload": json.dumps({"folded": total}), "updated_at": now}
            if summary is not None:
                store.change(s, summary.id, values)
            else:
                store.insert(s, {"kind": FOLDED, "created_at": now, "held_reason": reason, **values})

    def _hold_reason(self, kind: str = "") -> str | None:
        if self.on_call:
            return HOLD_CALL
        if self.paused_until is not None:
            return HOLD_PAUSED
        if kind not in UNCAPPED and self.shown_in_last_hour() >= self._settings().notifications_per_hour:
            return HOLD_RATE
        return None

    def shown_in_last_hour(self) -> int:
        """Notifications counted against the hourly cap (the app's own status notices are not)."""
        since = self._clock.now() - timedelta(hours=1)
        with self._db.reading() as s:
            return store.shown_since(s, since, STATUS)

    def _try_show(self, notification_id: str) -> bool:
        """Show one notification if the rules allow. The decision and its record are two short transactions;
        the notifier (notify-send, a D-Bus round trip) runs between them, outside any transaction, so a slow
        desktop never holds the database from the sync worker. The centre runs on the GUI thread only."""
        now = self._clock.now()
        with self._db.session() as s:
            row = store.get(s, notification_id)
            if row is None or row.shown_at is not None:
                return False
            if row.expires_at is not None and now >= row.expires_at:
                _change(s, notification_id, held_reason=EXPIRED)
                return False
            reason = self._hold_reason(row.kind)
            if reason is not None:
                _change(s, notification_id, held_reason=reason)
                return False
            payload = json.loads(row.payload or "{}")
            actions = tuple(Action(a["key"], a["label"]) for a in payload.get("actions", ()))
            shown = Shown(row.id, row.kind, row.title, row.body, actions, payload)
        try:
            if actions and self.presenter is not None:
                self.presenter.present(shown)
                via = "toast"
            else:
                via = self._notifier.notify(shown.title, shown.body)
        except NotifyError as exc:
            log.warning("notification %s held: %s", notification_id, exc)
            self._record(notification_id, held_reason=HOLD_UNDELIVERABLE)
            return False
        self._record(notification_id, shown_at=now, shown_via=via, held_reason=None)
        self._events.publish(ev.NOTIFICATION_SHOWN, id=notification_id, via=via)
        return True

    def _record(self, notification_id: str, **changes: Any) -> None:
        with self._db.session() as s:
            _change(s, notification_id, **changes)

    def flush(self) -> list[str]:
        """Show held notifications, oldest first, as far as the rules allow. Returns the ids shown.
        A pause that has just ended is announced after them (not counted against the cap)."""
        pause_ended = self.expire_pause()
        with self._db.reading() as s:
            rows = store.held(s, _RELEASABLE)
        # Kinds the hourly cap does not hold go first, so a capped one cannot keep them waiting.
        ids = [row.id for row in sorted(rows, key=lambda row: row.kind not in UNCAPPED)]
        shown = []
        for notification_id in ids:
            if self._try_show(notification_id):
                shown.append(notification_id)
            elif self._hold_reason() is not None:
                break  # still on call / paused / capped: the rest wait too
        if pause_ended:
            self.post(STATUS, "Notifications are back on", "Your pause has ended.")
        return shown

    def next_wakeup(self) -> datetime | None:
        """When held notifications could next be released without any other event: the end of a pause
        (it also resumes the app's state), or a slot freed under the hourly cap. None during a call: the
        call's end flushes, and nothing is due before it."""
        if self._paused_until is not None:
            return self._paused_until
        if self.on_call:
            return None
        with self._db.reading() as s:
            waiting = store.held_count(s, (HOLD_RATE,))
            if not waiting:
                return None
            since = self._clock.now() - timedelta(hours=1)
            oldest = store.oldest_shown_since(s, since)
        if oldest is None:  # a slot is free already: flush soon (the ui waits at least a second)
            return self._clock.now()
        return oldest + timedelta(hours=1)

    # -- history -----------------------------------------------------------------------------------
    def history(self, limit: int = 100) -> list[NotificationRow]:
        with self._db.reading() as s:
            return store.latest(s, limit)

    def waiting(self) -> int:
        with self._db.reading() as s:
            return store.held_count(s, _RELEASABLE)

    def get(self, notification_id: str) -> NotificationRow | None:
        with self._db.reading() as s:
            return store.get(s, notification_id)

    def live(self, kind: str) -> NotificationRow | None:
        """The newest notification of ``kind`` that can still be acted on: not read (answered), not expired
        (a reset offer lives for its ten minutes, whether its card is on screen or tucked away)."""
        now = self._clock.now()
        with self._db.reading() as s:
            return store.live(s, kind, now, EXPIRED)

    def retire(self, kind: str) -> int:
        """The live notifications of ``kind`` are moot (a reset started, a new call began): they are marked
        read, and one still held is never shown later. Returns how many."""
        now = self._clock.now()
        with self._db.session() as s:
            return store.retire(s, kind, now, EXPIRED)

    def mark_read(self, notification_id: str) -> None:
        with self._db.session() as s:
            store.mark_read(s, notification_id, self._clock.now())


def _change(session: Tx, notification_id: str, **changes: Any) -> None:
    """Set columns of one notification; only a real change is written (and stamps ``updated_at``)."""
    store.change(session, notification_id, changes)


def _parse(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return utc(datetime.fromisoformat(raw))
    except ValueError:
        return None
