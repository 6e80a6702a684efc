"""The audit trail on PostgreSQL or SQLite."""

from __future__ import annotations

from dataclasses import asdict
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import AuditEntry
from agente.storage.repositories.audit import AuditChange

_TABLE = cast(Table, AuditEntry.__table__)


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, change: AuditChange) -> None:
        await self._session.execute(insert(_TABLE).values(**asdict(change)))
