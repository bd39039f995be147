"""What the migration revisions use besides SQLAlchemy and Alembic, frozen: it never changes.

A revision is history: it must build today exactly what it built when it was released, whatever
``companion.db.models`` looks like by then. So revisions import nothing from ``companion`` but this module
(tests/db/test_migrations.py checks it). A new revision that needs a different helper adds a new one here
(or defines it in itself); an existing helper is never edited.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """The UTC datetime column type of revisions 0001-0003 (DDL: ``DATETIME``; aware datetimes stored as
    naive UTC, returned aware)."""

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
