"""The agent's desk: the core services wired together, and the rules that span them.

- a call holds notifications; its end releases them and, after a long or tough call, offers a reset;
- a reset never starts during a live call;
- pauses end by themselves.
The ui owns one Desk, drives it from the tray, the local socket and its timers, and listens to its events.
"""
from __future__ import annotations

import json
import threading

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from companion import events as ev
from companion.calls import store as calls_store
from companion.calls.refs import validate_ref
from companion.calls.tracker import CallStart, CallSummary, CallTracker
from companion.checklists.runs import ChecklistService
from companion.clock import Clock
from companion.config import Settings, SettingsStore
from companion.db.engine import Database
from companion.errors import InvalidInput
from companion.events import EventHub
from companion.notify.base import NotifierChain
from companion.notify.centre import Action, NotificationCentre
from companion.notify.kinds import INFO, KUDOS_RECEIVED, OBSTACLE_ACTED, RESET_OFFER
from companion.reset.patterns import PATTERNS
from companion.reset.service import ResetService
from companion.reset.session import ResetSession
from companion.status import app_state
from companion.kudos.service import KudosService  # team (issue 3)
from companion.obstacles.service import ObstacleService
from companion.team.breath import BreathService
from companion.team.identity import Identity
from companion.team.roster import Roster

OFFER_ACTIONS = (Action("start", "Start a 60-second reset"), Action("dismiss", "Not now"))
OFFER_EXPIRES = timedelta(minutes=10)
TOMORROW_AT = time(6, 0)  # "pause until tomorrow" ends at 06:00 local time


