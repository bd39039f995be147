"""SQLAlchemy 2 models of the local database: the schema Alembic's migrations build (the running app reads
and writes it through plain sqlite3, companion.db.sql; head.sql is this schema as SQL).

Every record that can travel has a UUID primary key and created/updated timestamps in UTC, so delivery
can repeat without duplicates. Wellbeing records (resets, moods) never leave this file.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from companion.db.sql import new_id, utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Stamped:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CallRecord(Stamped, Base):
    __tablename__ = "calls"
    __table_args__ = (CheckConstraint("handle_seconds >= 0", name="ck_calls_handle_nonneg"),)

    ref: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handle_seconds: Mapped[float | None] = mapped_column(Float)
    tough: Mapped[bool] = mapped_column(Boolean, default=False)


class ResetSession(Stamped, Base):
    """A stress reset. Private wellbeing data: never synced."""

    __tablename__ = "resets"
    __table_args__ = (
        CheckConstraint("planned_seconds > 0", name="ck_resets_planned_pos"),
        CheckConstraint("actual_seconds >= 0", name="ck_resets_actual_nonneg"),
        CheckConstraint("outcome IN ('completed', 'ended_early', 'interrupted')", name="ck_resets_outcome"),
        CheckConstraint("mood_before IS NULL OR mood_before BETWEEN 1 AND 5", name="ck_resets_mood_before"),
        CheckConstraint("mood_after IS NULL OR mood_after BETWEEN 1 AND 5", name="ck_resets_mood_after"),
    )

    trigger: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(String(32))
    planned_seconds: Mapped[int] = mapped_column(Integer)
    actual_seconds: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mood_before: Mapped[int | None] = mapped_column(Integer)
    mood_after: Mapped[int | None] = mapped_column(Integer)
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))


class Notification(Stamped, Base):
    """Every notification, shown or held, so history survives a restart."""

    __tablename__ = "notifications"

    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    shown_via: Mapped[str | None] = mapped_column(String(32))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_reason: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- Team: roster, kudos, Voice of the Customer, group deep breath, outbox (revision 0002) -----------------
# Names are team-hub login role names (PostgreSQL identifiers, at most 63 characters). On a desk with no
# hub they are the names the agent typed into the local roster.

KUDOS_CATEGORIES = ("helping", "exceeding", "achieving", "responding", "teamwork")  # H.E.A.R.T.


class Teammate(Stamped, Base):
    """The team roster: recipients for kudos autocomplete. Filled from the hub, or by hand when alone."""

    __tablename__ = "teammates"

    name: Mapped[str] = mapped_column(String(63), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(63))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default="local")  # local | hub


class Kudos(Stamped, Base):
    """Peer recognition. Team-visible by design: it travels through the hub when one is configured."""

    __tablename__ = "kudos"
    __table_args__ = (
        CheckConstraint("category IN ('helping', 'exceeding', 'achieving', 'responding', 'teamwork')",
                        name="ck_kudos_category"),
        CheckConstraint("length(message) BETWEEN 1 AND 280", name="ck_kudos_message_len"),
        CheckConstraint("sender <> recipient", name="ck_kudos_not_self"),
    )

    sender: Mapped[str] = mapped_column(String(63), index=True)
    recipient: Mapped[str] = mapped_column(String(63), index=True)
    category: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    call_ref: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(63))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # arrived on this desk (from the hub)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Obstacle(Stamped, Base):
    """Voice of the Customer: something that holds an agent back, for the daily huddle."""

    __tablename__ = "obstacles"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acted_on')", name="ck_obstacles_status"),
        CheckConstraint("length(text) BETWEEN 1 AND 1000", name="ck_obstacles_text_len"),
    )

    author: Mapped[str | None] = mapped_column(String(63))   # None when anonymous (and not mine)
    mine: Mapped[bool] = mapped_column(Boolean, default=False)  # logged on this desk: notify me when acted on
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(String(63))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reply: Mapped[str | None] = mapped_column(Text)
    acted_by: Mapped[str | None] = mapped_column(String(63))
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ObstacleVote(Stamped, Base):
    """A +1 on an obstacle ("this holds me back too")."""

    __tablename__ = "obstacle_votes"
    __table_args__ = (UniqueConstraint("obstacle_id", "voter", name="uq_obstacle_votes_voter"),)

    obstacle_id: Mapped[str] = mapped_column(ForeignKey("obstacles.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(63))


class Broadcast(Stamped, Base):
    """A lead's broadcast to the team; today one kind: the group deep breath."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("kind IN ('deep_breath')", name="ck_broadcasts_kind"),
        CheckConstraint("response IS NULL OR response IN ('joined', 'declined', 'missed')",
                        name="ck_broadcasts_response"),
    )

    kind: Mapped[str] = mapped_column(String(16), default="deep_breath")
    sender: Mapped[str] = mapped_column(String(63))
    team: Mapped[str | None] = mapped_column(String(63))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)     # invitations lapse after the window
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when this desk showed the invitation
    response: Mapped[str | None] = mapped_column(String(16))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_count: Mapped[int | None] = mapped_column(Integer)     # the lead's view, from the hub (count only)


