"""checklists: Moment of Truth templates, runs and run items (runs are private: never synced)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from companion.db.migrations.frozen import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.Column("updated_at", UTCDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "checklist_templates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("line_of_business", sa.String(80), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("team_template_id", sa.String(36), nullable=True),
        sa.Column("published_by", sa.String(63), nullable=True),
        *_stamps(),
        sa.CheckConstraint("source IN ('local', 'team')", name="ck_checklist_templates_source"),
        sa.CheckConstraint("version >= 1", name="ck_checklist_templates_version"),
        sa.UniqueConstraint("team_template_id", "version", name="uq_checklist_templates_team_version"),
    )
    op.create_table(
        "checklist_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_id", sa.String(36), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_id", sa.String(36), sa.ForeignKey("checklist_templates.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("template_name", sa.String(80), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.Column("handle_seconds", sa.Float(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("ticked_count", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=True),
        sa.Column("obstacle_text", sa.Text(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('positive', 'neutral', 'negative')",
                           name="ck_checklist_runs_outcome"),
        sa.CheckConstraint("score BETWEEN 0 AND 1", name="ck_checklist_runs_score"),
        sa.CheckConstraint("obstacle_text IS NULL OR length(obstacle_text) <= 1000",
                           name="ck_checklist_runs_obstacle_len"),
    )
    op.create_index("ix_checklist_runs_call_id", "checklist_runs", ["call_id"])
    op.create_index("ix_checklist_runs_started_at", "checklist_runs", ["started_at"])
    op.create_table(
        "checklist_run_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(36), sa.ForeignKey("checklist_runs.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(32), nullable=False),
        sa.Column("ticked_at", sa.Float(), nullable=True),
        sa.UniqueConstraint("run_id", "item_key", name="uq_checklist_run_items_key"),
        sa.CheckConstraint("ticked_at IS NULL OR ticked_at >= 0", name="ck_checklist_run_items_ticked"),
    )


def downgrade() -> None:
    for table in ("checklist_run_items", "checklist_runs", "checklist_templates"):
        op.drop_table(table)
