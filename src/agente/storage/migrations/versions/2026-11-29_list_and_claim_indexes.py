"""Indexes that keep two reads fast however much the tables have grown.

* Sessions by status, most recent first: the staff's handoff list is an index read,
  however many conversations the hotel has had.
* The outbox's ordering index holds only jobs still to run (pending or running). The
  claim asks, for every due job, whether an earlier job of its key still waits; over an
  index of every job ever run (or a plan intersecting it with the status index) that
  question cost a scan of the whole backlog each time, so a backlog of 20,000 jobs took
  five seconds a claim and the worker fell further behind the longer it ran.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status IN ('pending', 'running')")


def upgrade() -> None:
    op.create_index("idx_sessions_status_updated_at", "sessions", ["status", "updated_at"])
    op.drop_index("idx_outbox_ordering_key_id", table_name="outbox")
    op.create_index(
        "idx_outbox_ordering_key_id",
        "outbox",
        ["ordering_key", "id"],
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("idx_outbox_ordering_key_id", table_name="outbox")
    op.create_index("idx_outbox_ordering_key_id", "outbox", ["ordering_key", "id"])
    op.drop_index("idx_sessions_status_updated_at", table_name="sessions")
