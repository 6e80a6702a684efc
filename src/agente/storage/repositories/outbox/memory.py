"""The outbox in memory, for unit tests: the same rules as on SQL, rows as plain dicts."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from agente.storage.models.outbox import ACTIVE_STATUSES
from agente.storage.repositories.outbox import ClaimedJob, EnqueuedJob, StoredJob

_FIELDS = tuple(field.name for field in fields(StoredJob))


class OutboxTable:
    """Jobs by id, in enqueue order."""

    def __init__(self) -> None:
        self.jobs: dict[int, dict[str, Any]] = {}
        self.next_id = 1


def _stored(job: dict[str, Any]) -> StoredJob:
    return StoredJob(**copy.deepcopy({name: job[name] for name in _FIELDS}))


def _due(job: dict[str, Any], now: datetime) -> bool:
    if job["status"] == "pending":
        return bool(job["next_attempt_at"] <= now)
    return job["status"] == "running" and job["locked_until"] is not None and job["locked_until"] < now


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
        now = datetime.now(UTC)
        self._table.jobs[job_id] = {
            "id": job_id,
            "kind": kind,
            "payload": copy.deepcopy(payload),
            "status": "pending",
            "attempts": 0,
            "max_attempts": max_attempts,
            "next_attempt_at": now + timedelta(seconds=delay),
            "locked_until": None,
            "lease_version": 0,
            "last_error": None,
            "result": None,
            "dedup_key": dedup_key,
            "ordering_key": ordering_key,
            "created_at": now,
        }
        return EnqueuedJob(job_id, kind, copy.deepcopy(payload), created=True)

    async def claim(self, *, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedJob]:
        claimed: list[ClaimedJob] = []
        # Ordering keys with a job still to run, seen so far in id order.
        waiting: set[str] = set()
        for job in sorted(self._table.jobs.values(), key=lambda j: j["id"]):
            if len(claimed) == limit:
                break
            key = job["ordering_key"]
            held = key is not None and key in waiting
            if key is not None and job["status"] in ACTIVE_STATUSES:
                waiting.add(key)
            if held or not _due(job, now):
                continue
            job.update(
                status="running",
                locked_until=lease_until,
                attempts=job["attempts"] + 1,
                lease_version=job["lease_version"] + 1,
            )
            claimed.append(
                ClaimedJob(
                    job["id"],
                    job["kind"],
                    copy.deepcopy(job["payload"]),
                    job["attempts"],
                    job["max_attempts"],
                    job["lease_version"],
                )
            )
        return claimed

    def _owned(self, claim: ClaimedJob) -> dict[str, Any] | None:
        job = self._table.jobs.get(claim.id)
        if job is None or job["status"] != "running" or job["lease_version"] != claim.lease_version:
            return None
        return job

    async def extend(self, job: ClaimedJob, *, lease_until: datetime) -> bool:
        row = self._owned(job)
        if row is None:
            return False
        row["locked_until"] = lease_until
        return True

    async def complete(self, job: ClaimedJob, *, now: datetime, result: dict[str, Any]) -> bool:
        row = self._owned(job)
        if row is None:
            return False
        row.update(status="done", locked_until=None, result=copy.deepcopy(result), next_attempt_at=now)
        return True

    async def retry(
        self,
        job: ClaimedJob,
        *,
        at: datetime,
        error: str,
        refund: bool = False,
        progress: dict[str, Any] | None = None,
    ) -> bool:
        row = self._owned(job)
        if row is None:
            return False
        row.update(status="pending", locked_until=None, last_error=error[:4000], next_attempt_at=at)
        if refund:
            row["attempts"] -= 1
        if progress:
            row["payload"] = {**job.payload, **copy.deepcopy(progress)}
        return True

    async def bury(self, job: ClaimedJob, *, now: datetime, error: str) -> bool:
        row = self._owned(job)
        if row is None:
            return False
        row.update(status="dead", locked_until=None, last_error=error[:4000], next_attempt_at=now)
        return True

    async def counts(self) -> dict[str, int]:
        return dict(Counter(job["status"] for job in self._table.jobs.values()))

    async def get(self, job_id: int) -> StoredJob | None:
        job = self._table.jobs.get(job_id)
        return _stored(job) if job is not None else None

    async def by_dedup_key(self, dedup_key: str) -> StoredJob | None:
        return next((_stored(job) for job in self._table.jobs.values() if job["dedup_key"] == dedup_key), None)

    async def page(self, *, status: str | None = None, limit: int, before_id: int | None = None) -> list[StoredJob]:
        jobs = [
            job
            for job_id, job in sorted(self._table.jobs.items(), reverse=True)
            if (status is None or job["status"] == status) and (before_id is None or job_id < before_id)
        ]
        return [_stored(job) for job in jobs[:limit]]

    async def revive(self, job_id: int, *, now: datetime) -> StoredJob | None:
        job = self._table.jobs.get(job_id)
        if job is None or job["status"] != "dead":
            return None
        job.update(status="pending", attempts=0, next_attempt_at=now, locked_until=None)
        return _stored(job)
