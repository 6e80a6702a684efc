"""Bookings in memory, for unit tests: the same uniqueness rules as the table."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime

from agente.storage.repositories.bookings import NewBooking, StoredBooking


class BookingsTable:
    """Bookings by id."""

    def __init__(self) -> None:
        self.rows: dict[int, StoredBooking] = {}
        self.next_id = 1


class MemoryBookings:
    def __init__(self, table: BookingsTable) -> None:
        self._table = table

    async def add(self, booking: NewBooking) -> StoredBooking:
        for row in self._table.rows.values():
            if booking.reference == row.reference or booking.idempotency_key == row.idempotency_key:
                raise ValueError(f"booking {booking.reference} repeats a stored reference or idempotency key")
        now = datetime.now(UTC)
        stored = StoredBooking(**asdict(booking), id=self._table.next_id, created_at=now, updated_at=now)
        self._table.rows[stored.id] = stored
        self._table.next_id += 1
        return stored

    async def get(self, booking_id: int) -> StoredBooking | None:
        return self._table.rows.get(booking_id)

    async def by_reference(self, reference: str) -> StoredBooking | None:
        return next((row for row in self._table.rows.values() if row.reference == reference), None)

    async def by_idempotency_key(self, key: str) -> StoredBooking | None:
        return next((row for row in self._table.rows.values() if row.idempotency_key == key), None)

    async def save(self, booking: StoredBooking) -> StoredBooking:
        stored = self._table.rows.get(booking.id)
        if stored is None:
            raise LookupError(f"no booking {booking.id}")
        saved = replace(booking, created_at=stored.created_at, updated_at=datetime.now(UTC))
        self._table.rows[booking.id] = saved
        return saved