class OutboxItem(Base):
    """A change waiting to go to the team hub. Written in the same transaction as the local change;
    the sync worker pushes it (an idempotent upsert by record id) and stamps ``pushed_at``."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)  # JSON: the wire record (docs/team-hub.md)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


# -- Moment of Truth checklists (revision 0003) ------------------------------------------------------------
# Templates are shared coaching material (a lead may publish one to the team). Runs are the agent's own,
# private like wellbeing data: they never enter the outbox and never leave this desk.

class ChecklistTemplate(Stamped, Base):
    """A checklist template: the validated template document (its items in order) plus list metadata."""

    __tablename__ = "checklist_templates"
    __table_args__ = (
        CheckConstraint("source IN ('local', 'team')", name="ck_checklist_templates_source"),
        CheckConstraint("version >= 1", name="ck_checklist_templates_version"),
        UniqueConstraint("team_template_id", "version", name="uq_checklist_templates_team_version"),
    )

    name: Mapped[str] = mapped_column(String(80))
    line_of_business: Mapped[str | None] = mapped_column(String(80))  # per client / line of business
    body: Mapped[str] = mapped_column(Text)  # JSON: the template document (companion.checklists.templates)
    version: Mapped[int] = mapped_column(Integer, default=1)  # goes up with every saved edit
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the agent's list
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(8), default="local")  # local | team (read-only, from a lead)
    team_template_id: Mapped[str | None] = mapped_column(String(36))  # the lead's template id (team only)
    published_by: Mapped[str | None] = mapped_column(String(63))


class ChecklistRun(Stamped, Base):
    """One call's checklist: which template, how it went. Private: never synced."""

    __tablename__ = "checklist_runs"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('positive', 'neutral', 'negative')",
                        name="ck_checklist_runs_outcome"),
        CheckConstraint("score BETWEEN 0 AND 1", name="ck_checklist_runs_score"),
        CheckConstraint("obstacle_text IS NULL OR length(obstacle_text) <= 1000",
                        name="ck_checklist_runs_obstacle_len"),
    )

    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("checklist_templates.id", ondelete="SET NULL"))
    template_version: Mapped[int] = mapped_column(Integer)
    template_name: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handle_seconds: Mapped[float | None] = mapped_column(Float)
    item_count: Mapped[int] = mapped_column(Integer)
    ticked_count: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)  # ticked / items, 0..1
    outcome: Mapped[str | None] = mapped_column(String(8))  # the agent's own view of the moment
    obstacle_text: Mapped[str | None] = mapped_column(Text)  # "what got in the way?"


class ChecklistRunItem(Base):
    """One item of a run, ticked or not (``ticked_at`` seconds after the call started)."""

    __tablename__ = "checklist_run_items"
    __table_args__ = (
        UniqueConstraint("run_id", "item_key", name="uq_checklist_run_items_key"),
        CheckConstraint("ticked_at IS NULL OR ticked_at >= 0", name="ck_checklist_run_items_ticked"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("checklist_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(32))
    ticked_at: Mapped[float | None] = mapped_column(Float)
