"""Dead letters: jobs the relay gives up on, and why.

A job is dead-lettered at once when running it again cannot help — its handler said so
(:class:`~agente.outbox.errors.PermanentJobError`), its payload does not parse, the database
cannot store what it wrote (U+0000 in a text, a value longer than its column), or no handler
knows its kind — and otherwise once it has spent its attempts. Either way its reason is
counted in ``outbox_dead_letters_total{kind,reason}`` and logged in one warning line that
carries no payload and no error text (both can hold what a guest wrote); the error, in a
form without SQL or values, is the job's ``last_error``. A dead job no longer holds the jobs
behind it with the same ordering key: the guest's next message is answered.

Dead jobs are listed at ``GET /admin/outbox?status=dead`` and re-queued with
``POST /admin/outbox/{id}/retry``.
"""

from __future__ import annotations

from enum import StrEnum

import structlog

from agente.observability.metrics import Metrics
from agente.outbox.errors import PermanentJobError, UnreadablePayloadError
from agente.storage.errors import is_unstorable
from agente.storage.repositories.outbox import ClaimedJob

__all__ = ["DeadReason", "immediate_reason", "record"]

log = structlog.stdlib.get_logger("agente.outbox")


class DeadReason(StrEnum):
    """Why a job was dead-lettered (the ``reason`` label of ``outbox_dead_letters_total``)."""

    PERMANENT = "permanent"
    UNREADABLE_PAYLOAD = "unreadable_payload"
    UNSTORABLE = "unstorable"
    NO_HANDLER = "no_handler"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"


def immediate_reason(exc: Exception) -> DeadReason | None:
    """The reason to dead-letter a job whose handler raised ``exc`` now, or ``None`` when a
    later attempt may succeed."""
    if isinstance(exc, UnreadablePayloadError):
        return DeadReason.UNREADABLE_PAYLOAD
    if isinstance(exc, PermanentJobError):
        return DeadReason.PERMANENT
    if is_unstorable(exc):
        return DeadReason.UNSTORABLE
    return None


def record(metrics: Metrics, job: ClaimedJob, reason: DeadReason, exc: BaseException) -> None:
    """Count and log one dead letter (the job is already marked dead)."""
    metrics.outbox_dead_letters.labels(job.kind, reason.value).inc()
    log.warning(
        "outbox job dead-lettered",
        job_id=job.id,
        job_kind=job.kind,
        reason=reason.value,
        attempts=job.attempts,
        error_type=type(exc).__name__,
    )
