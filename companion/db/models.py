"""SQLAlchemy 2 models of the local database.

Every record that can travel has a UUID primary key and created/updated timestamps in UTC, so delivery
can repeat without duplicates. Wellbeing records (resets, moods) never leave this file.
"""
from __future__ import annotations

import uuid
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
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
