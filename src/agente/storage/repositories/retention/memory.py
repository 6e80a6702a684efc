"""Retention in memory, for unit tests, over the in-memory outbox and an in-memory event log."""

from __future__ import annotations

from datetime import datetime

from agente.storage.repositories.outbox.memory import OutboxTable


class LogsTable:
    """The event log's rows in memory: when each line was written, by id."""

    def __init__(self) -> None:
        self.created_at: dict[int, datetime] = {}


class MemoryRetention:
    def __init__(self, logs: LogsTable, outbox: OutboxTable) -> None:
        self._logs = logs
        self._outbox = outbox

    async def delete_logs(self, *, created_before: datetime, limit: int) -> int:
        old = sorted(i for i, at in self._logs.created_at.items() if at < created_before)[:limit]
        for log_id in old:
            del self._logs.created_at[log_id]
        return len(old)

    async def delete_done_jobs(self, *, finished_before: datetime, limit: int) -> int:
        # The in-memory outbox keeps no update time: completing a job sets its
        # ``next_attempt_at`` to when it finished, and nothing changes a done job after.
        jobs = self._outbox.jobs
        done = sorted(i for i, job in jobs.items() if job["status"] == "done")
        old = [i for i in done if jobs[i]["next_attempt_at"] < finished_before][:limit]
        for job_id in old:
            del jobs[job_id]
        return len(old)
