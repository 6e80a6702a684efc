"""The PMS simulator's bookings: its inventory, kept in the service's database so every process
of a deployment books against the same rooms and a restart forgets none.

``status`` is the PMS's booking status (``confirmed``, ``cancelled``, ...); a cancelled
booking holds no rooms. The idempotency key is unique: :meth:`SimulatorBookingsRepository.add`
with a stored key raises :class:`~agente.errors.DuplicateRecordError`. What a booking costs and
whether rooms are free is the simulator's business (``pms.adapters.simulator``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSimulatorBooking:
    idempotency_key: str
    room_type_id: int
    check_in: date
    check_out: date
    adults: int
    children: int
    rooms: int
    total_price: Decimal
    currency: str
    status: str
    guest_first_name: str
    guest_last_name: str
    guest_email: str
    guest_phone: str
    remark: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorBookingRecord(NewSimulatorBooking):
    """A booking as stored; change it with ``dataclasses.replace`` and :meth:`SimulatorBookingsRepository.save`."""

    id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HeldRooms:
    """Rooms of a type a booking holds, each night from ``check_in`` to the night before ``check_out``."""

    room_type_id: int
    check_in: date
    check_out: date
    rooms: int


class SimulatorBookingsRepository(Protocol):
    async def lock_room_type(self, room_type_id: int) -> None:
        """Hold off every other unit of work that locks ``room_type_id`` until this one ends,
        in any process: a transaction-scoped advisory lock on PostgreSQL. On SQLite (one
        process by design) and in memory it does nothing; the caller serialises its own writers."""
        ...

    async def held(
        self, room_type_ids: Collection[int], *, start: date, end: date, excluding: int | None = None
    ) -> list[HeldRooms]:
        """The rooms of those types that bookings not cancelled hold on some night from ``start``
        to the night before ``end`` (one read for a whole quote); ``excluding`` leaves out the
        booking with that id."""
        ...

    async def by_key(self, idempotency_key: str) -> SimulatorBookingRecord | None: ...

    async def get(self, booking_id: int) -> SimulatorBookingRecord | None: ...

    async def add(self, booking: NewSimulatorBooking) -> SimulatorBookingRecord:
        """Store a new booking; raises :class:`~agente.errors.DuplicateRecordError` when its
        idempotency key is stored already (a concurrent request booked it first)."""
        ...

    async def save(self, booking: SimulatorBookingRecord) -> SimulatorBookingRecord:
        """Write every field of ``booking`` over the stored one with its id; returns it as stored."""
        ...
