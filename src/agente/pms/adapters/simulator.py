"""``SimulatorPms``: a small, real PMS inside the service, for the embedded default and demos.

It serves a demo hotel loaded from ``demo_hotel.json`` (room types, rooms, rack rates,
occupancy limits, seasonal prices, tax) and keeps real inventory in the service's own
database (``simulator_bookings``, through the storage's ``uow.simulator_bookings``), so every
process of a deployment books against the same rooms: a booking takes rooms off availability for each of its
nights, a cancellation gives them back, and both survive restarts. Prices follow the
season of each night. It can be made slow, flaky or down (:mod:`.simulator_faults`).

Concurrent bookings of the last room cannot both win: on PostgreSQL a transaction-scoped
advisory lock per room type serialises the check and the insert across processes; on the
embedded SQLite file (one process by design) a lock in this object does.
"""

from __future__ import annotations

import asyncio
import json
import random
import time as clock
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

from agente.errors import DependencyUnavailableError, DuplicateRecordError
from agente.pms.adapters.simulator_faults import FaultSwitch
from agente.pms.errors import (
    BookingNotFoundError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
    RoomsNotAvailableError,
)
from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    BookingStatus,
    HotelInfo,
    PmsHealth,
    RoomOffer,
    RoomType,
    StayQuery,
)
from agente.storage.repositories.simulator_bookings import (
    NewSimulatorBooking,
    SimulatorBookingRecord,
    SimulatorBookingsRepository,
)
from agente.storage.unit_of_work import Storage

CENT = Decimal("0.01")
_ID_PREFIX = "SIM"


