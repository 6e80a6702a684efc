"""Sessions on PostgreSQL or SQLite, with Core statements (no ORM unit of work)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import ConversationSession, Guest
from agente.storage.repositories.sessions import SessionRecord

_sessions = cast(Table, ConversationSession.__table__)
_guests = cast(Table, Guest.__table__)
_s = _sessions.c
_EXTERNAL_ID = select(_guests.c.external_id).where(_guests.c.id == _s.guest_id).scalar_subquery().label("external_id")
_COLUMNS = (
    _s.id,
    _s.channel,
    _EXTERNAL_ID,
    _s.status,
    _s.state,
    _s.slots,
    _s.language,
    _s.version,
    _s.updated_at,
)


def _record(row: Any) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        status=row.status,
        step=row.state,
        slots=dict(row.slots or {}),
        language=row.language,
        version=row.version,
        updated_at=row.updated_at,
    )


class SqlSessions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, session_id: uuid.UUID) -> SessionRecord | None:
        return await self._one(select(*_COLUMNS).where(_s.id == session_id))

    async def with_status(self, status: str, *, limit: int) -> list[SessionRecord]:
        statement = select(*_COLUMNS).where(_s.status == status).order_by(_s.updated_at.desc()).limit(limit)
        return [_record(row) for row in await self._session.execute(statement)]

    async def set_status(
        self, session_id: uuid.UUID, *, status: str, slots: dict[str, Any], step: str | None = None
    ) -> SessionRecord | None:
        values: dict[str, Any] = {
            "status": status,
            "slots": slots,
            "version": _s.version + 1,
            "updated_at": datetime.now(UTC),
        }
        if step is not None:
            values["state"] = step
        return await self._one(update(_sessions).where(_s.id == session_id).values(**values).returning(*_COLUMNS))

    async def language(self, session_id: uuid.UUID) -> str | None:
        language: str | None = (
            await self._session.execute(select(_s.language).where(_s.id == session_id))
        ).scalar_one_or_none()
        return language

    async def _one(self, statement: Any) -> SessionRecord | None:
        row = (await self._session.execute(statement)).one_or_none()
        return _record(row) if row is not None else None
