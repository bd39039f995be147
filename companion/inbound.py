"""Applying what the team hub returns: wire records (docs/team-hub.md) and the roster.

``apply(session, record, me)`` is called by the sync worker, off the GUI thread, in its own session. It is
idempotent by record id (applying twice changes nothing) and never raises for a bad record: a malformed
one is refused with a logged reason and ``None`` is returned. A database that is busy or failing
(``OperationalError``) is not a bad record: that error propagates, so the caller's batch and its cursor are
not committed and the batch is applied again later. The returned ``Received`` says what to tell
the agent; the worker publishes those on ``team.received`` and ``Desk.team_received`` posts them.

Times from the hub are the sender's clock. A "when it happened" time (``sent_at``, ``logged_at``, ``acted_at``)
more than ``MAX_CLOCK_SKEW`` (5 minutes) ahead of this desk's clock is stored as the time it was received: a
desk's clock may be a little off, but a kudos "sent in 2099" would sit on top of every list for ever. A deep
breath invitation's ``expires_at`` is capped at its (clamped) ``sent_at`` plus the lead's 10-minute window.
"""
from __future__ import annotations

import logging
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from companion.checklists.publish import apply_remote
from companion.config import read_state
from companion.db.sql import Tx
from companion.errors import InvalidInput
from companion.kudos import store as kudos_store
from companion.kudos.categories import category as kudos_category
from companion.kudos.rules import validate_call_ref, validate_message
from companion.mydata import DELETED_BEFORE_STATE
from companion.names import validate_name
from companion.obstacles import store as obstacles_store
from companion.obstacles.service import validate_category, validate_reply, validate_text
from companion.team import store as team_store
from companion.team.received import BREATH_INVITE as BREATH_INVITE  # re-exported: inbound.KUDOS ...
from companion.team.received import KUDOS as KUDOS
from companion.team.received import OBSTACLE_ACTED as OBSTACLE_ACTED
from companion.team.received import TEMPLATE_PUBLISHED as TEMPLATE_PUBLISHED
from companion.team.received import Received as Received
from companion.team.kinds import RECORD_KINDS
from companion.team.roster import validate_display_name

log = logging.getLogger(__name__)

MAX_CLOCK_SKEW = timedelta(minutes=5)  # a sender's clock ahead of ours by more: the time is "received now"


class Malformed(Exception):
    pass


def apply(session: Tx, record: dict[str, Any], me: str, now: datetime | None = None) -> Received | None:
    """Apply one pulled wire record. Returns what to tell the agent, or None (nothing to tell, already
    applied, or refused: the reason is logged)."""
    now = now or datetime.now(timezone.utc)
    kind = record.get("kind") if isinstance(record, dict) else None
    record_id = record.get("id") if isinstance(record, dict) else None
    try:
        if not isinstance(record, dict):
            raise Malformed("a record must be a JSON object")
        handler = _HANDLERS.get(kind)  # type: ignore[arg-type]
        if handler is None:
            raise Malformed(f"unknown kind {str(kind)[:40]!r}")
        if kind != "template":
            _uuid(record.get("id"), "id")
        with session.savepoint():  # a refused record leaves no half-applied change behind
            return handler(session, record, me, now)
    except (Malformed, InvalidInput) as exc:
        log.warning("refused a team record (kind %s, id %s): %s", str(kind)[:40], str(record_id)[:40], exc)
    except sqlite3.OperationalError:
        raise  # the database is busy/locked (or failing): not this record's fault; the batch is retried
    except sqlite3.Error as exc:
        log.warning("could not apply a team record (kind %s, id %s): %s", str(kind)[:40], str(record_id)[:40],
                    type(exc).__name__)
    return None


# -- field checks ----------------------------------------------------------------------------------
def _uuid(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what} must be a UUID string")
    try:
        uuid.UUID(value)
    except ValueError:
        raise Malformed(f"{what} is not a UUID") from None
    return value


def _time(record: dict[str, Any], key: str, now: datetime | None = None) -> datetime:
    """An ISO 8601 time from the record, in UTC. With ``now``: a time more than MAX_CLOCK_SKEW in the future
    becomes ``now`` (see the module docstring)."""
    value = record.get(key)
    if not isinstance(value, str) or len(value) > 40:
        raise Malformed(f"{key} must be an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{key} is not an ISO 8601 timestamp") from None
    parsed = parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    return parsed if now is None else _not_ahead(parsed, key, now)


