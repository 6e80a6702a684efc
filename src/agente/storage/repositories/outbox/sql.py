"""The outbox on PostgreSQL or SQLite.

Claims and finishes are Core statements over the table (no ORM unit of work): a claim is
two round trips (the due ids, then one compare-and-set ``UPDATE ... RETURNING``), a finish
or a lease extension one.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, Table, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.errors import storable_text
from agente.storage.models import OutboxJob
from agente.storage.models.outbox import ACTIVE_STATUSES
from agente.storage.repositories.outbox import ClaimedJob, EnqueuedJob, StoredJob

_outbox = cast(Table, OutboxJob.__table__)
_c = _outbox.c
_STORED = tuple(_c[field.name] for field in fields(StoredJob))
# A job's last error is kept this long (a traceback's last line is far shorter).
_ERROR_CHARS = 4000


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or running under a lease that has expired (its worker died)."""
    return or_(
        (_c.status == "pending") & (_c.next_attempt_at <= now),
        (_c.status == "running") & (_c.locked_until < now),
    )


def claimable(now: datetime, limit: int) -> Select[tuple[int]]:
    """Ids of up to ``limit`` due jobs, oldest first, leaving out any job whose ordering key
    has an earlier job still pending or running (that one runs first)."""
    earlier = _outbox.alias("earlier")
    # The statuses are written into the SQL, not bound: the driver's prepared statement soon
    # runs a generic plan, and only literal values let that plan use the partial index of
    # jobs still to run (a bound list made every claim scan the whole backlog per due job).
    active = [literal(status, literal_execute=True) for status in ACTIVE_STATUSES]
    waiting = (
        select(earlier.c.id)
        .where(
            earlier.c.ordering_key == _c.ordering_key,
            earlier.c.id < _c.id,
            earlier.c.status.in_(active),
        )
        .exists()
    )
    return select(_c.id).where(_due(now), or_(_c.ordering_key.is_(None), ~waiting)).order_by(_c.id).limit(limit)


def _stored(row: Row[Any]) -> StoredJob:
    return StoredJob(**row._asdict())


def _error(text: str) -> str:
    # An error message can quote text PostgreSQL cannot store; failing to record the failure
    # would leave the job running until its lease expired, and then fail it again, forever.
    return storable_text(text[:_ERROR_CHARS])


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _is_postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

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
        insert = postgresql_insert if self._is_postgresql() else sqlite_insert
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

    async def claim(self, *, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedJob]:
        candidates = claimable(now, limit)
        if self._is_postgresql():
            # Other workers skip the rows this one is claiming instead of queueing behind them.
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list((await self._session.execute(candidates)).scalars())
        if not ids:
            return []
        # Compare-and-set: only one claimer can move a due job to running, on any backend
        # (SQLite has no row locks; a claimer that read the same ids updates none of them).
        statement = (
            update(_outbox)
            .where(_c.id.in_(ids), _due(now))
            .values(
                status="running",
                locked_until=lease_until,
                attempts=_c.attempts + 1,
                lease_version=_c.lease_version + 1,
            )
            .returning(_c.id, _c.kind, _c.payload, _c.attempts, _c.max_attempts, _c.lease_version)
        )
        rows = (await self._session.execute(statement)).all()
        claimed = [ClaimedJob(row[0], row[1], dict(row[2]), row[3], row[4], row[5]) for row in rows]
        return sorted(claimed, key=lambda job: job.id)

    async def _settle(self, job: ClaimedJob, **values: Any) -> bool:
        """Apply ``values`` to ``job`` if this claim still owns it (running, same lease version)."""
        statement = (
            update(_outbox)
            .where(_c.id == job.id, _c.lease_version == job.lease_version, _c.status == "running")
            .values(**values)
            .returning(_c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def extend(self, job: ClaimedJob, *, lease_until: datetime) -> bool:
        return await self._settle(job, locked_until=lease_until)

    async def complete(self, job: ClaimedJob, *, now: datetime, result: dict[str, Any]) -> bool:
        return await self._settle(job, status="done", locked_until=None, result=result, next_attempt_at=now)

    async def retry(
        self,
        job: ClaimedJob,
        *,
        at: datetime,
        error: str,
        refund: bool = False,
        progress: dict[str, Any] | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": "pending",
            "locked_until": None,
            "last_error": _error(error),
            "next_attempt_at": at,
        }
        if refund:
            values["attempts"] = _c.attempts - 1
        if progress:
            # Only the owner writes a running job's payload, so the claimed one is current.
            values["payload"] = {**job.payload, **progress}
        return await self._settle(job, **values)

    async def bury(self, job: ClaimedJob, *, now: datetime, error: str) -> bool:
        return await self._settle(job, status="dead", locked_until=None, last_error=_error(error), next_attempt_at=now)

    async def counts(self) -> dict[str, int]:
        rows = (await self._session.execute(select(_c.status, func.count()).group_by(_c.status))).all()
        return {status: int(n) for status, n in rows}

    async def get(self, job_id: int) -> StoredJob | None:
        return await self._one(select(*_STORED).where(_c.id == job_id))

    async def by_dedup_key(self, dedup_key: str) -> StoredJob | None:
        return await self._one(select(*_STORED).where(_c.dedup_key == dedup_key))

    async def page(self, *, status: str | None = None, limit: int, before_id: int | None = None) -> list[StoredJob]:
        statement = select(*_STORED).order_by(_c.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(_c.status == status)
        if before_id is not None:
            statement = statement.where(_c.id < before_id)
        return [_stored(row) for row in await self._session.execute(statement)]

    async def revive(self, job_id: int, *, now: datetime) -> StoredJob | None:
        statement = (
            update(_outbox)
            .where(_c.id == job_id, _c.status == "dead")
            .values(status="pending", attempts=0, next_attempt_at=now, locked_until=None)
            .returning(*_STORED)
        )
        return await self._one(statement)

    async def _one(self, statement: Any) -> StoredJob | None:
        row = (await self._session.execute(statement)).one_or_none()
        return _stored(row) if row is not None else None
