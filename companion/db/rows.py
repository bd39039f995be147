"""The local schema for the running app, which never imports SQLAlchemy: one typed row class per table, the
column lists, and the Python-side defaults ``Tx.insert`` fills (``companion.db.sql.DEFAULTS``).

GENERATED from companion.db.models by companion.db.migrate.write_rows() -- do not edit. After a schema change
(the models and a new revision) regenerate it with
``python -c "from companion.db.migrate import write_head_sql, write_rows; write_head_sql(); write_rows()"``;
tests/db/test_migrations.py fails while it is stale.
"""
from __future__ import annotations

from datetime import datetime


class _Row:
    """Plain classes with slots, written out rather than made by @dataclass: the app imports this module at
    start-up, where thirteen frozen dataclasses took ~10-40 ms to create and these take ~0.2 ms. A misspelt
    attribute raises AttributeError, for reading and for writing."""

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # rows compare by value and may change: not hashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.__slots__)})"


class BroadcastRow(_Row):
    """A row of ``broadcasts`` (companion.db.models.Broadcast)."""

    __slots__ = ('kind', 'sender', 'sent_at', 'expires_at', 'id', 'created_at', 'updated_at', 'team', 'invited_at',
                 'response', 'responded_at', 'joined_count')
    kind: str
    sender: str
    sent_at: datetime
    expires_at: datetime
    id: str
    created_at: datetime
    updated_at: datetime
    team: str | None
    invited_at: datetime | None
    response: str | None
    responded_at: datetime | None
    joined_count: int | None

    def __init__(self, kind: str, sender: str, sent_at: datetime, expires_at: datetime, id: str, created_at: datetime,
                 updated_at: datetime, team: str | None = None, invited_at: datetime | None = None,
                 response: str | None = None, responded_at: datetime | None = None,
                 joined_count: int | None = None) -> None:
        self.kind = kind
        self.sender = sender
        self.sent_at = sent_at
        self.expires_at = expires_at
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.team = team
        self.invited_at = invited_at
        self.response = response
        self.responded_at = responded_at
        self.joined_count = joined_count


class CallRow(_Row):
    """A row of ``calls`` (companion.db.models.CallRecord)."""

    __slots__ = ('started_at', 'tough', 'id', 'created_at', 'updated_at', 'ref', 'ended_at', 'handle_seconds')
    started_at: datetime
    tough: bool
    id: str
    created_at: datetime
    updated_at: datetime
    ref: str | None
    ended_at: datetime | None
    handle_seconds: float | None

    def __init__(self, started_at: datetime, tough: bool, id: str, created_at: datetime, updated_at: datetime,
                 ref: str | None = None, ended_at: datetime | None = None,
                 handle_seconds: float | None = None) -> None:
        self.started_at = started_at
        self.tough = tough
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.ref = ref
        self.ended_at = ended_at
        self.handle_seconds = handle_seconds


class ChecklistRunItemRow(_Row):
    """A row of ``checklist_run_items`` (companion.db.models.ChecklistRunItem)."""

    __slots__ = ('run_id', 'position', 'item_key', 'id', 'ticked_at')
    run_id: str
    position: int
    item_key: str
    id: int | None
    ticked_at: float | None

    def __init__(self, run_id: str, position: int, item_key: str, id: int | None = None,
                 ticked_at: float | None = None) -> None:
        self.run_id = run_id
        self.position = position
        self.item_key = item_key
        self.id = id
        self.ticked_at = ticked_at


class ChecklistRunRow(_Row):
    """A row of ``checklist_runs`` (companion.db.models.ChecklistRun)."""

    __slots__ = ('call_id', 'template_version', 'template_name', 'started_at', 'ended_at', 'item_count', 'ticked_count',
                 'score', 'id', 'created_at', 'updated_at', 'template_id', 'handle_seconds', 'outcome',
                 'obstacle_text')
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
    template_id: str | None
    handle_seconds: float | None
    outcome: str | None
    obstacle_text: str | None

    def __init__(self, call_id: str, template_version: int, template_name: str, started_at: datetime,
                 ended_at: datetime, item_count: int, ticked_count: int, score: float, id: str, created_at: datetime,
                 updated_at: datetime, template_id: str | None = None, handle_seconds: float | None = None,
                 outcome: str | None = None, obstacle_text: str | None = None) -> None:
        self.call_id = call_id
        self.template_version = template_version
        self.template_name = template_name
        self.started_at = started_at
        self.ended_at = ended_at
        self.item_count = item_count
        self.ticked_count = ticked_count
        self.score = score
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.template_id = template_id
        self.handle_seconds = handle_seconds
        self.outcome = outcome
        self.obstacle_text = obstacle_text


