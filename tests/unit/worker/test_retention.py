from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from agente.container import Container
from agente.storage import db
from agente.storage.models import LogEntry, OutboxJob
from agente.worker.retention import prune_logs, prune_outbox


async def test_prune_logs_deletes_only_old_rows_in_batches(container: Container) -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    async with db.session_scope(container.session_factory) as session:
        for days in (30, 10, 8, 8, 8, 6, 1):
            session.add(LogEntry(level="warning", event=f"{days}d", created_at=now - timedelta(days=days)))

    deleted = await prune_logs(container.storage, older_than=timedelta(days=7), batch_size=2, now=now)

    assert deleted == 5
    async with db.session_scope(container.session_factory) as session:
        remaining = (await session.execute(select(LogEntry.event).order_by(LogEntry.created_at))).scalars().all()
        assert remaining == ["6d", "1d"]
        assert (await session.execute(select(func.count()).select_from(LogEntry))).scalar() == 2


async def test_prune_logs_with_nothing_old_deletes_nothing(container: Container) -> None:
    assert await prune_logs(container.storage, older_than=timedelta(days=7), batch_size=100) == 0


async def test_prune_outbox_deletes_only_jobs_done_long_ago(container: Container) -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    rows = [  # (status, days since it last changed)
        ("done", 30),
        ("done", 15),
        ("done", 13),
        ("dead", 30),  # an operator still has to look at it
        ("pending", 30),  # waiting for its guest's earlier job, or a PMS that is back
        ("running", 30),
    ]
    async with db.session_scope(container.session_factory) as session:
        for number, (status, days) in enumerate(rows):
            at = now - timedelta(days=days)
            session.add(
                OutboxJob(
                    kind="test",
                    payload={},
                    status=status,
                    dedup_key=f"job-{number}",
                    created_at=at,
                    updated_at=at,
                    next_attempt_at=at,
                )
            )

    deleted = await prune_outbox(container.storage, older_than=timedelta(days=14), batch_size=1, now=now)

    assert deleted == 2
    async with db.session_scope(container.session_factory) as session:
        left = (await session.execute(select(OutboxJob.dedup_key).order_by(OutboxJob.id))).scalars().all()
    assert left == ["job-2", "job-3", "job-4", "job-5"]
