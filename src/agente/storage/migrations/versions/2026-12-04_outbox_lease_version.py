"""Outbox lease version: the fencing token of a job's claim.

Every claim raises ``lease_version``; a worker extends its lease and finishes its job only
while the version it claimed is still the job's. A worker that stalled past its lease, and
whose job another worker claimed since, is refused instead of overwriting that worker's run.
Existing jobs start at 0.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_version", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("lease_version")
