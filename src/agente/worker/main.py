"""The worker (``agente worker``) and the jobs it runs, from the parts it is handed.

The same :func:`build_scheduler` feeds the embedded mode, where the API's lifespan runs the
scheduler inside the API process. Neither builds anything: the composition root
(:func:`agente.container.worker_parts`) hands in :class:`WorkerParts`.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from datetime import timedelta

import structlog

from agente.channels.email import jobs as email_jobs
from agente.channels.email.relay import EmailRelay
from agente.channels.whatsapp.relay import DELIVERY_JOB, SEND_JOB, WhatsAppRelay
from agente.config import Settings
from agente.conversation.nlu.parser import NluParser
from agente.observability.metrics import Metrics
from agente.outbox import OutboxRelay
from agente.readiness import HealthChecks
from agente.reservations.service import PENDING_JOB, Reservations
from agente.storage.unit_of_work import Storage
from agente.worker.http import WorkerHttp, worker_app
from agente.worker.retention import prune_logs, prune_outbox
from agente.worker.scheduler import PeriodicJob, Scheduler

log = structlog.stdlib.get_logger("agente.worker")


@dataclass(frozen=True, slots=True)
class WorkerParts:
    settings: Settings
    storage: Storage
    metrics: Metrics
    reservations: Reservations
    whatsapp: WhatsAppRelay
    email: EmailRelay
    nlu: NluParser
    health: HealthChecks
    # Outbox jobs run side by side only where claims can skip locked rows (PostgreSQL).
    outbox_concurrency: int


def build_jobs(parts: WorkerParts) -> list[PeriodicJob]:
    settings = parts.settings

    async def retention() -> dict[str, int]:
        storage, batch = parts.storage, settings.retention_batch_size
        logs = await prune_logs(storage, older_than=timedelta(days=settings.log_retention_days), batch_size=batch)
        jobs = await prune_outbox(storage, older_than=timedelta(days=settings.outbox_retention_days), batch_size=batch)
        return {"logs_deleted": logs, "outbox_deleted": jobs}

    relay = OutboxRelay(
        parts.storage,
        {
            PENDING_JOB: parts.reservations.complete_pending,
            DELIVERY_JOB: parts.whatsapp.process_delivery,
            SEND_JOB: parts.whatsapp.send,
            email_jobs.DELIVERY_JOB: parts.email.process_delivery,
            email_jobs.SEND_JOB: parts.email.send,
        },
        parts.metrics,
        concurrency=parts.outbox_concurrency,
        lease_seconds=settings.outbox_lease_seconds,
    )
    return [
        PeriodicJob("outbox", settings.outbox_poll_seconds, relay.drain, quiet=True),
        PeriodicJob("outbox_backlog", 15.0, relay.counts, quiet=True),
        PeriodicJob("retention", settings.retention_interval_seconds, retention),
    ]


def build_scheduler(parts: WorkerParts) -> Scheduler:
    return Scheduler(build_jobs(parts), parts.metrics)


async def run_worker(parts: WorkerParts) -> None:
    """Run until SIGTERM/SIGINT; the job in progress finishes before the process exits.

    Raises :class:`~agente.storage.schema.SchemaMissingError` at once, before any job runs,
    when the database answers without a schema."""
    settings = parts.settings
    await parts.health.schema.require_schema()
    # The worker answers WhatsApp and email guests: the first of them must not wait for the model.
    await parts.nlu.warm_up()
    scheduler = build_scheduler(parts)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, scheduler.stop)
    http: WorkerHttp | None = None
    if settings.worker_metrics_port:
        # A round may run a job for a while (a drain, a slow PMS); only far longer means stuck.
        stale_after = max(120.0, 4 * settings.outbox_poll_seconds)
        app = worker_app(parts.health, lambda: scheduler.last_beat, stale_after=stale_after)
        http = WorkerHttp(app, host=settings.worker_metrics_host, port=settings.worker_metrics_port)
        await http.start()
    log.info("worker started", jobs=[job.name for job in scheduler.jobs], metrics_port=settings.worker_metrics_port)
    try:
        await scheduler.run()
    finally:
        if http is not None:
            await http.stop()
    log.info("worker stopped")