class ChecklistTemplateRow(_Row):
    """A row of ``checklist_templates`` (companion.db.models.ChecklistTemplate)."""

    __slots__ = ('name', 'body', 'version', 'position', 'archived', 'source', 'id', 'created_at', 'updated_at',
                 'line_of_business', 'team_template_id', 'published_by')
    name: str
    body: str
    version: int
    position: int
    archived: bool
    source: str
    id: str
    created_at: datetime
    updated_at: datetime
    line_of_business: str | None
    team_template_id: str | None
    published_by: str | None

    def __init__(self, name: str, body: str, version: int, position: int, archived: bool, source: str, id: str,
                 created_at: datetime, updated_at: datetime, line_of_business: str | None = None,
                 team_template_id: str | None = None, published_by: str | None = None) -> None:
        self.name = name
        self.body = body
        self.version = version
        self.position = position
        self.archived = archived
        self.source = source
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.line_of_business = line_of_business
        self.team_template_id = team_template_id
        self.published_by = published_by


class KudosRow(_Row):
    """A row of ``kudos`` (companion.db.models.Kudos)."""

    __slots__ = ('sender', 'recipient', 'category', 'message', 'sent_at', 'id', 'created_at', 'updated_at', 'call_ref',
                 'team', 'received_at', 'read_at')
    sender: str
    recipient: str
    category: str
    message: str
    sent_at: datetime
    id: str
    created_at: datetime
    updated_at: datetime
    call_ref: str | None
    team: str | None
    received_at: datetime | None
    read_at: datetime | None

    def __init__(self, sender: str, recipient: str, category: str, message: str, sent_at: datetime, id: str,
                 created_at: datetime, updated_at: datetime, call_ref: str | None = None, team: str | None = None,
                 received_at: datetime | None = None, read_at: datetime | None = None) -> None:
        self.sender = sender
        self.recipient = recipient
        self.category = category
        self.message = message
        self.sent_at = sent_at
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.call_ref = call_ref
        self.team = team
        self.received_at = received_at
        self.read_at = read_at


class NotificationRow(_Row):
    """A row of ``notifications`` (companion.db.models.Notification)."""

    __slots__ = ('kind', 'title', 'body', 'payload', 'id', 'created_at', 'updated_at', 'shown_at', 'shown_via',
                 'read_at', 'held_reason', 'expires_at')
    kind: str
    title: str
    body: str
    payload: str
    id: str
    created_at: datetime
    updated_at: datetime
    shown_at: datetime | None
    shown_via: str | None
    read_at: datetime | None
    held_reason: str | None
    expires_at: datetime | None

    def __init__(self, kind: str, title: str, body: str, payload: str, id: str, created_at: datetime,
                 updated_at: datetime, shown_at: datetime | None = None, shown_via: str | None = None,
                 read_at: datetime | None = None, held_reason: str | None = None,
                 expires_at: datetime | None = None) -> None:
        self.kind = kind
        self.title = title
        self.body = body
        self.payload = payload
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.shown_at = shown_at
        self.shown_via = shown_via
        self.read_at = read_at
        self.held_reason = held_reason
        self.expires_at = expires_at


class ObstacleVoteRow(_Row):
    """A row of ``obstacle_votes`` (companion.db.models.ObstacleVote)."""

    __slots__ = ('obstacle_id', 'voter', 'id', 'created_at', 'updated_at')
    obstacle_id: str
    voter: str
    id: str
    created_at: datetime
    updated_at: datetime

    def __init__(self, obstacle_id: str, voter: str, id: str, created_at: datetime, updated_at: datetime) -> None:
        self.obstacle_id = obstacle_id
        self.voter = voter
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at