@dataclass(frozen=True, slots=True)
class Season:
    name: str
    start: tuple[int, int]  # (month, day), inclusive
    end: tuple[int, int]  # inclusive; may wrap past the new year
    multiplier: Decimal

    def covers(self, day: date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


@dataclass(frozen=True, slots=True)
class DemoHotel:
    hotel: HotelInfo
    tax_rate: Decimal
    room_types: tuple[RoomType, ...]
    seasons: tuple[Season, ...]

    @classmethod
    def load(cls, data: dict[str, Any] | None = None) -> DemoHotel:
        """The packaged demo hotel, or ``data`` in the same shape."""
        if data is None:
            data = json.loads(resources.files("agente.pms.adapters").joinpath("demo_hotel.json").read_text("utf-8"))
        h = data["hotel"]

        def hhmm(value: str | None) -> time | None:
            return time.fromisoformat(value) if value else None

        def month_day(value: str) -> tuple[int, int]:
            month, day = value.split("-")
            return int(month), int(day)

        hotel = HotelInfo(
            id=int(h["id"]),
            name=h["name"],
            currency=h["currency"],
            check_in_time=hhmm(h.get("check_in_time")),
            check_out_time=hhmm(h.get("check_out_time")),
            phone=h.get("phone"),
            email=h.get("email"),
            address=h.get("address"),
            city=h.get("city"),
            latitude=h.get("latitude"),
            longitude=h.get("longitude"),
            description=h.get("description"),
            policies=h.get("policies"),
        )
        room_types = tuple(
            RoomType(
                id=int(r["id"]),
                name=r["name"],
                description=r["description"],
                base_price=Decimal(r["base_price"]),
                max_adults=int(r["max_adults"]),
                max_children=int(r["max_children"]),
                max_guests=int(r["max_guests"]),
                total_rooms=int(r["rooms"]),
            )
            for r in data["room_types"]
        )
        seasons = tuple(
            Season(s["name"], month_day(s["from"]), month_day(s["to"]), Decimal(s["multiplier"]))
            for s in data.get("seasons", [])
        )
        return cls(hotel=hotel, tax_rate=Decimal(h.get("tax_rate", "0")), room_types=room_types, seasons=seasons)

    def room_type(self, room_type_id: int) -> RoomType:
        for room_type in self.room_types:
            if room_type.id == room_type_id:
                return room_type
        raise PmsRejectedError(f"unknown room type {room_type_id}")

    def night_price(self, room_type: RoomType, night: date) -> Decimal:
        """One room, one night, tax included."""
        multiplier = next((s.multiplier for s in self.seasons if s.covers(night)), Decimal(1))
        return (room_type.base_price * multiplier * (1 + self.tax_rate)).quantize(CENT, ROUND_HALF_UP)

    def stay_price(self, room_type: RoomType, stay: StayQuery) -> tuple[Decimal, Decimal]:
        """(average per room and night, total for all rooms and nights), tax included."""
        nights = [stay.check_in + timedelta(days=i) for i in range(stay.nights)]
        per_room = sum((self.night_price(room_type, n) for n in nights), Decimal(0))
        return (per_room / stay.nights).quantize(CENT, ROUND_HALF_UP), per_room * stay.rooms


class SimulatorPms:
    """The simulated PMS. See the module docstring."""

    def __init__(
        self,
        storage: Storage,
        faults: FaultSwitch,
        *,
        hotel: DemoHotel | None = None,
        rng: random.Random | None = None,
        request_timeout: float = 5.0,
    ) -> None:
        self.storage = storage
        self.faults = faults
        self.demo = hotel or DemoHotel.load()
        self._rng = rng or random.Random()  # noqa: S311 - fault injection, not security
        self._write_lock = asyncio.Lock()
        self.request_timeout = request_timeout

    async def _fault(self) -> None:
        faults = await self.faults.current()
        if faults.down:
            raise PmsUnavailableError("PMS simulator is down (simulated)")
        if faults.latency_ms:
            # Slower than a client would wait: behave as a client's timeout would.
            if faults.latency_ms / 1000 > self.request_timeout:
                await asyncio.sleep(self.request_timeout)
                raise PmsTimeoutError(f"PMS simulator did not answer within {self.request_timeout:g}s (simulated)")
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.failure_rate and self._rng.random() < faults.failure_rate:
            raise PmsUnavailableError("PMS simulator answered 503 (simulated failure)")

    async def hotel(self) -> HotelInfo:
        await self._fault()
        return self.demo.hotel

    async def room_types(self) -> tuple[RoomType, ...]:
        await self._fault()
        return self.demo.room_types

    async def availability(self, query: StayQuery) -> Availability:
        await self._fault()
        candidates = [
            rt
            for rt in self.demo.room_types
            if (query.room_type_id is None or rt.id == query.room_type_id) and rt.fits(query.adults, query.children)
        ]
        async with self._inventory() as inventory:
            free = await _free_rooms(inventory, candidates, query.check_in, query.check_out)
        offers = []
        for rt in candidates:
            if free[rt.id] < query.rooms:
                continue
            nightly, total = self.demo.stay_price(rt, query)
            offers.append(
                RoomOffer(
                    room_type_id=rt.id,
                    name=rt.name,
                    available_rooms=free[rt.id],
                    nightly_price=nightly,
                    total_price=total,
                    currency=self.demo.hotel.currency,
                    max_adults=rt.max_adults,
                    max_children=rt.max_children,
                )
            )
        return Availability(
            query=query, offers=tuple(offers), currency=self.demo.hotel.currency, fetched_at=datetime.now(UTC)
        )

    async def create_booking(self, request: BookingRequest) -> Booking:
        await self._fault()
        room_type = self.demo.room_type(request.room_type_id)
        stay = request.stay
        if not room_type.fits(stay.adults, stay.children):
            raise PmsRejectedError(
                f"{room_type.name} takes at most {room_type.max_adults} adults and "
                f"{room_type.max_children} children per room"
            )
        try:
            async with self._write_lock, self._inventory() as inventory:
                existing = await inventory.by_key(request.idempotency_key)
                if existing is not None:
                    return self._booking(existing)
                await inventory.lock_room_type(room_type.id)
                if (await _free_rooms(inventory, [room_type], stay.check_in, stay.check_out))[
                    room_type.id
                ] < stay.rooms:
                    raise RoomsNotAvailableError("Requested room(s) not available.")
                _, total = self.demo.stay_price(room_type, stay)
                stored = await inventory.add(
                    NewSimulatorBooking(
                        idempotency_key=request.idempotency_key,
                        room_type_id=room_type.id,
                        check_in=stay.check_in,
                        check_out=stay.check_out,
                        adults=stay.adults,
                        children=stay.children,
                        rooms=stay.rooms,
                        total_price=total,
                        currency=self.demo.hotel.currency,
                        status=BookingStatus.CONFIRMED.value,
                        guest_first_name=request.guest.first_name,
                        guest_last_name=request.guest.last_name,
                        guest_email=request.guest.email,
                        guest_phone=request.guest.phone,
                        remark=request.remark,
                    )
                )
                return self._booking(stored)
        except DuplicateRecordError:
            # The same key was booked concurrently: that booking is the answer.
            found = await self.find_booking(request)
            if found is None:
                raise
            return found

    async def find_booking(self, request: BookingRequest) -> Booking | None:
        await self._fault()
        async with self._inventory() as inventory:
            stored = await inventory.by_key(request.idempotency_key)
            return self._booking(stored) if stored else None

    async def get_booking(self, booking_id: str) -> Booking:
        await self._fault()
        async with self._inventory() as inventory:
            return self._booking(await _stored(inventory, booking_id))

    async def modify_booking(self, booking_id: str, change: BookingChange) -> Booking:
        await self._fault()
        async with self._write_lock, self._inventory() as inventory:
            stored = await _stored(inventory, booking_id)
            if stored.status == BookingStatus.CANCELLED.value:
                raise PmsRejectedError("a cancelled booking cannot be changed")
            stay = StayQuery(
                check_in=change.check_in or stored.check_in,
                check_out=change.check_out or stored.check_out,
                adults=change.adults or stored.adults,
                children=stored.children if change.children is None else change.children,
                rooms=change.rooms or stored.rooms,
            )
            room_type = self.demo.room_type(change.room_type_id or stored.room_type_id)
            if not room_type.fits(stay.adults, stay.children):
                raise PmsRejectedError(f"{room_type.name} does not take that party")
            await inventory.lock_room_type(room_type.id)
            free = (await _free_rooms(inventory, [room_type], stay.check_in, stay.check_out, excluding=stored.id))[
                room_type.id
            ]
            if free < stay.rooms:
                raise RoomsNotAvailableError("Requested room(s) not available.")
            _, total = self.demo.stay_price(room_type, stay)
            changed = replace(
                stored,
                room_type_id=room_type.id,
                check_in=stay.check_in,
                check_out=stay.check_out,
                adults=stay.adults,
                children=stay.children,
                rooms=stay.rooms,
                total_price=total,
            )
            return self._booking(await inventory.save(changed))

    async def cancel_booking(self, booking_id: str) -> Booking:
        await self._fault()
        async with self._inventory() as inventory:
            stored = await _stored(inventory, booking_id)
            return self._booking(await inventory.save(replace(stored, status=BookingStatus.CANCELLED.value)))

    async def health(self) -> PmsHealth:
        started = clock.perf_counter()
        try:
            await self._fault()
            ok, detail = True, f"simulator serving {self.demo.hotel.name}"
        except PmsUnavailableError as exc:
            ok, detail = False, str(exc)
        return PmsHealth(ok=ok, latency_ms=round((clock.perf_counter() - started) * 1000, 2), detail=detail)

    async def aclose(self) -> None:
        return None

    @asynccontextmanager
    async def _inventory(self) -> AsyncIterator[SimulatorBookingsRepository]:
        """The bookings in one unit of work, whose database outages look, to callers, like an
        unreachable PMS."""
        try:
            async with self.storage.begin() as uow:
                yield uow.simulator_bookings
        except DependencyUnavailableError as exc:
            raise PmsUnavailableError(f"simulator storage unavailable: {exc}") from exc

    def _booking(self, stored: SimulatorBookingRecord) -> Booking:
        return Booking(
            id=f"{_ID_PREFIX}{stored.id:06d}",
            status=BookingStatus(stored.status),
            room_type_id=stored.room_type_id,
            check_in=stored.check_in,
            check_out=stored.check_out,
            adults=stored.adults,
            children=stored.children,
            rooms=stored.rooms,
            total_price=Decimal(stored.total_price).quantize(CENT),
            currency=stored.currency,
            guest_email=stored.guest_email,
            guest_name=f"{stored.guest_first_name} {stored.guest_last_name}".strip(),
            created_at=stored.created_at,
        )


async def _free_rooms(
    inventory: SimulatorBookingsRepository,
    room_types: Sequence[RoomType],
    start: date,
    end: date,
    *,
    excluding: int | None = None,
) -> dict[int, int]:
    """Rooms of each type free on every night from ``start`` to the night before ``end``, by type id."""
    taken: dict[int, Counter[date]] = {rt.id: Counter() for rt in room_types}
    for held in await inventory.held(list(taken), start=start, end=end, excluding=excluding):
        night = max(held.check_in, start)
        while night < min(held.check_out, end):
            taken[held.room_type_id][night] += held.rooms
            night += timedelta(days=1)
    return {rt.id: rt.total_rooms - max(taken[rt.id].values(), default=0) for rt in room_types}


async def _stored(inventory: SimulatorBookingsRepository, booking_id: str) -> SimulatorBookingRecord:
    number = booking_id.removeprefix(_ID_PREFIX)
    stored = await inventory.get(int(number)) if number.isdigit() else None
    if stored is None:
        raise BookingNotFoundError(f"no booking {booking_id}")
    return stored
