"""Bookings as this service records them: our reference, the PMS's id once made, the stay.

``status`` is ``pending`` (asked for while the PMS could not be reached; the worker makes it
when the PMS is back), ``confirmed``, ``cancelled`` or ``failed`` (the PMS refused it when it
was finally asked: the guest must be told). The reference and the idempotency key are each
unique: a second :meth:`BookingsRepository.add` with a stored key is a bug of the caller,
which looks the key up first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBooking:
    reference: str
    idempotency_key: str
    session_id: uuid.UUID | None
    status: str
    room_type_id: int
    check_in: date
    check_out: date
    adults: int
    children: int
    rooms: int
    guest_first_name: str
    guest_last_name: str
    guest_email: str
    guest_phone: str
    quoted_total: Decimal | None = None
    pms_booking_id: str | None = None
    total_price: Decimal | None = None
    currency: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBooking(NewBooking):
    """A booking as stored; change it with ``dataclasses.replace`` and :meth:`BookingsRepository.save`."""

    id: int
    created_at: datetime
    updated_at: datetime


class BookingsRepository(Protocol):
    async def add(self, booking: NewBooking) -> StoredBooking:
        """Store a new booking in this unit of work."""
        ...

    async def get(self, booking_id: int) -> StoredBooking | None: ...

    async def by_reference(self, reference: str) -> StoredBooking | None:
        """The booking with this reference, compared as stored (references are upper case)."""
        ...

    async def by_idempotency_key(self, key: str) -> StoredBooking | None: ...

    async def save(self, booking: StoredBooking) -> StoredBooking:
        """Write every field of ``booking`` over the stored one with its id; returns it as stored."""
        ...
