"""team: roster, kudos, obstacles and +1s, broadcasts (group deep breath), outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from companion.db.migrations.frozen import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.Column("updated_at", UTCDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "teammates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(63), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("team", sa.String(63), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        *_stamps(),
    )
    op.create_table(
        "kudos",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("sender", sa.String(63), nullable=False),
        sa.Column("recipient", sa.String(63), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("call_ref", sa.String(64), nullable=True),
        sa.Column("team", sa.String(63), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("category IN ('helping', 'exceeding', 'achieving', 'responding', 'teamwork')",
                           name="ck_kudos_category"),
        sa.CheckConstraint("length(message) BETWEEN 1 AND 280", name="ck_kudos_message_len"),
        sa.CheckConstraint("sender <> recipient", name="ck_kudos_not_self"),
    )
    op.create_index("ix_kudos_sender", "kudos", ["sender"])
    op.create_index("ix_kudos_recipient", "kudos", ["recipient"])
    op.create_index("ix_kudos_sent_at", "kudos", ["sent_at"])
    op.create_table(
        "obstacles",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("author", sa.String(63), nullable=True),
        sa.Column("mine", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("team", sa.String(63), nullable=True),
        sa.Column("logged_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("acted_by", sa.String(63), nullable=True),
        sa.Column("acted_at", UTCDateTime(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("status IN ('open', 'acted_on')", name="ck_obstacles_status"),
        sa.CheckConstraint("length(text) BETWEEN 1 AND 1000", name="ck_obstacles_text_len"),
    )
    op.create_index("ix_obstacles_logged_at", "obstacles", ["logged_at"])
    op.create_table(
        "obstacle_votes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("obstacle_id", sa.String(36), sa.ForeignKey("obstacles.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("voter", sa.String(63), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("obstacle_id", "voter", name="uq_obstacle_votes_voter"),
    )
    op.create_index("ix_obstacle_votes_obstacle_id", "obstacle_votes", ["obstacle_id"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(63), nullable=False),
        sa.Column("team", sa.String(63), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=True),
        sa.Column("response", sa.String(16), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("joined_count", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("kind IN ('deep_breath')", name="ck_broadcasts_kind"),
        sa.CheckConstraint("response IS NULL OR response IN ('joined', 'declined', 'missed')",
                           name="ck_broadcasts_response"),
    )
    op.create_index("ix_broadcasts_sent_at", "broadcasts", ["sent_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("pushed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_index("ix_outbox_pushed_at", "outbox", ["pushed_at"])


def downgrade() -> None:
    for table in ("outbox", "broadcasts", "obstacle_votes", "obstacles", "kudos", "teammates"):
        op.drop_table(table)
