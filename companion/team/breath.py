"""The group deep breath: a lead invites the team to a 1-minute reset together (during an outage, a launch).

- The lead sends a broadcast; it is open for ``WINDOW`` (10 minutes).
- On each agent's desk the invitation is an actionable prompt (Join / Not now). Not on a call: shown at
  once. On a call: held, and shown right after the call ends if the window is still open; otherwise it is
  recorded as missed. A call that starts while the prompt is on screen closes it and holds it again. (The notification centre holds and expires it; this service records the answer.)
- Join starts a 1-minute reset (trigger ``group_breath``) and sends ``breath_join`` to the hub.
- The lead sees only how many joined, and only when the team has at least ``MIN_TEAM`` agents.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from companion import events as ev
from companion.clock import Clock
from companion.db.engine import Database
from companion.db.sql import Tx, new_id
from companion.errors import InvalidInput
from companion.events import Event, EventHub
from companion.notify import store as notify_store
from companion.notify.centre import Action, NotificationCentre
from companion.notify.kinds import BREATH_INVITE
from companion.team import outbox, store
from companion.team.identity import Identity
from companion.team.roster import Roster

WINDOW = timedelta(minutes=10)
MIN_TEAM = 5
HIDDEN = f"fewer than {MIN_TEAM} in the team: count hidden"
INVITE_ACTIONS = (Action("join", "Join"), Action("decline", "Not now"))


@dataclass(frozen=True)
class LeadView:
    sent_at: datetime
    expires_at: datetime
    joined: str          # "6 joined", or why no number is shown


class BreathService:
    def __init__(self, db: Database, clock: Clock, identity: Identity, roster: Roster,
                 notifications: NotificationCentre, events: EventHub) -> None:
        self._db = db
        self._clock = clock
        self._identity = identity
        self._roster = roster
        self._notifications = notifications
        events.subscribe(ev.NOTIFICATION_SHOWN, self._shown)
        events.subscribe(ev.CALL_ENDED, lambda e: self.sweep_missed())

    # -- the lead ---------------------------------------------------------------------------------
    def send(self) -> str:
        hub = self._identity.hub()
        if hub is None or not hub.lead:
            raise InvalidInput("Only a team lead (on a team hub) can invite the team to a group deep breath.")
        me = self._identity.require_name()
        now = self._clock.now()
        with self._db.session() as s:
            row = store.insert_broadcast(s, {"id": new_id(), "kind": "deep_breath", "sender": me,
                                             "team": hub.team, "sent_at": now, "expires_at": now + WINDOW,
                                             "created_at": now, "updated_at": now})
            outbox.enqueue(s, "broadcast", {
                "id": row.id, "kind": "broadcast", "sender": me, "team": hub.team, "broadcast_kind": "deep_breath",
                "sent_at": now.isoformat(), "expires_at": row.expires_at.isoformat()}, now)
            return row.id

    def last_sent(self) -> LeadView | None:
        me = self._identity.name()
        with self._db.reading() as s:
            row = store.last_broadcast_from(s, me)
            if row is None:
                return None
            return LeadView(row.sent_at, row.expires_at, self.joined_text(row.team, row.joined_count))

    def joined_text(self, team: str | None, joined_count: int | None) -> str:
        if self._roster.team_size(team) < MIN_TEAM:
            return HIDDEN
        if joined_count is None:
            return "no count yet (the team hub reports it)"
        return f"{joined_count} joined"

    # -- an agent ---------------------------------------------------------------------------------
    def invite(self, broadcast_id: str) -> str | None:
        """Post the invitation (held during a call, lapsing with the window). None if it already lapsed."""
        now = self._clock.now()
        with self._db.session() as s:
            row = store.broadcast(s, broadcast_id)
            if row is None or row.response is not None:
                return None
            if now >= row.expires_at:
                _change(s, broadcast_id, response="missed", updated_at=now)
                return None
            sender, left = row.sender, row.expires_at - now
        who = self._roster.find(sender)
        name = who.display_name if who else sender
        return self._notifications.post(
            BREATH_INVITE, "Group deep breath", f"{name} invites the team to a 1-minute deep breath together.",
            payload={"broadcast_id": broadcast_id}, actions=INVITE_ACTIONS, expires_after=left)

    def _respond(self, broadcast_id: str, response: str) -> None:
        now = self._clock.now()
        with self._db.session() as s:
            row = store.broadcast(s, broadcast_id)
            if row is None:
                raise InvalidInput("That invitation is no longer known.")
            if row.response is not None:
                raise InvalidInput(f"You already answered that invitation ({row.response}).")
            lapsed = now >= row.expires_at
            if lapsed:  # recorded (committed) before the refusal below
                _change(s, broadcast_id, response="missed", updated_at=now)
            else:
                _change(s, broadcast_id, response=response, responded_at=now, updated_at=now)
                hub = self._identity.hub()
                if response == "joined" and hub is not None:
                    outbox.enqueue(s, "breath_join", {
                        "id": new_id(), "kind": "breath_join", "sender": self._identity.name(), "team": row.team,
                        "broadcast_id": broadcast_id, "joined_at": now.isoformat()}, now)
        if lapsed:
            raise InvalidInput("That group deep breath has ended.")

    def join(self, broadcast_id: str) -> None:
        self._respond(broadcast_id, "joined")

    def decline(self, broadcast_id: str) -> None:
        self._respond(broadcast_id, "declined")

    def response(self, broadcast_id: str) -> str | None:
        with self._db.reading() as s:
            return store.broadcast_response(s, broadcast_id)

    def hold_for_call(self, notification_ids: list[str]) -> int:
        """A call started while these invitations were on screen (the ui closed their cards): each one
        still open and unanswered is held again, so it comes back after the call if its window is still
        open (and is recorded as missed otherwise). Returns how many were held again."""
        from companion.notify.centre import HOLD_CALL

        now = self._clock.now()
        held = 0
        ids = list(notification_ids)
        with self._db.session() as s:
            for note in notify_store.of_kind(s, ids, BREATH_INVITE):
                try:
                    broadcast_id = json.loads(note.payload or "{}").get("broadcast_id", "")
                except ValueError:
                    continue
                broadcast = store.broadcast(s, broadcast_id) if isinstance(broadcast_id, str) else None
                if broadcast is None or broadcast.response is not None or now >= broadcast.expires_at:
                    continue
                notify_store.hold_again(s, note.id, HOLD_CALL)
                held += 1
        return held

    def sweep_missed(self) -> int:
        """Invitations whose window closed without an answer are recorded as missed."""
        now = self._clock.now()
        me = self._identity.name()
        with self._db.session() as s:
            return store.sweep_missed_broadcasts(s, me, now)

    def _shown(self, event: Event) -> None:
        with self._db.session() as s:
            note = notify_store.get(s, event.data["id"])
            if note is None or note.kind != BREATH_INVITE:
                return
            broadcast = store.broadcast(s, json.loads(note.payload or "{}").get("broadcast_id", ""))
            if broadcast is not None and broadcast.invited_at is None:
                _change(s, broadcast.id, invited_at=self._clock.now())


def record_joined_count(session: Tx, broadcast_id: str, count: int) -> None:
    """For the sync worker: the hub's count of joins for one of my broadcasts (count only, never names)."""
    if isinstance(count, int) and count >= 0:
        _change(session, broadcast_id, joined_count=count)


def _change(session: Tx, broadcast_id: str, **changes: Any) -> None:
    """Set columns of one broadcast (its ``updated_at`` is stamped unless given)."""
    store.change_broadcast(session, broadcast_id, changes)