class ObstacleRow(_Row):
    """A row of ``obstacles`` (companion.db.models.Obstacle)."""

    __slots__ = ('mine', 'anonymous', 'category', 'text', 'logged_at', 'status', 'id', 'created_at', 'updated_at',
                 'author', 'team', 'reply', 'acted_by', 'acted_at')
    mine: bool
    anonymous: bool
    category: str
    text: str
    logged_at: datetime
    status: str
    id: str
    created_at: datetime
    updated_at: datetime
    author: str | None
    team: str | None
    reply: str | None
    acted_by: str | None
    acted_at: datetime | None

    def __init__(self, mine: bool, anonymous: bool, category: str, text: str, logged_at: datetime, status: str, id: str,
                 created_at: datetime, updated_at: datetime, author: str | None = None, team: str | None = None,
                 reply: str | None = None, acted_by: str | None = None, acted_at: datetime | None = None) -> None:
        self.mine = mine
        self.anonymous = anonymous
        self.category = category
        self.text = text
        self.logged_at = logged_at
        self.status = status
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.author = author
        self.team = team
        self.reply = reply
        self.acted_by = acted_by
        self.acted_at = acted_at


class OutboxItemRow(_Row):
    """A row of ``outbox`` (companion.db.models.OutboxItem)."""

    __slots__ = ('id', 'kind', 'record_id', 'payload', 'created_at', 'attempts', 'pushed_at', 'last_error')
    id: str
    kind: str
    record_id: str
    payload: str
    created_at: datetime
    attempts: int
    pushed_at: datetime | None
    last_error: str | None

    def __init__(self, id: str, kind: str, record_id: str, payload: str, created_at: datetime, attempts: int,
                 pushed_at: datetime | None = None, last_error: str | None = None) -> None:
        self.id = id
        self.kind = kind
        self.record_id = record_id
        self.payload = payload
        self.created_at = created_at
        self.attempts = attempts
        self.pushed_at = pushed_at
        self.last_error = last_error


class ResetSessionRow(_Row):
    """A row of ``resets`` (companion.db.models.ResetSession)."""

    __slots__ = ('trigger', 'pattern', 'planned_seconds', 'actual_seconds', 'outcome', 'started_at', 'ended_at', 'id',
                 'created_at', 'updated_at', 'mood_before', 'mood_after', 'call_id')
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
    mood_before: int | None
    mood_after: int | None
    call_id: str | None

    def __init__(self, trigger: str, pattern: str, planned_seconds: int, actual_seconds: float, outcome: str,
                 started_at: datetime, ended_at: datetime, id: str, created_at: datetime, updated_at: datetime,
                 mood_before: int | None = None, mood_after: int | None = None, call_id: str | None = None) -> None:
        self.trigger = trigger
        self.pattern = pattern
        self.planned_seconds = planned_seconds
        self.actual_seconds = actual_seconds
        self.outcome = outcome
        self.started_at = started_at
        self.ended_at = ended_at
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.mood_before = mood_before
        self.mood_after = mood_after
        self.call_id = call_id


class SettingRow(_Row):
    """A row of ``settings`` (companion.db.models.Setting)."""

    __slots__ = ('key', 'value', 'updated_at')
    key: str
    value: str
    updated_at: datetime

    def __init__(self, key: str, value: str, updated_at: datetime) -> None:
        self.key = key
        self.value = value
        self.updated_at = updated_at


class TeammateRow(_Row):
    """A row of ``teammates`` (companion.db.models.Teammate)."""

    __slots__ = ('name', 'display_name', 'is_lead', 'active', 'source', 'id', 'created_at', 'updated_at', 'team')
    name: str
    display_name: str
    is_lead: bool
    active: bool
    source: str
    id: str
    created_at: datetime
    updated_at: datetime
    team: str | None

    def __init__(self, name: str, display_name: str, is_lead: bool, active: bool, source: str, id: str,
                 created_at: datetime, updated_at: datetime, team: str | None = None) -> None:
        self.name = name
        self.display_name = display_name
        self.is_lead = is_lead
        self.active = active
        self.source = source
        self.id = id
        self.created_at = created_at
        self.updated_at = updated_at
        self.team = team


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
