"""Messages on PostgreSQL or SQLite, with Core statements (no ORM unit of work)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import Message
from agente.storage.models.base import new_id
from agente.storage.repositories.messages import MessageRecord

_TABLE = cast(Table, Message.__table__)
_c = _TABLE.c
_COLUMNS = (
    _c.id,
    _c.session_id,
    _c.direction,
    _c.channel,
    _c.channel_message_id,
    _c.text,
    _c.language,
    _c.intent,
    _c.status,
    _c.created_at,
)


def _record(row: Any) -> MessageRecord:
    return MessageRecord(**row._asdict())


class SqlMessages:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, message_id: uuid.UUID) -> MessageRecord | None:
        row = (await self._session.execute(select(*_COLUMNS).where(_c.id == message_id))).one_or_none()
        return _record(row) if row is not None else None

    async def by_channel_id(self, channel: str, channel_message_id: str) -> MessageRecord | None:
        statement = select(*_COLUMNS).where(_c.channel == channel, _c.channel_message_id == channel_message_id)
        row = (await self._session.execute(statement)).one_or_none()
        return _record(row) if row is not None else None

    async def add_outbound(
        self, session_id: uuid.UUID, *, channel: str, text: str, language: str | None, status: str
    ) -> MessageRecord:
        statement = (
            insert(_TABLE)
            .values(
                id=new_id(),
                session_id=session_id,
                direction="out",
                channel=channel,
                text=text,
                language=language,
                status=status,
                created_at=datetime.now(UTC),
            )
            .returning(*_COLUMNS)
        )
        return _record((await self._session.execute(statement)).one())

    async def mark(self, message_id: uuid.UUID, status: str, *, channel_message_id: str | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if channel_message_id is not None:
            values["channel_message_id"] = channel_message_id
        await self._session.execute(update(_TABLE).where(_c.id == message_id).values(**values))

    async def recent(
        self, session_ids: Sequence[uuid.UUID], *, per_session: int
    ) -> dict[uuid.UUID, list[MessageRecord]]:
        if not session_ids:
            return {}
        # The id breaks ties between messages stored in the same instant, so the window and the
        # final order agree on which are the last.
        newest_first = func.row_number().over(partition_by=_c.session_id, order_by=(_c.created_at.desc(), _c.id.desc()))
        ranked = select(*_COLUMNS, newest_first.label("rank")).where(_c.session_id.in_(session_ids)).subquery()
        statement = (
            select(*(ranked.c[column.name] for column in _COLUMNS))
            .where(ranked.c.rank <= per_session)
            .order_by(ranked.c.created_at, ranked.c.id)
        )
        found: dict[uuid.UUID, list[MessageRecord]] = {session_id: [] for session_id in session_ids}
        for row in await self._session.execute(statement):
            found[row.session_id].append(_record(row))
        return found

    async def latest_inbound_channel_id(self, session_id: uuid.UUID, channel: str) -> str | None:
        statement = (
            select(_c.channel_message_id)
            .where(_c.session_id == session_id, _c.direction == "in", _c.channel == channel)
            .order_by(_c.created_at.desc())
            .limit(1)
        )
        latest: str | None = (await self._session.execute(statement)).scalar_one_or_none()
        return latest
