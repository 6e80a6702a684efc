"""The audit trail on PostgreSQL or SQLite."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import AuditEntry
from agente.storage.repositories.audit import AuditChange, RecordedChange

_TABLE = cast(Table, AuditEntry.__table__)
_COLUMNS = tuple(_TABLE.c[field.name] for field in fields(RecordedChange))


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, change: AuditChange) -> None:
        await self._session.execute(insert(_TABLE).values(**asdict(change)))

    async def page(self, *, limit: int, before_id: int | None = None) -> list[RecordedChange]:
        query = select(*_COLUMNS).order_by(_TABLE.c.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(_TABLE.c.id < before_id)
        return [RecordedChange(**row._asdict()) for row in await self._session.execute(query)]
