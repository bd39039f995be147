"""A lead publishes a checklist template to the team; agents receive it as a read-only team template.

The wire record is kind ``template`` (docs/team-hub.md): ``template_id``, ``name``, ``version``, ``body``
(the template document). Its ``id`` is derived from template id and version, so publishing the same version
twice is one record on the hub, and applying it twice is one row here. Only templates travel: checklist runs
never leave the agent's machine.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from companion.checklists import store
from companion.checklists.store import ACTIVE_STATE, StoredTemplate, body_json, next_position
from companion.checklists.templates import MAX_FILE_BYTES, validate
from companion.config import read_state, write_state
from companion.db.sql import Tx
from companion.errors import InvalidInput
from companion.team import outbox

KIND = "template"
_NAMESPACE = uuid.UUID("6f1c1a52-57a4-4d0e-9d0b-2f3c6ad0e4a1")  # record ids: uuid5(namespace, template@version)
_FIELDS = {"id", "kind", "sender", "team", "template_id", "name", "version", "body"}


def record_id(template_id: str, version: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{template_id}@{version}"))


def publish_record(template: StoredTemplate, *, sender: str, team: str | None) -> dict[str, Any]:
    """The wire record that publishes this template (version) to the team."""
    if template.read_only:
        raise InvalidInput("A team template is published by its author; make your own copy to publish it.")
    return {
        "id": record_id(template.id, template.version),
        "kind": KIND,
        "sender": sender,
        "team": team,
        "template_id": template.id,
        "name": template.name,
        "version": template.version,
        "body": template.template.to_document(),
    }


def _check_uuid(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: must be a UUID string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{where}: must be a UUID string") from None


def apply_remote(session: Tx, record: dict[str, Any], now: datetime) -> StoredTemplate | None:
    """Store a template received from the hub as a read-only team template, in the caller's session.

    Idempotent by template id + version: a repeat returns None and changes nothing. A newer version of the
    same team template takes the older one's place in the list (the older one is archived). A malformed
    record raises InvalidInput and changes nothing.
    """
    if not isinstance(record, dict) or record.get("kind") != KIND:
        raise InvalidInput("not a template record")
    unknown = sorted(str(k)[:40] for k in record if k not in _FIELDS)
    if unknown:
        raise InvalidInput(f"template record: unknown field(s) {', '.join(unknown)}")
    template_id = _check_uuid(record.get("template_id"), "template record.template_id")
    version = record.get("version")
    if type(version) is not int or not 1 <= version <= 1_000_000:
        raise InvalidInput("template record.version: a whole number from 1")
    sender = record.get("sender")
    if not isinstance(sender, str) or not 1 <= len(sender) <= 63:
        raise InvalidInput("template record.sender: the publishing lead's name")
    body = record.get("body")
    if isinstance(body, str):
        if len(body.encode("utf-8")) > MAX_FILE_BYTES:
            raise InvalidInput("template record.body: too large")
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            raise InvalidInput("template record.body: not valid JSON") from None
    elif len(json.dumps(body, default=str)) > MAX_FILE_BYTES:
        raise InvalidInput("template record.body: too large")
    template = validate(body)
    if store.has_team_version(session, template_id, version):
        return None
    older = store.team_versions(session, template_id)
    newest_before = max((r.version for r in older), default=0)
    position = next_position(session)
    if older:
        position = min(r.position for r in older)
    if version > newest_before and older:
        store.archive_team_template(session, template_id, now)
    row = store.insert_template(session, {
        "name": template.name, "line_of_business": template.line_of_business, "body": body_json(template),
        "version": version, "position": position,
        "archived": version < newest_before,  # an older version arriving late stays archived
        "source": "team", "team_template_id": template_id, "published_by": sender,
        "created_at": now, "updated_at": now})
    if version > newest_before and older:
        _follow_active(session, {r.id for r in older}, row.id)
    return StoredTemplate(row.id, template, row.version, row.position, row.archived, row.source,
                          row.team_template_id, row.published_by)


def _follow_active(session: Tx, old_ids: set[str], new_id: str) -> None:
    """An agent who used an older version of this team template uses the new one (same session)."""
    if read_state(session, ACTIVE_STATE) in old_ids:
        write_state(session, ACTIVE_STATE, new_id)


def hub_lead(state: Any) -> tuple[str, str | None] | None:
    """From app state ``team.hub``: (my name, my team) when I am a lead on a hub, else None."""
    if not isinstance(state, dict) or state.get("lead") is not True:
        return None
    user = state.get("user")
    if not isinstance(user, str) or not user:
        return None
    team = state.get("team")
    return user, team if isinstance(team, str) else None


def publish(db: Any, stored: StoredTemplate, hub_state: Any, now: datetime) -> dict[str, Any]:
    """Enqueue the template for the team hub (companion.team.outbox), only as a lead on a hub."""
    lead = hub_lead(hub_state)
    if lead is None:
        raise InvalidInput("Only a team lead on a team hub can publish templates.")
    record = publish_record(stored, sender=lead[0], team=lead[1])
    with db.session() as s:
        if store.template_row(s, stored.id) is None:
            raise InvalidInput("That checklist template no longer exists.")
        outbox.enqueue(s, KIND, record, now)
    return record
