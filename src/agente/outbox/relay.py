"""The relay: claim due jobs, run their handlers under a renewed lease, record the outcome.

Each claim leases its jobs for ``lease_seconds`` (``OUTBOX_LEASE_SECONDS``) and hands back a
fencing token (the job's lease version). While a handler runs, its lease is renewed every
third of that, so a job that runs long is not taken for abandoned and claimed by another
worker. Only a worker that stops renewing — it died, or stalled for longer than the lease —
loses its jobs to the next claim; its renewals and its finish then name an old token and
are refused (logged as ``outbox job lease lost``; the outcome counted is ``lease_lost``), so
the job's record is the current owner's alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from opentelemetry.trace import SpanKind

from agente.observability import tracing
from agente.observability.metrics import Metrics
from agente.outbox import dead_letters
from agente.outbox.backoff import backoff
from agente.outbox.dead_letters import DeadReason
from agente.outbox.errors import PermanentJobError, RetryLater
from agente.storage.errors import describe_error
from agente.storage.repositories.outbox import STATUSES, ClaimedJob
from agente.storage.unit_of_work import Storage, UnitOfWork

__all__ = ["Handler", "OutboxRelay"]

log = structlog.stdlib.get_logger("agente.outbox")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class OutboxRelay:
    """Runs the jobs of ``storage``'s outbox with ``handlers`` (by job kind).

    ``concurrency`` jobs of one batch run side by side; ``now`` is the clock (tests move it).
    """

    def __init__(
        self,
        storage: Storage,
        handlers: dict[str, Handler],
        metrics: Metrics,
        *,
        batch_size: int = 10,
        concurrency: int = 1,
        lease_seconds: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.handlers = handlers
        self.metrics = metrics
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.lease = timedelta(seconds=lease_seconds)
        # Renewed well before it ends: two renewals may fail (a database blip) before it does.
        self.renew_every = lease_seconds / 3
        self._now = now

    async def _claim(self) -> list[ClaimedJob]:
        now = self._now()
        async with self.storage.begin() as uow:
            return await uow.outbox.claim(now=now, lease_until=now + self.lease, limit=self.batch_size)

    async def run_once(self) -> int:
        """Claim and run the due jobs, up to ``concurrency`` at a time; return how many ran.

        A batch never holds two jobs of one ordering key (the claim leaves out a job with an
        earlier one pending), so running a batch's jobs side by side keeps every guest's order.
        """
        claimed = await self._claim()
        if self.concurrency == 1:
            for job in claimed:
                await self._traced(job)
        else:
            slots = asyncio.Semaphore(self.concurrency)

            async def bounded(job: ClaimedJob) -> None:
                async with slots:
                    await self._traced(job)

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

    async def counts(self) -> dict[str, int]:
        """Jobs per status (for the backlog gauge and the admin API)."""
        async with self.storage.begin() as uow:
            counts = await uow.outbox.counts()
        for status in STATUSES:
            self.metrics.outbox_backlog.labels(status).set(counts.get(status, 0))
        return counts

    async def _traced(self, job: ClaimedJob) -> None:
        attributes: tracing.Attributes = {
            "outbox.job.id": job.id,
            "outbox.job.kind": job.kind,
            "outbox.job.attempt": job.attempts,
        }
        with tracing.span(f"outbox {job.kind}", kind=SpanKind.CONSUMER, attributes=attributes):
            await self._run(job)

    async def _run(self, job: ClaimedJob) -> None:
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(job_id=job.id, job_kind=job.kind)
        try:
            outcome = await self._attempt(job)
        finally:
            structlog.contextvars.unbind_contextvars("job_id", "job_kind")
        tracing.set_attributes({"outbox.job.outcome": outcome})
        self.metrics.outbox_jobs.labels(job.kind, outcome).inc()
        self.metrics.outbox_job_duration.labels(job.kind).observe(time.perf_counter() - started)

    async def _attempt(self, job: ClaimedJob) -> str:
        """Run ``job``'s handler and record what came of it; return the outcome's name."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            unknown = PermanentJobError(f"no handler for job kind {job.kind!r}")
            tracing.record_error(unknown)
            return await self._bury(job, DeadReason.NO_HANDLER, str(unknown), unknown)
        try:
            async with self._leased(job):
                result = await handler(dict(job.payload))
        except RetryLater as exc:
            at = self._now() + timedelta(seconds=exc.delay)
            error, refund, progress = str(exc), not exc.spend_attempt, exc.progress
            return await self._write(
                job,
                "deferred",
                lambda uow: uow.outbox.retry(job, at=at, error=error, refund=refund, progress=progress),
            )
        except Exception as exc:
            tracing.record_error(exc)
            # A handler's own verdict is written for the operator as it is; anything else is
            # described without SQL or values.
            error = str(exc) if isinstance(exc, PermanentJobError) else describe_error(exc)
            reason = dead_letters.immediate_reason(exc)
            if reason is None and job.attempts >= job.max_attempts:
                reason = DeadReason.ATTEMPTS_EXHAUSTED
            if reason is not None:
                return await self._bury(job, reason, error, exc)
            at = self._now() + timedelta(seconds=backoff(job.attempts))
            outcome = await self._write(job, "retry", lambda uow: uow.outbox.retry(job, at=at, error=error))
            if outcome == "retry":
                log.warning("outbox job failed, will retry", attempts=job.attempts, error=error)
            return outcome
        done = result or {}
        return await self._write(job, "done", lambda uow: uow.outbox.complete(job, now=self._now(), result=done))

    async def _bury(self, job: ClaimedJob, reason: DeadReason, error: str, exc: BaseException) -> str:
        outcome = await self._write(job, "dead", lambda uow: uow.outbox.bury(job, now=self._now(), error=error))
        if outcome == "dead":
            dead_letters.record(self.metrics, job, reason, exc)
        return outcome

    async def _write(self, job: ClaimedJob, outcome: str, write: Callable[[UnitOfWork], Awaitable[bool]]) -> str:
        """Record ``job``'s ``outcome`` in one unit of work; return it, or ``lease_lost`` when
        the claim no longer owns the job."""
        async with self.storage.begin() as uow:
            owned = await write(uow)
        if owned:
            return outcome
        # Another worker claimed the job after this one's lease ran out: its run is the one on
        # record, and this one's outcome is dropped.
        log.warning("outbox job lease lost, outcome not recorded", attempts=job.attempts, outcome=outcome)
        return "lease_lost"

    @contextlib.asynccontextmanager
    async def _leased(self, job: ClaimedJob) -> AsyncIterator[None]:
        """Renew ``job``'s lease every ``renew_every`` seconds while the block runs."""
        renewer = asyncio.create_task(self._renew(job))
        try:
            yield
        finally:
            renewer.cancel()
            try:
                await renewer
            except asyncio.CancelledError:
                # The renewer's own cancellation ends here; this task's (a shutdown) goes on.
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise

    async def _renew(self, job: ClaimedJob) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                async with self.storage.begin() as uow:
                    kept = await uow.outbox.extend(job, lease_until=self._now() + self.lease)
            except Exception as exc:
                # The lease still has time; the next renewal may get through.
                log.warning("outbox lease renewal failed", error=describe_error(exc))
                continue
            if not kept:
                # The job was claimed again; this run goes on, and its finish will be refused.
                log.warning("outbox job lease lost while running", attempts=job.attempts)
                return
