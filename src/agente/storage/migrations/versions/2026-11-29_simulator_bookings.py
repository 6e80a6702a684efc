"""Inventory of the built-in PMS simulator.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "simulator_bookings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False),
        sa.Column("check_out", sa.Date(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("total_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("guest_first_name", sa.String(100), nullable=False),
        sa.Column("guest_last_name", sa.String(100), nullable=False),
        sa.Column("guest_email", sa.String(254), nullable=False),
        sa.Column("guest_phone", sa.String(32), nullable=False),
        sa.Column("remark", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_simulator_bookings"),
        sa.UniqueConstraint("idempotency_key", name="uq_simulator_bookings_idempotency_key"),
    )
    op.create_index(
        "idx_simulator_bookings_room_type_id_check_in_check_out",
        "simulator_bookings",
        ["room_type_id", "check_in", "check_out"],
    )


def downgrade() -> None:
    op.drop_table("simulator_bookings")
