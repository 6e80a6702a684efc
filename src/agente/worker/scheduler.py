"""Periodic jobs, run one at a time by the worker.

A job that fails is logged with its name and counted (``worker_jobs_total{job,outcome}``)
and the loop carries on: one bad run must not stop the others. :meth:`Scheduler.stop`
lets the job in progress finish, then returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from agente.observability.metrics import Metrics

log = structlog.stdlib.get_logger("agente.worker")


@dataclass
class PeriodicJob:
    name: str
    interval: float
    run: Callable[[], Awaitable[object]]
    next_run: float = field(default=0.0)
    # Frequent jobs (the outbox poll) log their runs at debug level, not info.
    quiet: bool = False


class Scheduler:
    def __init__(self, jobs: list[PeriodicJob], metrics: Metrics, *, tick: float = 1.0) -> None:
        self.jobs = jobs
        self.metrics = metrics
        self.tick = tick
        self._stopping = asyncio.Event()
        # When the loop last came round (time.monotonic()): the worker's liveness.
        self.last_beat = time.monotonic()

    async def run_due(self) -> int:
        """Run every job whose time has come; return how many ran."""
        ran = 0
        for job in self.jobs:
            if self._stopping.is_set():
                break
            now = time.monotonic()
            if now < job.next_run:
                continue
            job.next_run = now + job.interval
            ran += 1
            started = time.perf_counter()
            try:
                result = await job.run()
            except Exception:
                log.exception("job failed", job=job.name)
                self.metrics.worker_jobs.labels(job.name, "error").inc()
                continue
            self.metrics.worker_jobs.labels(job.name, "ok").inc()
            (log.debug if job.quiet else log.info)(
                "job done", job=job.name, result=result, duration_ms=round((time.perf_counter() - started) * 1000, 2)
            )
        return ran

    async def run(self) -> None:
        """Loop until :meth:`stop`, sleeping until the next job is due (at most ``tick``)."""
        while not self._stopping.is_set():
            self.last_beat = time.monotonic()
            await self.run_due()
            soonest = min((job.next_run for job in self.jobs), default=time.monotonic() + self.tick)
            pause = min(self.tick, max(0.0, soonest - time.monotonic()))
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()
