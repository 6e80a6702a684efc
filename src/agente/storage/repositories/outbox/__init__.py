"""The outbox's rows: durable jobs, enqueued in the caller's unit of work.

A job exists if and only if the transaction that enqueued it committed. With ``dedup_key``
a second enqueue of the same key is the first job (``created`` is then false); with
``ordering_key`` the job runs only after every earlier job with that key is done or dead.
The relay that claims and runs jobs is ``agente.outbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class EnqueuedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    # False when ``dedup_key`` named a job enqueued before: this enqueue added nothing.
    created: bool


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
