"""Sessions by status, most recent first: the staff's handoff list stays an index read
however many conversations the hotel has had.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("idx_sessions_status_updated_at", "sessions", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_index("idx_sessions_status_updated_at", table_name="sessions")
