"""The outbox: durable jobs, and the relay that runs them.

A job is enqueued inside the caller's unit of work (``uow.outbox.enqueue``), so it exists if
and only if the change that asked for it was committed. The relay (:class:`OutboxRelay`)
claims due jobs under a lease — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the table without taking the same job — runs each job's handler while
renewing the lease, and records the outcome:

* success → ``done`` with the handler's result;
* :class:`RetryLater` → ``pending`` again after the delay it names (optionally without
  spending an attempt: "the PMS is still down" is not the job's fault);
* an error no retry can fix → ``dead`` at once, a dead letter with its reason
  (:mod:`agente.outbox.dead_letters`): :class:`PermanentJobError`, a payload that does not
  parse (:class:`UnreadablePayloadError`), data the database cannot store, an unknown kind;
* any other exception → retried with exponential back-off and jitter (:func:`backoff`),
  ``dead`` after ``max_attempts``.

Jobs enqueued with the same ``ordering_key`` (one guest's messages on one channel) run one
at a time and in the order they were enqueued, across all workers: a job is not claimed
while an earlier job with its key is pending or running. A dead job no longer holds the
ones behind it.

Every claim carries a fencing token (the job's lease version), and every renewal and finish
is checked against it: a worker that dies or stalls past its lease (``OUTBOX_LEASE_SECONDS``)
loses the job to the next claim, and whatever it writes afterwards is refused. Handlers
must still make a re-run harmless (look before acting, idempotency keys): a worker that died
mid-job leaves the job to run again.

With tracing on, each run of a job is a span ``outbox <kind>`` (job id, kind, attempt,
outcome); what the handler does (a conversation turn, a WhatsApp send) nests inside it.
"""

from __future__ import annotations

from agente.outbox.backoff import backoff
from agente.outbox.dead_letters import DeadReason
from agente.outbox.errors import PermanentJobError, RetryLater, UnreadablePayloadError
from agente.outbox.relay import Handler, OutboxRelay

__all__ = [
    "DeadReason",
    "Handler",
    "OutboxRelay",
    "PermanentJobError",
    "RetryLater",
    "UnreadablePayloadError",
    "backoff",
]
