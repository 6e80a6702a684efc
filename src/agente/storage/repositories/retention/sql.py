"""Retention deletes on PostgreSQL or SQLite: one ``DELETE ... WHERE id IN (oldest ids)`` per call."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import LogEntry, OutboxJob

_LOGS = cast(Table, LogEntry.__table__)
_OUTBOX = cast(Table, OutboxJob.__table__)


class SqlRetention:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delete_logs(self, *, created_before: datetime, limit: int) -> int:
        return await self._delete(_LOGS, _LOGS.c.created_at < created_before, limit)

    async def delete_done_jobs(self, *, finished_before: datetime, limit: int) -> int:
        finished_long_ago = (_OUTBOX.c.status == "done") & (_OUTBOX.c.updated_at < finished_before)
        return await self._delete(_OUTBOX, finished_long_ago, limit)

    async def _delete(self, table: Table, condition: ColumnElement[bool], limit: int) -> int:
        oldest = select(table.c.id).where(condition).order_by(table.c.id).limit(limit)
        result = await self._session.execute(delete(table).where(table.c.id.in_(oldest.scalar_subquery())))
        return int(getattr(result, "rowcount", 0) or 0)
