"""The PMS port in memory: a fixed hotel and room catalog, rack-rate prices, rooms to book.

Like httpx's ``MockTransport``, it stands where the real adapter would, with no network:
``FakePms()`` has three room types free for any dates; tests change ``free`` (rooms of a
type left), set ``down`` (every call raises ``PmsUnavailableError``), set ``fees`` (charges
the PMS adds to every offer and booking, as QloApps adds its automatic services) and read
``bookings``.
Prices are the rack rate per room and night, so a quote is easy to check by hand.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, replace
from datetime import UTC, datetime, time
from decimal import Decimal

from agente.pms.errors import BookingNotFoundError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    BookingStatus,
    Fee,
    HotelInfo,
    PmsHealth,
    RoomOffer,
    RoomType,
    StayQuery,
)

HOTEL = HotelInfo(1, "Hotel Prueba", "USD", check_in_time=time(15), check_out_time=time(11))
CATALOG = (
    RoomType(1, "Standard Double", "", Decimal("100.00"), max_adults=2, max_children=1, max_guests=3, total_rooms=5),
    RoomType(2, "Family Room", "", Decimal("150.00"), max_adults=4, max_children=2, max_guests=5, total_rooms=2),
    RoomType(3, "Junior Suite", "", Decimal("220.00"), max_adults=2, max_children=0, max_guests=2, total_rooms=1),
)


class FakePms:
    def __init__(self) -> None:
        self.free = {room.id: room.total_rooms for room in CATALOG}
        self.down = False
        self.fees: tuple[Fee, ...] = ()
        self.bookings: dict[str, Booking] = {}
        self._keys: dict[str, str] = {}
        self._ids = itertools.count(1)

    def _ask(self) -> None:
        if self.down:
            raise PmsUnavailableError("the fake PMS is down")

    async def hotel(self) -> HotelInfo:
        self._ask()
        return HOTEL

    async def room_types(self) -> tuple[RoomType, ...]:
        self._ask()
        return CATALOG

    def _price(self, room: RoomType, query: StayQuery) -> Decimal:
        return room.base_price * query.nights * query.rooms

    def _charged(self, room: RoomType, query: StayQuery) -> Decimal:
        return self._price(room, query) + sum((fee.amount for fee in self.fees), Decimal(0))

    async def availability(self, query: StayQuery) -> Availability:
        self._ask()
        offers = tuple(
            RoomOffer(
                r.id,
                r.name,
                self.free[r.id],
                r.base_price,
                self._price(r, query),
                "USD",
                r.max_adults,
                r.max_children,
                fees=self.fees,
            )  # fmt: skip
            for r in CATALOG
            if r.fits(query.adults, query.children)
            and self.free[r.id] >= query.rooms
            and query.room_type_id in (None, r.id)
        )
        return Availability(query, offers, "USD", datetime.now(UTC))

    async def create_booking(self, request: BookingRequest) -> Booking:
        self._ask()
        if request.idempotency_key in self._keys:
            return self.bookings[self._keys[request.idempotency_key]]
        stay, room = request.stay, CATALOG[request.room_type_id - 1]
        if self.free[room.id] < stay.rooms:
            raise RoomsNotAvailableError(f"no {room.name} left")
        self.free[room.id] -= stay.rooms
        booking = Booking(
            f"B{next(self._ids)}", BookingStatus.CONFIRMED, room.id, stay.check_in, stay.check_out,
            stay.adults, stay.children, stay.rooms, self._charged(room, stay), "USD", request.guest.email,
        )  # fmt: skip
        self.bookings[booking.id], self._keys[request.idempotency_key] = booking, booking.id
        return booking

    async def find_booking(self, request: BookingRequest) -> Booking | None:
        self._ask()
        booking_id = self._keys.get(request.idempotency_key)
        return self.bookings[booking_id] if booking_id else None

    async def get_booking(self, booking_id: str) -> Booking:
        self._ask()
        if booking_id not in self.bookings:
            raise BookingNotFoundError(booking_id)
        return self.bookings[booking_id]

    async def modify_booking(self, booking_id: str, change: BookingChange) -> Booking:
        old = await self.get_booking(booking_id)
        new = replace(old, **{k: v for k, v in asdict(change).items() if v is not None})
        room = CATALOG[new.room_type_id - 1]
        if self.free[room.id] + (old.rooms if old.room_type_id == room.id else 0) < new.rooms:
            raise RoomsNotAvailableError(f"no {room.name} left")
        query = StayQuery(new.check_in, new.check_out, new.adults, new.children, new.rooms)
        self.bookings[booking_id] = replace(new, total_price=self._charged(room, query))
        return self.bookings[booking_id]

    async def cancel_booking(self, booking_id: str) -> Booking:
        booking = await self.get_booking(booking_id)
        if booking.status is not BookingStatus.CANCELLED:
            self.free[booking.room_type_id] += booking.rooms
            self.bookings[booking_id] = replace(booking, status=BookingStatus.CANCELLED)
        return self.bookings[booking_id]

    async def health(self) -> PmsHealth:
        return PmsHealth(ok=not self.down, latency_ms=0.0, detail="down" if self.down else "ok")

    async def aclose(self) -> None:
        return None
