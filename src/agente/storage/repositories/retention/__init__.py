"""Deleting rows that only grow the database: old event-log lines and long-finished outbox jobs.

Each call deletes at most ``limit`` rows, oldest (lowest id) first, and returns how many went,
so a caller can work through a large backlog one short transaction at a time. How old is too
old is the caller's business (``worker.retention``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class RetentionRepository(Protocol):
    async def delete_logs(self, *, created_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` ``logs`` rows created before ``created_before``."""
        ...

    async def delete_done_jobs(self, *, finished_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` outbox jobs that are ``done`` and last changed before
        ``finished_before``; pending, running and dead jobs are never deleted."""
        ...
