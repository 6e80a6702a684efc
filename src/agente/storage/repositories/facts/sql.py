"""Facts on PostgreSQL or SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, cast

from sqlalchemy import Row, Table, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from agente.storage.models import HotelFact
from agente.storage.repositories.facts import Fact

_TABLE = cast(Table, HotelFact.__table__)
_COLUMNS = tuple(_TABLE.c[name] for name in ("topic", "answer_es", "answer_en", "details", "updated_by", "updated_at"))


def _fact(row: Row[Any]) -> Fact:
    return Fact(**row._asdict())


class SqlFacts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self) -> bool:
        return await self._session.run_sync(_has_table)

    async def all(self) -> list[Fact]:
        return [_fact(row) for row in await self._session.execute(select(*_COLUMNS))]

    async def locked(self, topic: str) -> Fact | None:
        statement = select(*_COLUMNS).where(_TABLE.c.topic == topic).with_for_update()
        row = (await self._session.execute(statement)).one_or_none()
        return _fact(row) if row is not None else None

    async def put(self, fact: Fact) -> None:
        values = asdict(fact)
        statement = self._insert().values(**values)
        changes = {name: statement.excluded[name] for name in values if name != "topic"}
        await self._session.execute(statement.on_conflict_do_update(index_elements=["topic"], set_=changes))

    async def seed(self, facts: Sequence[Fact]) -> int:
        if (await self._session.execute(select(func.count()).select_from(_TABLE))).scalar_one():
            return 0
        # A process seeding at the same time inserts the same topics: its rows win, these
        # are skipped, and the count says so.
        statement = self._insert().values([asdict(fact) for fact in facts]).on_conflict_do_nothing()
        inserted = await self._session.execute(statement.returning(_TABLE.c.topic))
        return len(inserted.all())

    def _insert(self) -> Any:
        postgresql = self._session.get_bind().dialect.name == "postgresql"
        return (postgresql_insert if postgresql else sqlite_insert)(_TABLE)


def _has_table(session: Session) -> bool:
    return inspect(session.connection()).has_table(_TABLE.name)
