"""The outbox: durable jobs, and the relay that runs them.

``enqueue`` adds a job inside the caller's transaction, so a job exists if and only if
the change that asked for it was committed. The relay claims due jobs under a lease —
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the table without
taking the same job — runs each job's handler, and records the outcome:

* success → ``done`` with the handler's result;
* :class:`RetryLater` → ``pending`` again after the delay it names (optionally without
  spending an attempt: "the PMS is still down" is not the job's fault);
* :class:`PermanentJobError` → ``dead`` at once;
* any other exception → retried with exponential back-off and jitter, ``dead`` after
  ``max_attempts``.

Jobs enqueued with the same ``ordering_key`` (one guest's messages on one channel) run one
at a time and in the order they were enqueued, across all workers: a job is not claimed
while an earlier job with its key is pending or running. A dead job no longer holds the
ones behind it.

A worker that dies mid-job leaves its lease to expire (``OUTBOX_LEASE_SECONDS``); the job
is then claimed again. Handlers must therefore make a re-run harmless (look before
acting, idempotency keys). Dead jobs are listed at ``GET /admin/outbox?status=dead`` and
re-queued with ``POST /admin/outbox/{id}/retry``.

With tracing on, each run of a job is a span ``outbox <kind>`` (job id, kind, attempt,
outcome); what the handler does (a conversation turn, a WhatsApp send) nests inside it.
"""

from __future__ import annotations

import asyncio
import random
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from opentelemetry.trace import SpanKind
from sqlalchemy import ColumnElement, Select, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from agente.errors import AgenteError
from agente.observability import tracing
from agente.observability.metrics import Metrics
from agente.storage import db
from agente.storage.models import OutboxJob
from agente.storage.models.outbox import ACTIVE_STATUSES

log = structlog.stdlib.get_logger("agente.outbox")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class RetryLater(AgenteError):
    """Raised by a handler: try again after ``delay`` seconds."""

    def __init__(
        self, reason: str, *, delay: float, spend_attempt: bool = True, progress: dict[str, Any] | None = None
    ) -> None:
        super().__init__(reason)
        self.delay = delay
        self.spend_attempt = spend_attempt
        # Merged into the job's payload, so the next run resumes where this one stopped
        # (the parts of a long reply already sent are not sent again).
        self.progress = progress or {}


class PermanentJobError(AgenteError):
    """Raised by a handler: this job can never succeed; mark it dead now."""


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    dedup_key: str | None = None,
    ordering_key: str | None = None,
    max_attempts: int = 10,
    delay: float = 0.0,
) -> OutboxJob:
    """Add a job in the caller's transaction; with ``dedup_key``, a second enqueue returns the first job.

    With ``ordering_key``, the job runs only after every earlier job with that key is done or dead.
    """
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
    if dedup_key is None:
        job = OutboxJob(**values)
        session.add(job)
        await session.flush()  # callers read job.id
        return job
    # One statement whatever happened before: a key already stored (or being stored by a
    # transaction that then commits) inserts nothing, and the stored job is read instead.
    # This is the webhooks' hot path: no look-up, savepoint and insert round trips.
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(OutboxJob).values(**values).on_conflict_do_nothing(index_elements=["dedup_key"])
    created = (await session.scalars(statement.returning(OutboxJob))).one_or_none()
    if created is not None:
        return created
    return (await session.execute(select(OutboxJob).where(OutboxJob.dedup_key == dedup_key))).scalar_one()


def backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, capped, with ±50 % jitter."""
    raw: float = min(cap, base * 2 ** max(0, attempt - 1))
    jitter: float = (rng or random).random()
    return raw * (0.5 + jitter)


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or running under a lease that has expired (its worker died)."""
    return or_(
        (OutboxJob.status == "pending") & (OutboxJob.next_attempt_at <= now),
        (OutboxJob.status == "running") & (OutboxJob.locked_until < now),
    )


def claimable(now: datetime, limit: int) -> Select[int]:
    """Ids of up to ``limit`` due jobs, oldest first, leaving out any job whose ordering key
    has an earlier job still pending or running (that one runs first)."""
    earlier = aliased(OutboxJob)
    # The statuses are written into the SQL, not bound: the driver's prepared statement soon
    # runs a generic plan, and only literal values let that plan use the partial index of
    # jobs still to run (a bound list made every claim scan the whole backlog per due job).
    active = [literal(status, literal_execute=True) for status in ACTIVE_STATUSES]
    waiting = (
        select(earlier.id)
        .where(
            earlier.ordering_key == OutboxJob.ordering_key,
            earlier.id < OutboxJob.id,
            earlier.status.in_(active),
        )
        .exists()
    )
    return (
        select(OutboxJob.id)
        .where(_due(now), or_(OutboxJob.ordering_key.is_(None), ~waiting))
        .order_by(OutboxJob.id)
        .limit(limit)
    )


