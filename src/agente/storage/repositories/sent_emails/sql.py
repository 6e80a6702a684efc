"""Sent emails on PostgreSQL or SQLite."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import SentEmail

_TABLE = cast(Table, SentEmail.__table__)


class SqlSentEmails:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def contains(self, message_id: str) -> bool:
        found = await self._session.execute(select(_TABLE.c.id).where(_TABLE.c.message_id == message_id))
        return found.first() is not None

    async def add(self, message_id: str, *, kind: str, booking_reference: str | None = None) -> None:
        await self._session.execute(
            insert(_TABLE).values(message_id=message_id, kind=kind, booking_reference=booking_reference)
        )
