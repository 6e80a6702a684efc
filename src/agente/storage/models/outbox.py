"""Durable jobs: what must happen even if the process that asked for it dies.

A job is claimed by one worker at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)
under a lease (``locked_until``) that its worker renews while the job runs; a worker that
dies mid-job leaves the lease to expire, and the job runs again. Each claim raises
``lease_version``, the fencing token every later write of that claim is checked against.
Handlers are written so a re-run has its effect once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, JsonDocument, UtcDateTime, utcnow

# Jobs still to run: they hold the jobs behind them with the same ordering key. The claim's
# SQL must spell these values out for the planner to use the partial index below (see
# ``storage.repositories.outbox.sql.claimable``).
ACTIVE_STATUSES = ("pending", "running")
_ACTIVE = text("status IN ({})".format(", ".join(f"'{status}'" for status in ACTIVE_STATUSES)))


class OutboxJob(CreatedAt, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedup_key"),
        Index(None, "status", "next_attempt_at"),
        # Only jobs still to run: the claim asks "does an earlier job of this key still wait?"
        # for every due job, and with a backlog an index over finished jobs too (or a plan
        # that intersects it with the status index) makes each claim scan the whole backlog.
        Index(None, "ordering_key", "id", postgresql_where=_ACTIVE, sqlite_where=_ACTIVE),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument, nullable=False)
    # pending → running → done, or back to pending (retry), or dead after max_attempts.
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Raised by every claim: a write naming an older version comes from a worker whose lease
    # was taken over, and changes nothing.
    lease_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # Enqueuing the same key twice is one job (a retried request does not duplicate work).
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    # Jobs with the same key (one guest's conversation) run one at a time, in id order.
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
