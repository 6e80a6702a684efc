"""Initial schema: guests, sessions, messages, logs, audit_log.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "guests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(32)),
        sa.Column("language", sa.String(8)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_guests"),
        sa.UniqueConstraint("channel", "external_id", name="uq_guests_channel_external_id"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("slots", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True)),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["guest_id"], ["guests.id"], name="fk_sessions_guest_id_guests", ondelete="CASCADE"),
    )
    op.create_index("idx_sessions_guest_id", "sessions", ["guest_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("channel_message_id", sa.String(128)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("intent", sa.String(32)),
        sa.Column("status", sa.String(16)),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_messages_session_id_sessions", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("channel", "channel_message_id", name="uq_messages_channel_channel_message_id"),
    )
    op.create_index("idx_messages_session_id_created_at", "messages", ["session_id", "created_at"])
    op.create_table(
        "logs",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("logger", sa.String(100)),
        sa.Column("request_id", sa.String(128)),
        sa.Column("data", JSON, nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_logs"),
    )
    op.create_index("idx_logs_created_at", "logs", ["created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("before", JSON),
        sa.Column("after", JSON),
        sa.Column("request_id", sa.String(128)),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("idx_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("logs")
    op.drop_table("messages")
    op.drop_table("sessions")
    op.drop_table("guests")
