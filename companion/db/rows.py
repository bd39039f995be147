"""The local schema for the running app, which never imports SQLAlchemy: one typed row class per table, the
column lists, and the Python-side defaults ``Tx.insert`` fills (``companion.db.sql.DEFAULTS``).

GENERATED from companion.db.models by companion.db.migrate.write_rows() -- do not edit. After a schema change
(the models and a new revision) regenerate it with
``python -c "from companion.db.migrate import write_head_sql, write_rows; write_head_sql(); write_rows()"``;
tests/db/test_migrations.py fails while it is stale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """A row of ``broadcasts`` (companion.db.models.Broadcast)."""

    kind: str
    sender: str
    sent_at: datetime
    expires_at: datetime
    id: str
    created_at: datetime
    updated_at: datetime
    team: str | None = None
    invited_at: datetime | None = None
    response: str | None = None
    responded_at: datetime | None = None
    joined_count: int | None = None


@dataclass(frozen=True, slots=True)
class CallRow:
    """A row of ``calls`` (companion.db.models.CallRecord)."""

    started_at: datetime
    tough: bool
    id: str
    created_at: datetime
    updated_at: datetime
    ref: str | None = None
    ended_at: datetime | None = None
    handle_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class ChecklistRunItemRow:
    """A row of ``checklist_run_items`` (companion.db.models.ChecklistRunItem)."""

    run_id: str
    position: int
    item_key: str
    id: int | None = None
    ticked_at: float | None = None


@dataclass(frozen=True, slots=True)
class ChecklistRunRow:
    """A row of ``checklist_runs`` (companion.db.models.ChecklistRun)."""

    call_id: str
    template_version: int
    template_name: str
    started_at: datetime
    ended_at: datetime
    item_count: int
    ticked_count: int
    score: float
    id: str
    created_at: datetime
    updated_at: datetime
    template_id: str | None = None
    handle_seconds: float | None = None
    outcome: str | None = None
    obstacle_text: str | None = None


@dataclass(frozen=True, slots=True)
class ChecklistTemplateRow:
    """A row of ``checklist_templates`` (companion.db.models.ChecklistTemplate)."""

    name: str
    body: str
    version: int
    position: int
    archived: bool
    source: str
    id: str
    created_at: datetime
    updated_at: datetime
    line_of_business: str | None = None
    team_template_id: str | None = None
    published_by: str | None = None


@dataclass(frozen=True, slots=True)
class KudosRow:
    """A row of ``kudos`` (companion.db.models.Kudos)."""

    sender: str
    recipient: str
    category: str
    message: str
    sent_at: datetime
    id: str
    created_at: datetime
    updated_at: datetime
    call_ref: str | None = None
    team: str | None = None
    received_at: datetime | None = None
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """A row of ``notifications`` (companion.db.models.Notification)."""

    kind: str
    title: str
    body: str
    payload: str
    id: str
    created_at: datetime
    updated_at: datetime
    shown_at: datetime | None = None
    shown_via: str | None = None
    read_at: datetime | None = None
    held_reason: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ObstacleVoteRow:
    """A row of ``obstacle_votes`` (companion.db.models.ObstacleVote)."""

    obstacle_id: str
    voter: str
    id: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ObstacleRow:
    """A row of ``obstacles`` (companion.db.models.Obstacle)."""

    mine: bool
    anonymous: bool
    category: str
    text: str
    logged_at: datetime
    status: str
    id: str
    created_at: datetime
    updated_at: datetime
    author: str | None = None
    team: str | None = None
    reply: str | None = None
    acted_by: str | None = None
    acted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxItemRow:
    """A row of ``outbox`` (companion.db.models.OutboxItem)."""

    id: str
    kind: str
    record_id: str
    payload: str
    created_at: datetime
    attempts: int
    pushed_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ResetSessionRow:
    """A row of ``resets`` (companion.db.models.ResetSession)."""

    trigger: str
    pattern: str
    planned_seconds: int
    actual_seconds: float
    outcome: str
    started_at: datetime
    ended_at: datetime
    id: str
    created_at: datetime
    updated_at: datetime
    mood_before: int | None = None
    mood_after: int | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class SettingRow:
    """A row of ``settings`` (companion.db.models.Setting)."""

    key: str
    value: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TeammateRow:
    """A row of ``teammates`` (companion.db.models.Teammate)."""

    name: str
    display_name: str
    is_lead: bool
    active: bool
    source: str
    id: str
    created_at: datetime
    updated_at: datetime
    team: str | None = None


#: every table's columns, in the table's order
COLUMNS: dict[str, tuple[str, ...]] = {
    'broadcasts': ('kind', 'sender', 'team', 'sent_at', 'expires_at', 'invited_at', 'response', 'responded_at',
        'joined_count', 'id', 'created_at', 'updated_at'),
    'calls': ('ref', 'started_at', 'ended_at', 'handle_seconds', 'tough', 'id', 'created_at', 'updated_at'),
    'checklist_run_items': ('id', 'run_id', 'position', 'item_key', 'ticked_at'),
    'checklist_runs': ('call_id', 'template_id', 'template_version', 'template_name', 'started_at', 'ended_at',
        'handle_seconds', 'item_count', 'ticked_count', 'score', 'outcome', 'obstacle_text', 'id', 'created_at',
        'updated_at'),
    'checklist_templates': ('name', 'line_of_business', 'body', 'version', 'position', 'archived', 'source',
        'team_template_id', 'published_by', 'id', 'created_at', 'updated_at'),
    'kudos': ('sender', 'recipient', 'category', 'message', 'call_ref', 'team', 'sent_at', 'received_at', 'read_at',
        'id', 'created_at', 'updated_at'),
    'notifications': ('kind', 'title', 'body', 'payload', 'shown_at', 'shown_via', 'read_at', 'held_reason',
        'expires_at', 'id', 'created_at', 'updated_at'),
    'obstacle_votes': ('obstacle_id', 'voter', 'id', 'created_at', 'updated_at'),
    'obstacles': ('author', 'mine', 'anonymous', 'category', 'text', 'team', 'logged_at', 'status', 'reply', 'acted_by',
        'acted_at', 'id', 'created_at', 'updated_at'),
    'outbox': ('id', 'kind', 'record_id', 'payload', 'created_at', 'pushed_at', 'attempts', 'last_error'),
    'resets': ('trigger', 'pattern', 'planned_seconds', 'actual_seconds', 'outcome', 'started_at', 'ended_at',
        'mood_before', 'mood_after', 'call_id', 'id', 'created_at', 'updated_at'),
    'settings': ('key', 'value', 'updated_at'),
    'teammates': ('name', 'display_name', 'team', 'is_lead', 'active', 'source', 'id', 'created_at', 'updated_at'),
}

#: the models' scalar defaults
DEFAULT_VALUES: dict[str, dict[str, object]] = {
    'broadcasts': {'kind': 'deep_breath'},
    'calls': {'tough': False},
    'checklist_run_items': {},
    'checklist_runs': {},
    'checklist_templates': {'version': 1, 'position': 0, 'archived': False, 'source': 'local'},
    'kudos': {},
    'notifications': {'payload': '{}'},
    'obstacle_votes': {},
    'obstacles': {'mine': False, 'anonymous': False, 'status': 'open'},
    'outbox': {'attempts': 0},
    'resets': {},
    'settings': {},
    'teammates': {'is_lead': False, 'active': True, 'source': 'local'},
}

#: the models' callable defaults, by the name of a function of companion.db.sql
DEFAULT_FACTORIES: dict[str, dict[str, str]] = {
    'broadcasts': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'calls': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'checklist_run_items': {},
    'checklist_runs': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'checklist_templates': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'kudos': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'notifications': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'obstacle_votes': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'obstacles': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'outbox': {'id': 'new_id', 'created_at': 'utcnow'},
    'resets': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
    'settings': {'updated_at': 'utcnow'},
    'teammates': {'id': 'new_id', 'created_at': 'utcnow', 'updated_at': 'utcnow'},
}

#: table -> its row class
ROW_CLASSES: dict[str, type] = {
    'broadcasts': BroadcastRow,
    'calls': CallRow,
    'checklist_run_items': ChecklistRunItemRow,
    'checklist_runs': ChecklistRunRow,
    'checklist_templates': ChecklistTemplateRow,
    'kudos': KudosRow,
    'notifications': NotificationRow,
    'obstacle_votes': ObstacleVoteRow,
    'obstacles': ObstacleRow,
    'outbox': OutboxItemRow,
    'resets': ResetSessionRow,
    'settings': SettingRow,
    'teammates': TeammateRow,
}
