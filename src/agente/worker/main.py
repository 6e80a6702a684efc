"""The worker process (``agente worker``) and the jobs it runs.

The same :func:`build_jobs` feeds the embedded mode, where the API's lifespan runs the
scheduler inside the API process.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

import structlog

from agente.channels.email import jobs as email_jobs
from agente.channels.whatsapp.relay import DELIVERY_JOB, SEND_JOB
from agente.config import Settings
from agente.container import Container, build_container
from agente.outbox import OutboxRelay
from agente.reservations.service import PENDING_JOB
from agente.worker.http import WorkerHttp, worker_app
from agente.worker.retention import prune_logs, prune_outbox
from agente.worker.scheduler import PeriodicJob, Scheduler

log = structlog.stdlib.get_logger("agente.worker")


def build_jobs(container: Container) -> list[PeriodicJob]:
    settings = container.settings

    async def retention() -> dict[str, int]:
        factory, batch = container.session_factory, settings.retention_batch_size
        logs = await prune_logs(factory, older_than=timedelta(days=settings.log_retention_days), batch_size=batch)
        jobs = await prune_outbox(factory, older_than=timedelta(days=settings.outbox_retention_days), batch_size=batch)
        return {"logs_deleted": logs, "outbox_deleted": jobs}

    relay = OutboxRelay(
        container.storage,
        {
            PENDING_JOB: container.reservations.complete_pending,
            DELIVERY_JOB: container.whatsapp.process_delivery,
            SEND_JOB: container.whatsapp.send,
            email_jobs.DELIVERY_JOB: container.email.process_delivery,
            email_jobs.SEND_JOB: container.email.send,
        },
        container.metrics,
        concurrency=settings.outbox_concurrency if container.engine.dialect.name == "postgresql" else 1,
        lease_seconds=settings.outbox_lease_seconds,
    )
    return [
        PeriodicJob("outbox", settings.outbox_poll_seconds, relay.drain, quiet=True),
        PeriodicJob("outbox_backlog", 15.0, relay.counts, quiet=True),
        PeriodicJob("retention", settings.retention_interval_seconds, retention),
    ]


def build_scheduler(container: Container) -> Scheduler:
    return Scheduler(build_jobs(container), container.metrics)


async def run_worker(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT; the job in progress finishes before the process exits."""
    async with build_container(settings) as container:
        # The worker answers WhatsApp and email guests: the first of them must not wait for the model.
        await container.nlu.warm_up()
        scheduler = build_scheduler(container)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, scheduler.stop)
        http: WorkerHttp | None = None
        if settings.worker_metrics_port:
            # A round may run a job for a while (a drain, a slow PMS); only far longer means stuck.
            stale_after = max(120.0, 4 * settings.outbox_poll_seconds)
            app = worker_app(container, lambda: scheduler.last_beat, stale_after=stale_after)
            http = WorkerHttp(app, host=settings.worker_metrics_host, port=settings.worker_metrics_port)
            await http.start()
        log.info("worker started", jobs=[job.name for job in scheduler.jobs], metrics_port=settings.worker_metrics_port)
        try:
            await scheduler.run()
        finally:
            if http is not None:
                await http.stop()
        log.info("worker stopped")
