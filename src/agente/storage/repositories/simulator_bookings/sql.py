"""The simulator's bookings on PostgreSQL or SQLite."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, fields
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agente.errors import DuplicateRecordError
from agente.storage.models import SimulatorBooking
from agente.storage.repositories.simulator_bookings import HeldRooms, NewSimulatorBooking, SimulatorBookingRecord

_TABLE = cast(Table, SimulatorBooking.__table__)
_COLUMNS = tuple(_TABLE.c[field.name] for field in fields(SimulatorBookingRecord))
_FIXED = ("id", "created_at")
# Advisory lock keys are one bigint space per database: the simulator's room types take
# 7_001_000 and up, clear of anything else that might lock.
_LOCK_BASE = 7_001_000
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _stored(row: Row[Any]) -> SimulatorBookingRecord:
    return SimulatorBookingRecord(**row._asdict())


class SqlSimulatorBookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_room_type(self, room_type_id: int) -> None:
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(_LOCK, {"key": _LOCK_BASE + room_type_id})

    async def held(
        self, room_type_ids: Collection[int], *, start: date, end: date, excluding: int | None = None
    ) -> list[HeldRooms]:
        c = _TABLE.c
        query = select(c.room_type_id, c.check_in, c.check_out, c.rooms).where(
            c.room_type_id.in_(list(room_type_ids)), c.status != "cancelled", c.check_in < end, c.check_out > start
        )
        if excluding is not None:
            query = query.where(c.id != excluding)
        return [HeldRooms(*row) for row in await self._session.execute(query)]

    async def by_key(self, idempotency_key: str) -> SimulatorBookingRecord | None:
        return await self._one(_TABLE.c.idempotency_key == idempotency_key)

    async def get(self, booking_id: int) -> SimulatorBookingRecord | None:
        return await self._one(_TABLE.c.id == booking_id)

    async def add(self, booking: NewSimulatorBooking) -> SimulatorBookingRecord:
        statement = insert(_TABLE).values(**asdict(booking)).returning(*_COLUMNS)
        try:
            return _stored((await self._session.execute(statement)).one())
        except IntegrityError as exc:
            raise DuplicateRecordError("duplicate: simulator booking idempotency key") from exc

    async def save(self, booking: SimulatorBookingRecord) -> SimulatorBookingRecord:
        values = {name: value for name, value in asdict(booking).items() if name not in _FIXED}
        statement = update(_TABLE).where(_TABLE.c.id == booking.id).values(**values).returning(*_COLUMNS)
        return _stored((await self._session.execute(statement)).one())

    async def _one(self, where: ColumnElement[bool]) -> SimulatorBookingRecord | None:
        row = (await self._session.execute(select(*_COLUMNS).where(where))).one_or_none()
        return _stored(row) if row is not None else None
