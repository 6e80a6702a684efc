"""Bookings on PostgreSQL or SQLite, with Core statements (no ORM unit of work)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agente.storage.models import BookingRecord
from agente.storage.repositories.bookings import NewBooking, StoredBooking

_TABLE = cast(Table, BookingRecord.__table__)
_COLUMNS = tuple(_TABLE.c[field.name] for field in fields(StoredBooking))
# What a save may change: everything but the identity and the timestamps the table keeps.
_FIXED = ("id", "created_at", "updated_at")


def _stored(row: Row[Any]) -> StoredBooking:
    return StoredBooking(**row._asdict())


class SqlBookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, booking: NewBooking) -> StoredBooking:
        statement = insert(_TABLE).values(**asdict(booking)).returning(*_COLUMNS)
        return _stored((await self._session.execute(statement)).one())

    async def get(self, booking_id: int) -> StoredBooking | None:
        return await self._one(_TABLE.c.id == booking_id)

    async def by_reference(self, reference: str) -> StoredBooking | None:
        return await self._one(_TABLE.c.reference == reference)

    async def by_idempotency_key(self, key: str) -> StoredBooking | None:
        return await self._one(_TABLE.c.idempotency_key == key)

    async def save(self, booking: StoredBooking) -> StoredBooking:
        values = {name: value for name, value in asdict(booking).items() if name not in _FIXED}
        statement = update(_TABLE).where(_TABLE.c.id == booking.id).values(**values).returning(*_COLUMNS)
        return _stored((await self._session.execute(statement)).one())

    async def _one(self, where: ColumnElement[bool]) -> StoredBooking | None:
        row = (await self._session.execute(select(*_COLUMNS).where(where))).one_or_none()
        return _stored(row) if row is not None else None
