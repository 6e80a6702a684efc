"""The blocklist on PostgreSQL or SQLite."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import BlockedClient
from agente.storage.repositories.blocklist import BlockEntry

_TABLE = cast(Table, BlockedClient.__table__)
_COLUMNS = tuple(_TABLE.c[field.name] for field in fields(BlockEntry))


def _entry(row: Row[Any]) -> BlockEntry:
    return BlockEntry(**row._asdict())


class SqlBlocklist:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[BlockEntry]:
        return [_entry(row) for row in await self._session.execute(select(*_COLUMNS).order_by(_TABLE.c.id))]

    async def put(
        self, network: str, *, reason: str | None, created_by: str, expires_at: datetime | None
    ) -> BlockEntry:
        values = {"reason": reason, "created_by": created_by, "expires_at": expires_at}
        replaced = update(_TABLE).where(_TABLE.c.network == network).values(**values).returning(*_COLUMNS)
        row = (await self._session.execute(replaced)).one_or_none()
        if row is None:
            added = insert(_TABLE).values(network=network, **values).returning(*_COLUMNS)
            row = (await self._session.execute(added)).one()
        return _entry(row)

    async def remove(self, network: str) -> BlockEntry | None:
        statement = delete(_TABLE).where(_TABLE.c.network == network).returning(*_COLUMNS)
        row = (await self._session.execute(statement)).one_or_none()
        return _entry(row) if row is not None else None

    async def purge_expired(self, now: datetime) -> None:
        await self._session.execute(delete(_TABLE).where(_TABLE.c.expires_at <= now))
