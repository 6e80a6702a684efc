"""The outbox on PostgreSQL or SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import OutboxJob
from agente.storage.repositories.outbox import EnqueuedJob


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        dedup_key: str | None = None,
        ordering_key: str | None = None,
        max_attempts: int = 10,
        delay: float = 0.0,
    ) -> EnqueuedJob:
        values: dict[str, Any] = {
            "kind": kind,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "max_attempts": max_attempts,
            "next_attempt_at": datetime.now(UTC) + timedelta(seconds=delay),
            "dedup_key": dedup_key,
            "ordering_key": ordering_key,
        }
        insert = postgresql_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(OutboxJob).values(**values)
        if dedup_key is not None:
            # One statement whatever happened before: a key already stored (or being stored
            # by a transaction that then commits) inserts nothing, and the stored job is read
            # instead. This is the webhooks' hot path: no look-up and savepoint round trips.
            statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
        returning = statement.returning(OutboxJob.id, OutboxJob.kind, OutboxJob.payload)
        created = (await self._session.execute(returning)).first()
        if created is not None:
            return EnqueuedJob(created.id, created.kind, dict(created.payload), created=True)
        stored = (
            await self._session.execute(
                select(OutboxJob.id, OutboxJob.kind, OutboxJob.payload).where(OutboxJob.dedup_key == dedup_key)
            )
        ).one()
        return EnqueuedJob(stored.id, stored.kind, dict(stored.payload), created=False)
