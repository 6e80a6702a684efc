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

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from agente.storage.repositories.retention import RetentionRepository
from agente.storage.unit_of_work import Storage


async def _delete_in_batches(
    storage: Storage, delete: Callable[[RetentionRepository, int], Awaitable[int]], batch_size: int
) -> int:
    """Run ``delete`` (at most ``batch_size`` rows) until a batch comes back short, each batch
    its own unit of work; how many rows went in all."""
    total = 0
    while True:
        async with storage.begin() as uow:
            deleted = await delete(uow.retention, batch_size)
        total += deleted
        if deleted < batch_size:
            return total


async def prune_logs(storage: Storage, *, older_than: timedelta, batch_size: int, now: datetime | None = None) -> int:
    """Delete ``logs`` rows created before ``now - older_than``; return how many went."""
    cutoff = (now or datetime.now(UTC)) - older_than

    async def delete(rows: RetentionRepository, limit: int) -> int:
        return await rows.delete_logs(created_before=cutoff, limit=limit)

    return await _delete_in_batches(storage, delete, batch_size)


async def prune_outbox(storage: Storage, *, older_than: timedelta, batch_size: int, now: datetime | None = None) -> int:
    """Delete ``done`` outbox jobs that finished before ``now - older_than``; return how many went."""
    cutoff = (now or datetime.now(UTC)) - older_than

    async def delete(rows: RetentionRepository, limit: int) -> int:
        return await rows.delete_done_jobs(finished_before=cutoff, limit=limit)

    return await _delete_in_batches(storage, delete, batch_size)
