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

A worker that dies mid-job leaves its lease to expire (``OUTBOX_LEASE_SECONDS``); the job
is then claimed again. Handlers must therefore make a re-run harmless (look before
acting, idempotency keys). Dead jobs are listed at ``GET /admin/outbox?status=dead`` and
re-queued with ``POST /admin/outbox/{id}/retry``.
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.errors import AgenteError
from agente.observability.metrics import Metrics
from agente.storage import db
from agente.storage.models import OutboxJob

log = structlog.stdlib.get_logger("agente.outbox")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class RetryLater(AgenteError):
    """Raised by a handler: try again after ``delay`` seconds."""

    def __init__(self, reason: str, *, delay: float, spend_attempt: bool = True) -> None:
        super().__init__(reason)
        self.delay = delay
        self.spend_attempt = spend_attempt


class PermanentJobError(AgenteError):
    """Raised by a handler: this job can never succeed; mark it dead now."""


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    dedup_key: str | None = None,
    max_attempts: int = 10,
    delay: float = 0.0,
) -> OutboxJob:
    """Add a job in the caller's transaction; with ``dedup_key``, a second enqueue returns the first job."""
    if dedup_key is not None:
        existing = (
            await session.execute(select(OutboxJob).where(OutboxJob.dedup_key == dedup_key))
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    job = OutboxJob(
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        max_attempts=max_attempts,
        next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
        dedup_key=dedup_key,
    )
    try:
        async with session.begin_nested():
            session.add(job)
    except IntegrityError:
        # Another transaction enqueued the same key at the same moment.
        found = (await session.execute(select(OutboxJob).where(OutboxJob.dedup_key == dedup_key))).scalar_one()
        return found
    return job


def backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, capped, with ±50 % jitter."""
    raw: float = min(cap, base * 2 ** max(0, attempt - 1))
    jitter: float = (rng or random).random()
    return raw * (0.5 + jitter)


class OutboxRelay:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        handlers: dict[str, Handler],
        metrics: Metrics,
        *,
        batch_size: int = 10,
        lease_seconds: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.factory = factory
        self.handlers = handlers
        self.metrics = metrics
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self._now = now

    async def _claim(self) -> list[tuple[int, str, dict[str, Any], int, int]]:
        now = self._now()
        due = or_(
            (OutboxJob.status == "pending") & (OutboxJob.next_attempt_at <= now),
            (OutboxJob.status == "running") & (OutboxJob.locked_until < now),
        )
        async with db.session_scope(self.factory) as session:
            candidates = select(OutboxJob.id).where(due).order_by(OutboxJob.id).limit(self.batch_size)
            if session.get_bind().dialect.name == "postgresql":
                # Other workers skip the rows this one is claiming instead of queueing behind them.
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list((await session.execute(candidates)).scalars())
            claimed = []
            for job_id in ids:
                # Compare-and-set: only one claimer can move a due job to running, on any backend.
                result = await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id == job_id, due)
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
        """Claim and run the due jobs; return how many ran."""
        claimed = await self._claim()
        for job_id, kind, payload, attempts, max_attempts in claimed:
            await self._run(job_id, kind, payload, attempts, max_attempts)
        return len(claimed)

    async def _run(self, job_id: int, kind: str, payload: dict[str, Any], attempts: int, max_attempts: int) -> None:
        handler = self.handlers.get(kind)
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(job_id=job_id, job_kind=kind)
        try:
            if handler is None:
                raise PermanentJobError(f"no handler for job kind {kind!r}")
            result = await handler(payload)
        except RetryLater as exc:
            await self._finish(job_id, status="pending", error=str(exc), delay=exc.delay, refund=not exc.spend_attempt)
            outcome = "deferred"
        except PermanentJobError as exc:
            await self._finish(job_id, status="dead", error=str(exc))
            outcome = "dead"
        except Exception as exc:
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
    ) -> None:
        async with db.session_scope(self.factory) as session:
            job = await session.get(OutboxJob, job_id)
            if job is None:
                return
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