class OutboxRelay:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        handlers: dict[str, Handler],
        metrics: Metrics,
        *,
        batch_size: int = 10,
        concurrency: int = 1,
        lease_seconds: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.factory = factory
        self.handlers = handlers
        self.metrics = metrics
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.lease = timedelta(seconds=lease_seconds)
        self._now = now

    async def _claim(self) -> list[tuple[int, str, dict[str, Any], int, int]]:
        now = self._now()
        async with db.session_scope(self.factory) as session:
            candidates = claimable(now, self.batch_size)
            if session.get_bind().dialect.name == "postgresql":
                # Other workers skip the rows this one is claiming instead of queueing behind them.
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list((await session.execute(candidates)).scalars())
            claimed = []
            for job_id in ids:
                # Compare-and-set: only one claimer can move a due job to running, on any backend.
                result = await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id == job_id, _due(now))
                    .values(status="running", locked_until=now + self.lease, attempts=OutboxJob.attempts + 1)
                    .returning(
                        OutboxJob.id, OutboxJob.kind, OutboxJob.payload, OutboxJob.attempts, OutboxJob.max_attempts
                    )
                )
                row = result.first()
                if row is not None:
                    claimed.append((row[0], row[1], dict(row[2]), row[3], row[4]))
            return claimed

    async def run_once(self) -> int:
        """Claim and run the due jobs, up to ``concurrency`` at a time; return how many ran.

        A batch never holds two jobs of one ordering key (the claim leaves out a job with an
        earlier one pending), so running a batch's jobs side by side keeps every guest's order.
        """
        claimed = await self._claim()
        if self.concurrency == 1:
            for job in claimed:
                await self._traced(*job)
        else:
            slots = asyncio.Semaphore(self.concurrency)

            async def bounded(job: tuple[int, str, dict[str, Any], int, int]) -> None:
                async with slots:
                    await self._traced(*job)

            await asyncio.gather(*(bounded(job) for job in claimed))
        return len(claimed)

    async def drain(self, *, budget_seconds: float = 5.0) -> int:
        """Run batches back to back while there are due jobs, for at most ``budget_seconds``
        (so the worker's other periodic jobs still get their turn); return how many ran.

        A job that enqueues another (a guest's message, then its reply) sees it run in the
        next batch rather than after the next poll."""
        deadline = time.monotonic() + budget_seconds
        total = 0
        while time.monotonic() < deadline:
            ran = await self.run_once()
            total += ran
            if ran == 0:
                break
        return total

    async def _traced(self, job_id: int, kind: str, payload: dict[str, Any], attempts: int, max_attempts: int) -> None:
        job: tracing.Attributes = {"outbox.job.id": job_id, "outbox.job.kind": kind, "outbox.job.attempt": attempts}
        with tracing.span(f"outbox {kind}", kind=SpanKind.CONSUMER, attributes=job):
            await self._run(job_id, kind, payload, attempts, max_attempts)

    async def _run(self, job_id: int, kind: str, payload: dict[str, Any], attempts: int, max_attempts: int) -> None:
        handler = self.handlers.get(kind)
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(job_id=job_id, job_kind=kind)
        try:
            if handler is None:
                raise PermanentJobError(f"no handler for job kind {kind!r}")
            result = await handler(payload)
        except RetryLater as exc:
            await self._finish(
                job_id,
                status="pending",
                error=str(exc),
                delay=exc.delay,
                refund=not exc.spend_attempt,
                progress=exc.progress,
            )
            outcome = "deferred"
        except PermanentJobError as exc:
            tracing.record_error(exc)
            await self._finish(job_id, status="dead", error=str(exc))
            outcome = "dead"
        except Exception as exc:
            tracing.record_error(exc)
            error = "".join(traceback.format_exception_only(exc)).strip()
            if attempts >= max_attempts:
                await self._finish(job_id, status="dead", error=error)
                outcome = "dead"
                log.error("outbox job dead", attempts=attempts, error=error)
            else:
                await self._finish(job_id, status="pending", error=error, delay=backoff(attempts))
                outcome = "retry"
                log.warning("outbox job failed, will retry", attempts=attempts, error=error)
        else:
            await self._finish(job_id, status="done", result=result or {})
            outcome = "done"
        finally:
            structlog.contextvars.unbind_contextvars("job_id", "job_kind")
        tracing.set_attributes({"outbox.job.outcome": outcome})
        self.metrics.outbox_jobs.labels(kind, outcome).inc()
        self.metrics.outbox_job_duration.labels(kind).observe(time.perf_counter() - started)

    async def _finish(
        self,
        job_id: int,
        *,
        status: str,
        error: str | None = None,
        result: dict[str, Any] | None = None,
        delay: float = 0.0,
        refund: bool = False,
        progress: dict[str, Any] | None = None,
    ) -> None:
        async with db.session_scope(self.factory) as session:
            job = await session.get(OutboxJob, job_id)
            if job is None:
                return
            if progress:
                job.payload = {**job.payload, **progress}
            job.status = status
            job.locked_until = None
            job.last_error = error[:4000] if error else job.last_error
            if result is not None:
                job.result = result
            if refund:
                job.attempts -= 1
            job.next_attempt_at = self._now() + timedelta(seconds=delay)

    async def counts(self) -> dict[str, int]:
        """Jobs per status (for the backlog gauge and the admin API)."""
        async with db.session_scope(self.factory) as session:
            rows = (await session.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status))).all()
        counts = {status: int(n) for status, n in rows}
        for status in ("pending", "running", "done", "dead"):
            self.metrics.outbox_backlog.labels(status).set(counts.get(status, 0))
        return counts
