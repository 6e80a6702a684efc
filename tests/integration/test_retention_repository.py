"""Retention's contract, the same in memory, on SQLite and on PostgreSQL: old log lines and
long-finished outbox jobs go, a batch at a time, and nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, insert, select

from agente.storage.models import LogEntry
from agente.storage.repositories.retention.memory import LogsTable
from agente.storage.unit_of_work import MemoryStorage
from tests.integration.conftest import Backend

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
_LOGS = cast(Table, LogEntry.__table__)


async def _write_logs(backend: Backend, ages: list[int]) -> None:
    """Log lines written ``ages`` days before ``NOW`` (the event log's writer is not a repository)."""
    if isinstance(backend.storage, MemoryStorage):
        table: LogsTable = backend.storage.data.table("logs", LogsTable)
        table.created_at.update({i: NOW - timedelta(days=days) for i, days in enumerate(ages, start=1)})
        return
    assert backend.engine is not None
    async with backend.engine.begin() as conn:
        rows = [{"level": "warning", "event": f"{days}d", "created_at": NOW - timedelta(days=days)} for days in ages]
        await conn.execute(insert(_LOGS), rows)


async def _log_ages(backend: Backend) -> list[int]:
    if isinstance(backend.storage, MemoryStorage):
        table: LogsTable = backend.storage.data.table("logs", LogsTable)
        return [(NOW - table.created_at[i]).days for i in sorted(table.created_at)]
    assert backend.engine is not None
    async with backend.engine.connect() as conn:
        return [
            (NOW - at).days for at in (await conn.execute(select(_LOGS.c.created_at).order_by(_LOGS.c.id))).scalars()
        ]


async def test_old_log_lines_go_oldest_first_at_most_a_batch_at_a_time(backend: Backend) -> None:
    await _write_logs(backend, [30, 10, 8, 6, 1])
    cutoff = NOW - timedelta(days=7)
    async with backend.storage.begin() as uow:
        assert await uow.retention.delete_logs(created_before=cutoff, limit=2) == 2
    assert await _log_ages(backend) == [8, 6, 1]
    async with backend.storage.begin() as uow:
        assert await uow.retention.delete_logs(created_before=cutoff, limit=2) == 1
        assert await uow.retention.delete_logs(created_before=cutoff, limit=2) == 0
    assert await _log_ages(backend) == [6, 1]


async def test_only_jobs_done_before_the_cutoff_go(backend: Backend) -> None:
    storage = backend.storage
    async with storage.begin() as uow:
        for n in range(5):
            await uow.outbox.enqueue("test", {"n": n})
    now = datetime.now(UTC)
    async with storage.begin() as uow:
        first, second, third, fourth = await uow.outbox.claim(now=now, lease_until=now + timedelta(minutes=1), limit=4)
        assert await uow.outbox.complete(first, now=now, result={})
        assert await uow.outbox.complete(second, now=now, result={})
        assert await uow.outbox.complete(third, now=now, result={})
        assert await uow.outbox.bury(fourth, now=now, error="an operator must look at it")
    # Left: three done, one dead, one pending (never claimed).

    async with storage.begin() as uow:
        assert await uow.retention.delete_done_jobs(finished_before=now - timedelta(hours=1), limit=10) == 0
        assert await uow.retention.delete_done_jobs(finished_before=now + timedelta(hours=1), limit=2) == 2
        assert await uow.outbox.counts() == {"done": 1, "dead": 1, "pending": 1}
        assert await uow.retention.delete_done_jobs(finished_before=now + timedelta(hours=1), limit=2) == 1
        assert await uow.outbox.counts() == {"dead": 1, "pending": 1}
