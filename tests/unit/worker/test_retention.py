from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from agente.container import Container
from agente.storage import db
from agente.storage.models import LogEntry
from agente.worker.retention import prune_logs


async def test_prune_logs_deletes_only_old_rows_in_batches(container: Container) -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    async with db.session_scope(container.session_factory) as session:
        for days in (30, 10, 8, 8, 8, 6, 1):
            session.add(LogEntry(level="warning", event=f"{days}d", created_at=now - timedelta(days=days)))

    deleted = await prune_logs(container.session_factory, older_than=timedelta(days=7), batch_size=2, now=now)

    assert deleted == 5
    async with db.session_scope(container.session_factory) as session:
        remaining = (await session.execute(select(LogEntry.event).order_by(LogEntry.created_at))).scalars().all()
        assert remaining == ["6d", "1d"]
        assert (await session.execute(select(func.count()).select_from(LogEntry))).scalar() == 2


async def test_prune_logs_with_nothing_old_deletes_nothing(container: Container) -> None:
    assert await prune_logs(container.session_factory, older_than=timedelta(days=7), batch_size=100) == 0
