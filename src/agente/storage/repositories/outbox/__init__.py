"""The outbox's rows: durable jobs, enqueued in the caller's unit of work and claimed under fenced leases.

A job exists if and only if the transaction that enqueued it committed. With ``dedup_key``
a second enqueue of the same key is the first job (``created`` is then false); with
``ordering_key`` the job runs only after every earlier job with that key is done or dead.

A claim moves a due job to ``running`` under a lease (``locked_until``) and raises its
``lease_version``: the :class:`ClaimedJob` it returns carries that version as a fencing
token. Every later write of the claimer — extending the lease, finishing the job done, for
a retry, or dead — names the token and is applied only while the job is still ``running``
under it. A claimer whose lease expired and whose job was claimed again (by another worker)
is thereby told, by a ``False``, that it no longer owns the job, and changes nothing.

Operators see jobs as :class:`StoredJob` (:meth:`OutboxRepository.page`) and send a dead
one again with :meth:`OutboxRepository.revive`. The relay that claims and runs jobs is
``agente.outbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

STATUSES = ("pending", "running", "done", "dead")


@dataclass(frozen=True, slots=True)
class EnqueuedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    # False when ``dedup_key`` named a job enqueued before: this enqueue added nothing.
    created: bool


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this claimer runs, as it was when claimed."""

    id: int
    kind: str
    payload: dict[str, Any]
    # Runs so far, this one included.
    attempts: int
    max_attempts: int
    # The fencing token: the job's lease version set by this claim.
    lease_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredJob:
    """A job as stored, whatever its status."""

    id: int
    kind: str
    payload: dict[str, Any]
    # One of :data:`STATUSES`.
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    locked_until: datetime | None
    last_error: str | None
    result: dict[str, Any] | None
    dedup_key: str | None
    ordering_key: str | None
    created_at: datetime


class OutboxRepository(Protocol):
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
        """Add a job to this unit of work (or return the job ``dedup_key`` already names)."""
        ...

    async def claim(self, *, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedJob]:
        """Claim up to ``limit`` due jobs, oldest first, leased until ``lease_until``.

        Due: pending with ``next_attempt_at <= now``, or running under a lease that expired
        before ``now`` (its worker died or stalled). A job is left out while an earlier job
        with its ordering key is pending or running, so one claim never holds two jobs of one
        key. Each claimed job's attempts and lease version go up by one. On PostgreSQL
        concurrent claimers skip each other's rows instead of waiting for them.
        """
        ...

    async def extend(self, job: ClaimedJob, *, lease_until: datetime) -> bool:
        """Move the lease of ``job`` to ``lease_until``; False (and nothing changed) when the
        claim is no longer the job's current one."""
        ...

    async def complete(self, job: ClaimedJob, *, now: datetime, result: dict[str, Any]) -> bool:
        """Mark ``job`` done with ``result``; False (and nothing changed) when not its owner."""
        ...

    async def retry(
        self,
        job: ClaimedJob,
        *,
        at: datetime,
        error: str,
        refund: bool = False,
        progress: dict[str, Any] | None = None,
    ) -> bool:
        """Put ``job`` back to pending, due at ``at``; ``refund`` gives this run's attempt back,
        ``progress`` is merged into its payload. False (and nothing changed) when not its owner."""
        ...

    async def bury(self, job: ClaimedJob, *, now: datetime, error: str) -> bool:
        """Mark ``job`` dead (a dead letter) with ``error``; False (and nothing changed) when not
        its owner. A dead job no longer holds the jobs behind it."""
        ...

    async def counts(self) -> dict[str, int]:
        """Jobs per status (statuses without jobs are left out)."""
        ...

    async def get(self, job_id: int) -> StoredJob | None: ...

    async def by_dedup_key(self, dedup_key: str) -> StoredJob | None:
        """The job enqueued with ``dedup_key`` (there is at most one)."""
        ...

    async def page(self, *, status: str | None = None, limit: int, before_id: int | None = None) -> list[StoredJob]:
        """Up to ``limit`` jobs, newest (highest id) first, only of ``status`` when given and
        only below ``before_id`` when given (pass a page's last id for the next page)."""
        ...

    async def revive(self, job_id: int, *, now: datetime) -> StoredJob | None:
        """Queue the dead job ``job_id`` again, due at ``now`` with a fresh set of attempts;
        returns it, or None (and nothing changed) when no dead job has this id."""
        ...