def _not_ahead(when: datetime, key: str, now: datetime) -> datetime:
    if when > now + MAX_CLOCK_SKEW:
        log.info("a team record's %s is %s ahead of this desk's clock; stored as received now", key,
                 "over a year" if when - now > timedelta(days=365) else when - now)
        return now
    return when


def _team(record: dict[str, Any]) -> str | None:
    team = record.get("team")
    return None if team is None else validate_name(team, "The team")


def _sender(record: dict[str, Any]) -> str:
    return validate_name(record.get("sender"), "The sender")


def _deleted_before(session: Tx) -> datetime | None:
    """When the agent last used Delete my data (companion.mydata): their own records from before then are
    not taken back from the hub (a full pull after leaving and joining again would otherwise return them)."""
    value = read_state(session, DELETED_BEFORE_STATE)
    try:
        return datetime.fromisoformat(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _deleted(session: Tx, when: datetime) -> bool:
    cutoff = _deleted_before(session)
    return cutoff is not None and when <= cutoff


# -- kinds -----------------------------------------------------------------------------------------
def _kudos(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    if kudos_store.get(session, record["id"]) is not None:
        return None
    sender = _sender(record)
    recipient = validate_name(record.get("recipient"), "The recipient")
    if sender == recipient:
        raise Malformed("self-kudos")
    cat = kudos_category(record.get("category")).key
    message = validate_message(record.get("message"))
    ref = record.get("call_ref")
    if ref is not None and not isinstance(ref, str):
        raise Malformed("call_ref must be a string or null")
    ref = validate_call_ref(ref)
    sent_at = _time(record, "sent_at", now)
    if me in (sender, recipient) and _deleted(session, sent_at):
        return None  # mine, and deleted by me: it stays gone
    kudos_store.insert(session, {"id": record["id"], "sender": sender, "recipient": recipient, "category": cat,
                                 "message": message, "call_ref": ref, "team": _team(record), "sent_at": sent_at,
                                 "received_at": now, "read_at": None if recipient == me else now,
                                 "created_at": now, "updated_at": now})
    if recipient != me:
        return None
    return Received(KUDOS, record["id"], sender, {"category": cat, "message": message, "call_ref": ref})


def _obstacle(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    if obstacles_store.get(session, record["id"]) is not None:
        return None
    anonymous = record.get("anonymous")
    if not isinstance(anonymous, bool):
        raise Malformed("anonymous must be true or false")
    sender = record.get("sender")
    if anonymous:
        if sender is not None:
            raise Malformed("an anonymous obstacle carries no sender")
    else:
        sender = _sender(record)
    logged_at = _time(record, "logged_at", now)
    if sender is not None and sender == me and _deleted(session, logged_at):
        return None  # mine, and deleted by me: it stays gone
    obstacles_store.insert(session, {
        "id": record["id"], "author": sender, "mine": sender is not None and sender == me, "anonymous": anonymous,
        "category": validate_category(record.get("category")), "text": validate_text(record.get("text")),
        "team": _team(record), "logged_at": logged_at, "status": "open", "created_at": now, "updated_at": now})
    return None


def _obstacle_vote(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    if obstacles_store.get_vote(session, record["id"]) is not None:
        return None
    voter = _sender(record)
    obstacle_id = _uuid(record.get("obstacle_id"), "obstacle_id")
    obstacle = obstacles_store.get(session, obstacle_id)
    if obstacle is None:
        raise Malformed("a +1 for an obstacle this desk does not know")
    if voter == me and _deleted(session, obstacle.logged_at):
        return None  # my +1, deleted by me: it stays gone
    if obstacles_store.has_voted(session, obstacle_id, voter):
        return None  # that voter's +1 is here already (under another id): once per voter
    obstacles_store.insert_vote(session, {"id": record["id"], "obstacle_id": obstacle_id, "voter": voter,
                                          "created_at": now, "updated_at": now})
    return None


def _obstacle_reply(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    lead = _sender(record)
    obstacle = obstacles_store.get(session, _uuid(record.get("obstacle_id"), "obstacle_id"))
    if obstacle is None:
        raise Malformed("a reply to an obstacle this desk does not know")
    reply = validate_reply(record.get("reply"))
    acted_at = _time(record, "acted_at", now)
    if team_store.is_lead(session, lead) is False:
        raise Malformed(f"{lead} is not a lead on the roster")
    if obstacle.status == "acted_on":
        return None  # already applied (idempotent); a later reply does not overwrite the first
    obstacles_store.mark_acted_on(session, obstacle.id, reply, lead, acted_at, now)
    if not obstacle.mine:
        return None
    return Received(OBSTACLE_ACTED, obstacle.id, lead, {"reply": reply, "text": obstacle.text})


def _broadcast(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    if team_store.broadcast(session, record["id"]) is not None:
        return None
    sender = _sender(record)
    if record.get("broadcast_kind") != "deep_breath":
        raise Malformed(f"unknown broadcast_kind {str(record.get('broadcast_kind'))[:40]!r}")
    from companion.team.breath import WINDOW

    sent_at, expires_at = _time(record, "sent_at"), _time(record, "expires_at")
    if expires_at <= sent_at:
        raise Malformed("expires_at must be after sent_at")
    sent_at = _not_ahead(sent_at, "sent_at", now)
    expires_at = min(expires_at, sent_at + WINDOW)
    team_store.insert_broadcast(session, {"id": record["id"], "kind": "deep_breath", "sender": sender,
                                          "team": _team(record), "sent_at": sent_at, "expires_at": expires_at,
                                          "created_at": now, "updated_at": now})
    if sender == me:
        return None
    return Received(BREATH_INVITE, record["id"], sender, {"expires_at": expires_at.isoformat()})


def _breath_join(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    return None  # joins are counted on the hub; a desk keeps only its own answer


def _template(session: Tx, record: dict[str, Any], me: str, now: datetime) -> Received | None:
    """A lead published a checklist template: it joins the agent's template list (read-only)."""
    stored = apply_remote(session, record, now)
    if stored is None:  # already here
        return None
    return Received(TEMPLATE_PUBLISHED, stored.id, stored.published_by, {"name": stored.template.name})


# kind -> its handler, as companion.team.kinds names it (each kind declared once)
_HANDLERS = {kind: globals()[spec.handler] for kind, spec in RECORD_KINDS.items()}


# -- roster ----------------------------------------------------------------------------------------
def apply_roster(session: Tx, agents: list[dict[str, Any]]) -> int:
    """The hub's roster (name, display_name, team, is_lead) into ``teammates`` with source "hub".
    Hub entries no longer listed become inactive (never deleted); hand-typed ones of the same name are
    taken over by the hub's, and the other hand-typed ones become inactive (kept, never deleted, no longer
    offered). A malformed entry is skipped with a logged reason. Returns the entries applied."""
    if not isinstance(agents, list):
        log.warning("refused a team roster: not a list")
        return 0
    now = datetime.now(timezone.utc)
    seen: set[str] = set()
    applied = 0
    for agent in agents:
        try:
            if not isinstance(agent, dict):
                raise Malformed("an entry must be an object")
            name = validate_name(agent.get("name"), "A roster name")
            display = validate_display_name(agent.get("display_name") or name)
            team = _team(agent)
            is_lead = agent.get("is_lead", False)
            if not isinstance(is_lead, bool):
                raise Malformed("is_lead must be true or false")
        except (Malformed, InvalidInput) as exc:
            log.warning("skipped a roster entry: %s", exc)
            continue
        if name in seen:
            continue
        seen.add(name)
        values = {"display_name": display, "team": team, "is_lead": is_lead, "active": True, "source": "hub",
                  "updated_at": now}
        if not team_store.update_teammate_by_name(session, name, values):
            team_store.insert_teammate(session, {"name": name, "created_at": now, **values})
        applied += 1
    team_store.deactivate_hub_teammates_except(session, seen, now)
    if seen:  # a hub roster arrived: only the hub's teammates are offered (kudos to others would be refused)
        team_store.set_local_active(session, False, now)
    return applied