class Desk:
    def __init__(self, db: Database, clock: Clock, notifier: NotifierChain, events: EventHub | None = None) -> None:
        self.db = db
        self.clock = clock
        self.events = events or EventHub()
        self.store = SettingsStore(db)
        self._settings = self.store.load()
        self.calls = CallTracker(db, clock, self.events, self.settings)
        self.resets = ResetService(db, clock, self.events)
        self.notifications = NotificationCentre(db, clock, notifier, self.settings, self.store, self.events)
        self.offline = False   # the team hub is configured but unreachable (set from team.status)
        self.team_waiting = 0  # outbox items not yet delivered to the hub
        self.team_problem: str | None = None  # why delivery waits when it is not the hub (status.TEAM_*)
        # Shared by the sync worker's push and Delete my data: a delete never lands between the worker
        # reading the outbox and the hub committing what it read (companion.mydata.delete_all).
        self.delivery = threading.Lock()
        self.calls.close_abandoned()
        # Team (issue 3): roster, kudos, Voice of the Customer, group deep breath.
        self.identity = Identity(self.store, self.settings)
        self.roster = Roster(db, clock)
        self.kudos = KudosService(db, clock, self.identity, self.roster, self.settings)
        self.obstacles = ObstacleService(db, clock, self.identity)
        self.breath = BreathService(db, clock, self.identity, self.roster, self.notifications, self.events)
        self.breath.sweep_missed()
        self.checklists = ChecklistService.build(db, clock, self.store)  # Moment of Truth checklist runs (issue 4)

    def welcome_if_first_run(self) -> bool:
        """The first start says where the app went (a tray icon is easy to miss). Once per database."""
        if self.store.get_state("welcomed"):
            return False
        self.notifications.post(INFO, "Agent Companion is in your tray",
                                "Right-click the heart icon for a reset, to pause notifications or to see "
                                "your day. It stays quiet while you are on a call.")
        self.store.set_state("welcomed", True)
        return True

    # -- settings ---------------------------------------------------------------------------------
    def settings(self) -> Settings:
        return self._settings

    def save_settings(self, settings: Settings) -> Settings:
        self._settings = self.store.save(settings)
        self.notifications.flush()  # a higher cap may release held notifications
        return self._settings

    # -- state ------------------------------------------------------------------------------------
    def state(self) -> str:
        return app_state(on_call=self.calls.on_call, in_reset=self.resets.current is not None,
                         paused=self.notifications.paused_until is not None, offline=self.offline)

    def status(self) -> dict[str, Any]:
        paused = self.notifications.paused_until
        return {
            "state": self.state(),
            "on_call_seconds": round(self.calls.elapsed(), 1) if self.calls.on_call else None,
            "call_ref": self.calls.current_ref,
            "paused_until": paused.isoformat() if paused else None,
            "waiting_notifications": self.notifications.waiting(),
            "unread_kudos": self.kudos.unread_count(),
            "lead": self.identity.is_lead(),
            "team_waiting": self.team_waiting,
            "team_problem": self.team_problem,
            "reset_offer": self.reset_offer() is not None,
        }

    def set_team_status(self, online: bool, waiting: int, problem: str | None = None) -> None:
        """From the sync worker's ``team.status`` (delivered on the GUI thread): the tray says so. ``problem``
        names a cause on this computer (``status.TEAM_PROBLEMS``) rather than an unreachable hub."""
        self.offline, self.team_waiting = not online, waiting
        self.team_problem = None if online else problem

    # -- calls ------------------------------------------------------------------------------------
    def start_call(self, ref: str | None = None) -> CallStart:
        """A call always wins: a reset still running is ended (and recorded) before the call starts."""
        validate_ref(ref)  # refuse a bad reference before anything changes
        ended_reset = self.resets.current is not None and self.end_reset("call-started") is not None
        started = self.calls.start(ref)
        self.notifications.retire(RESET_OFFER)  # the last call's offer is moot once the next call starts
        self.notifications.set_on_call(True)
        self.checklists.call_started(started)
        return replace(started, ended_reset=True) if ended_reset else started

    def end_call(self, tough: bool = False) -> CallSummary:
        summary = self.calls.end(tough)
        self.notifications.set_on_call(False)
        self.checklists.call_ended()
        if summary.offer_reset and self.resets.current is None:
            why = "That was a tough one." if summary.tough else f"That call took {_minutes(summary.handle_seconds)}."
            self.notifications.post(RESET_OFFER, "Take a 60-second reset?", f"{why} A minute of breathing helps.",
                                    payload={"call_id": summary.id}, actions=OFFER_ACTIONS,
                                    expires_after=OFFER_EXPIRES)
            self.events.publish(ev.RESET_OFFERED, call_id=summary.id)
        return summary

    # -- resets -----------------------------------------------------------------------------------
    def start_reset(self, minutes: int, pattern: str | None, trigger: str, *,
                    call_id: str | None = None) -> ResetSession:
        if self.calls.on_call:
            raise InvalidInput("You're on a call. A reset can start when the call has ended.")
        session = self.resets.start(pattern or self._settings.default_pattern, minutes, trigger, call_id=call_id)
        self.notifications.retire(RESET_OFFER)  # a reset is running: an offer of one is answered
        self.events.publish(ev.STATE_CHANGED)
        return session

    def reset_offer(self) -> str | None:
        """The id of the reset offer that can still be taken (it lives OFFER_EXPIRES after the call, whether
        its card is on screen or tucked away), or None."""
        row = self.notifications.live(RESET_OFFER)
        return None if row is None or self.calls.on_call or self.resets.current is not None else row.id

    def take_reset_offer(self) -> ResetSession:
        """Take the offered reset later (the tray's "Take the offered reset"): the 60-second reset, linked
        to the call that earned it."""
        offer = self.reset_offer()
        if offer is None:
            raise InvalidInput("There is no reset offer to take now (an offer lapses after 10 minutes).")
        row = self.notifications.get(offer)
        call_id = json.loads(row.payload or "{}").get("call_id") if row is not None else None
        self.notifications.mark_read(offer)
        return self.start_reset(1, None, "after_call", call_id=call_id)

    def finish_reset_if_due(self) -> ResetSession | None:
        done = self.resets.tick()
        if done is not None:
            self.events.publish(ev.STATE_CHANGED)
        return done

    def end_reset(self, reason: str | None = None) -> ResetSession | None:
        done = self.resets.end_early(reason)
        if done is not None:
            self.events.publish(ev.STATE_CHANGED)
        return done

    # -- notifications ----------------------------------------------------------------------------
    def pause_for(self, minutes: int) -> datetime:
        until = self.clock.now() + timedelta(minutes=minutes)
        self.notifications.pause(until)
        self.events.publish(ev.STATE_CHANGED)
        return until

    def pause_until_tomorrow(self) -> datetime:
        """Until the next 06:00 local time: chosen at 01:30 (a late shift) that is 06:00 the same day, not
        28 hours later. Built as local wall time, so a DST change overnight still ends it at 06:00."""
        local_now = self.clock.now().astimezone()
        day = local_now.date() if local_now.time() < TOMORROW_AT else local_now.date() + timedelta(days=1)
        until = datetime.combine(day, TOMORROW_AT).astimezone()
        self.notifications.pause(until)
        self.events.publish(ev.STATE_CHANGED)
        return until

    def resume_notifications(self) -> None:
        self.notifications.resume()
        self.events.publish(ev.STATE_CHANGED)

    def tick_notifications(self) -> None:
        """Called by the ui's single-shot timer at ``notifications.next_wakeup()``."""
        self.notifications.flush()  # ends a pause whose time has come, then shows what may be shown
        self.events.publish(ev.STATE_CHANGED)

    # -- team (issue 3) ---------------------------------------------------------------------------
    def set_agent_name(self, name: str) -> Settings:
        """Asked the first time the agent sends kudos or logs an obstacle."""
        return self.save_settings(self._settings.with_changes(agent_name=name.strip()))

    def team_received(self, items: list[Any]) -> None:
        """What the sync worker pulled for me (companion.inbound.Received), on the GUI thread:
        kudos and "your obstacle was acted on" are notified (held during a call, like every notification);
        a deep-breath invitation becomes the actionable prompt (or is recorded as missed)."""
        from companion.kudos.categories import BY_KEY
        from companion import inbound
        from companion.team.kinds import notice_name
        from companion.team.outbox import REFUSED

        refused = [item for item in items if item.kind == REFUSED]
        if refused:  # refused by the hub for good (its limits, a card number ...): one notice per batch
            what = notice_name(refused[0].data.get("what"))
            title = (f"The team hub refused your {what}" if len(refused) == 1
                     else f"The team hub refused {len(refused)} of your changes")
            self.notifications.post(INFO, title, f"{refused[0].data.get('reason')}. It stays on this computer "
                                    "and will not be sent.")
        kudos = [item for item in items if item.kind == inbound.KUDOS]
        if len(kudos) > 1:  # a burst (or a flood) is one notice, never one per kudos
            self.notifications.post(KUDOS_RECEIVED, f"{len(kudos)} new kudos", _burst_body(self.roster, kudos),
                                    payload={"kudos_ids": [k.record_id for k in kudos[-KUDOS_IDS_KEPT:]],
                                             "count": len(kudos)})
            items = [item for item in items if item.kind != inbound.KUDOS]
        for item in items:
            sender = self.roster.find(item.sender) if item.sender else None
            who = sender.display_name if sender else (item.sender or "A teammate")
            if item.kind == inbound.KUDOS:
                category = BY_KEY[item.data["category"]].name
                self.notifications.post(KUDOS_RECEIVED, f"Kudos from {who}: {category}", item.data["message"],
                                        payload={"kudos_id": item.record_id})
            elif item.kind == inbound.OBSTACLE_ACTED:
                self.notifications.post(OBSTACLE_ACTED, "Your obstacle was acted on",
                                        f"{who}: {item.data['reply']}", payload={"obstacle_id": item.record_id})
            elif item.kind == inbound.BREATH_INVITE:
                self.breath.invite(item.record_id)
            elif item.kind == inbound.TEMPLATE_PUBLISHED:
                self.notifications.post(INFO, "A new team checklist", f"{who} published “{item.data['name']}”. "
                                        "It is in your checklist templates (tray → Checklists…).")
        self.events.publish(ev.STATE_CHANGED)

    def kudos_call_ref(self) -> str | None:
        """The current call's reference, else the last call's (the kudos dialog pre-fills it)."""
        if self.calls.current_ref:
            return self.calls.current_ref
        with self.db.reading() as s:
            return calls_store.last_ref(s)

    def join_breath(self, broadcast_id: str) -> None:
        """Join a group deep breath: recorded (and sent to the hub); the ui then starts the 1-minute reset."""
        if self.calls.on_call:
            raise InvalidInput("You're on a call. Join the next group deep breath when you're free.")
        self.breath.join(broadcast_id)


KUDOS_IDS_KEPT = 20  # a burst's notice keeps the newest ids only (its payload stays small whatever arrives)


def _burst_body(roster: Any, kudos: list[Any]) -> str:
    """ "From Dana, Sam and 3 others. Open Team feed to read them." (senders by their number of kudos)."""
    counts: dict[str, int] = {}
    for item in kudos:
        counts[item.sender or ""] = counts.get(item.sender or "", 0) + 1
    names = []
    for sender in sorted(counts, key=lambda name: -counts[name])[:2]:
        found = roster.find(sender) if sender else None
        names.append(found.display_name if found else (sender or "a teammate"))
    others = len(counts) - len(names)
    who = " and ".join(names) if not others else f"{', '.join(names)} and {others} other{'s' if others != 1 else ''}"
    return f"From {who}. Open Team feed to read them."


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def known_patterns() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in PATTERNS.values()]
