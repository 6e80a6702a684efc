"""Writes the event log's buffer (:mod:`agente.observability.event_log`) to the ``logs`` table.

Once a second, in batches of at most 1000 rows. When the database is down, or not migrated
yet, the batch is dropped and counted in ``event_log_dropped_total``: logging never waits on
the database, and every record still has its stdout copy.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.errors import DependencyUnavailableError
from agente.observability.event_log import EventLogHandler
from agente.observability.metrics import Metrics
from agente.storage import db
from agente.storage.models import LogEntry


class EventLogWriter:
    """Owns the handler on the root logger and the task that writes its buffer."""

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], metrics: Metrics, *, level: str, interval: float = 1.0
    ) -> None:
        self.factory = factory
        self.metrics = metrics
        self.interval = interval
        self.handler = EventLogHandler(logging.getLevelName(level))
        self._task: asyncio.Task[None] | None = None

    async def flush(self) -> int:
        """Write what is buffered; return how many rows were written."""
        self._count_overflow()
        batch = [self.handler.buffer.popleft() for _ in range(min(len(self.handler.buffer), 1000))]
        if not batch:
            return 0
        try:
            async with db.session_scope(self.factory) as session:
                await session.execute(insert(LogEntry), batch)
        except (DependencyUnavailableError, SQLAlchemyError):
            # Down, or not migrated yet: the records stay on stdout only.
            self.metrics.event_log_dropped.inc(len(batch))
            return 0
        return len(batch)

    def _count_overflow(self) -> None:
        dropped, self.handler.dropped = self.handler.dropped, 0
        if dropped:
            self.metrics.event_log_dropped.inc(dropped)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            while await self.flush() == 1000:
                pass

    def start(self) -> None:
        logging.getLogger().addHandler(self.handler)
        self._task = asyncio.create_task(self._run(), name="event-log-writer")

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        while await self.flush():
            pass
