"""initial schema: settings, calls, resets, notifications

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from companion.db.migrations.frozen import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("handle_seconds", sa.Float(), nullable=True),
        sa.Column("tough", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("handle_seconds >= 0", name="ck_calls_handle_nonneg"),
    )
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.create_table(
        "resets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("pattern", sa.String(32), nullable=False),
        sa.Column("planned_seconds", sa.Integer(), nullable=False),
        sa.Column("actual_seconds", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.Column("mood_before", sa.Integer(), nullable=True),
        sa.Column("mood_after", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.String(36), sa.ForeignKey("calls.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("planned_seconds > 0", name="ck_resets_planned_pos"),
        sa.CheckConstraint("actual_seconds >= 0", name="ck_resets_actual_nonneg"),
        sa.CheckConstraint("outcome IN ('completed', 'ended_early', 'interrupted')", name="ck_resets_outcome"),
        sa.CheckConstraint("mood_before IS NULL OR mood_before BETWEEN 1 AND 5", name="ck_resets_mood_before"),
        sa.CheckConstraint("mood_after IS NULL OR mood_after BETWEEN 1 AND 5", name="ck_resets_mood_after"),
    )
    op.create_index("ix_resets_started_at", "resets", ["started_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("shown_at", UTCDateTime(), nullable=True),
        sa.Column("shown_via", sa.String(32), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("held_reason", sa.String(32), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_notifications_shown_at", "notifications", ["shown_at"])


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("resets")
    op.drop_table("calls")
    op.drop_table("settings")
