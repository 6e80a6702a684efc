"""The simulator's bookings in memory, for unit tests: the same uniqueness rule as the table."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, replace
from datetime import UTC, date, datetime

from agente.errors import DuplicateRecordError
from agente.storage.repositories.simulator_bookings import HeldRooms, NewSimulatorBooking, SimulatorBookingRecord


class SimulatorBookingsTable:
    def __init__(self) -> None:
        self.rows: dict[int, SimulatorBookingRecord] = {}
        self.next_id = 1


class MemorySimulatorBookings:
    def __init__(self, table: SimulatorBookingsTable) -> None:
        self._table = table

    async def lock_room_type(self, room_type_id: int) -> None:
        # Units of work in memory run one at a time already.
        return None

    async def held(
        self, room_type_ids: Collection[int], *, start: date, end: date, excluding: int | None = None
    ) -> list[HeldRooms]:
        return [
            HeldRooms(row.room_type_id, row.check_in, row.check_out, row.rooms)
            for row in self._table.rows.values()
            if row.room_type_id in room_type_ids
            and row.status != "cancelled"
            and row.check_in < end
            and row.check_out > start
            and row.id != excluding
        ]

    async def by_key(self, idempotency_key: str) -> SimulatorBookingRecord | None:
        return next((row for row in self._table.rows.values() if row.idempotency_key == idempotency_key), None)

    async def get(self, booking_id: int) -> SimulatorBookingRecord | None:
        return self._table.rows.get(booking_id)

    async def add(self, booking: NewSimulatorBooking) -> SimulatorBookingRecord:
        if await self.by_key(booking.idempotency_key) is not None:
            raise DuplicateRecordError("duplicate: simulator booking idempotency key")
        stored = SimulatorBookingRecord(**asdict(booking), id=self._table.next_id, created_at=datetime.now(UTC))
        self._table.rows[stored.id] = stored
        self._table.next_id += 1
        return stored

    async def save(self, booking: SimulatorBookingRecord) -> SimulatorBookingRecord:
        stored = self._table.rows.get(booking.id)
        if stored is None:
            raise LookupError(f"no simulator booking {booking.id}")
        saved = replace(booking, created_at=stored.created_at)
        self._table.rows[booking.id] = saved
        return saved
