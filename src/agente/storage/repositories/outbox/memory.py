"""The outbox in memory, for unit tests: the same rules as on SQL, rows as plain dicts."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from agente.storage.repositories.outbox import EnqueuedJob


class OutboxTable:
    """Jobs by id, in enqueue order."""

    def __init__(self) -> None:
        self.jobs: dict[int, dict[str, Any]] = {}
        self.next_id = 1


class MemoryOutbox:
    def __init__(self, table: OutboxTable) -> None:
        self._table = table

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
        if dedup_key is not None:
            for job in self._table.jobs.values():
                if job["dedup_key"] == dedup_key:
                    return EnqueuedJob(job["id"], job["kind"], copy.deepcopy(job["payload"]), created=False)
        job_id = self._table.next_id
        self._table.next_id += 1
        self._table.jobs[job_id] = {
            "id": job_id,
            "kind": kind,
            "payload": copy.deepcopy(payload),
            "status": "pending",
            "attempts": 0,
            "max_attempts": max_attempts,
            "next_attempt_at": datetime.now(UTC) + timedelta(seconds=delay),
            "locked_until": None,
            "last_error": None,
            "result": None,
            "dedup_key": dedup_key,
            "ordering_key": ordering_key,
        }
        return EnqueuedJob(job_id, kind, copy.deepcopy(payload), created=True)
