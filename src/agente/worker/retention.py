"""Retention: the application event log (``logs``) keeps ``LOG_RETENTION_DAYS`` of rows.

Rows are deleted in batches of ``RETENTION_BATCH_SIZE`` — each batch its own short
transaction — so a large backlog never holds one long lock over the table. The runbook's
manual ``DELETE FROM logs WHERE created_at < NOW() - INTERVAL '7 days'`` does the same in
one statement and stays valid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.storage import db
from agente.storage.models import LogEntry


async def prune_logs(
    factory: async_sessionmaker[AsyncSession], *, older_than: timedelta, batch_size: int, now: datetime | None = None
) -> int:
    """Delete ``logs`` rows created before ``now - older_than``; return how many went."""
    cutoff = (now or datetime.now(UTC)) - older_than
    total = 0
    while True:
        async with db.session_scope(factory) as session:
            ids = select(LogEntry.id).where(LogEntry.created_at < cutoff).order_by(LogEntry.id).limit(batch_size)
            result = await session.execute(delete(LogEntry).where(LogEntry.id.in_(ids.scalar_subquery())))
            deleted = int(getattr(result, "rowcount", 0) or 0)
        total += deleted
        if deleted < batch_size:
            return total
