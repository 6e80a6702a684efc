"""Retention: old rows that only grow the database are deleted.

* ``logs`` (the application event log) keeps ``LOG_RETENTION_DAYS`` of rows;
* ``outbox`` keeps finished (``done``) jobs for ``OUTBOX_RETENTION_DAYS`` after they
  finished. A done job is what tells a redelivered webhook from a new one, so the default
  (14 days) outlasts Meta's retries of a delivery (about 7 days); past that, a redelivery
  still finds its message stored and is not answered twice. ``dead`` jobs stay until an
  operator retries them: they are the alert.

Rows are deleted in batches of ``RETENTION_BATCH_SIZE`` — each batch its own short
transaction — so a large backlog never holds one long lock over the table. The runbook's
manual ``DELETE FROM logs WHERE created_at < NOW() - INTERVAL '7 days'`` does the same in
one statement and stays valid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.storage import db
from agente.storage.models import LogEntry, OutboxJob


async def _delete_in_batches(
    factory: async_sessionmaker[AsyncSession], model: Any, condition: ColumnElement[bool], batch_size: int
) -> int:
    """Delete ``model`` rows matching ``condition``, oldest id first, ``batch_size`` per transaction."""
    total = 0
    while True:
        async with db.session_scope(factory) as session:
            ids = select(model.id).where(condition).order_by(model.id).limit(batch_size)
            result = await session.execute(delete(model).where(model.id.in_(ids.scalar_subquery())))
            deleted = int(getattr(result, "rowcount", 0) or 0)
        total += deleted
        if deleted < batch_size:
            return total


async def prune_logs(
    factory: async_sessionmaker[AsyncSession], *, older_than: timedelta, batch_size: int, now: datetime | None = None
) -> int:
    """Delete ``logs`` rows created before ``now - older_than``; return how many went."""
    cutoff = (now or datetime.now(UTC)) - older_than
    return await _delete_in_batches(factory, LogEntry, LogEntry.created_at < cutoff, batch_size)


async def prune_outbox(
    factory: async_sessionmaker[AsyncSession], *, older_than: timedelta, batch_size: int, now: datetime | None = None
) -> int:
    """Delete ``done`` outbox jobs that finished before ``now - older_than``; return how many went."""
    cutoff = (now or datetime.now(UTC)) - older_than
    finished_long_ago = (OutboxJob.status == "done") & (OutboxJob.updated_at < cutoff)
    return await _delete_in_batches(factory, OutboxJob, finished_long_ago, batch_size)
