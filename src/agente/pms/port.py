"""The port every PMS adapter implements.

The agent's facts about rooms, prices and bookings come only through this protocol.
Implementations: :class:`~agente.pms.adapters.simulator.SimulatorPms` (embedded, demo
hotel) and :class:`~agente.pms.adapters.qloapps.QloAppsPms` (the hotel's QloApps);
:class:`~agente.pms.resilience.resilient.ResilientPms` wraps either with a circuit
breaker, a cache and the fallback policy.

Every method raises only :class:`~agente.pms.errors.PmsError` subclasses:
``PmsUnavailableError`` (or ``PmsTimeoutError``) when the PMS could not be asked,
``PmsRejectedError`` when it refused, ``PmsConfigurationError`` when it cannot work as
configured.
"""

from __future__ import annotations

from typing import Protocol

from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    HotelInfo,
    PmsHealth,
    RoomType,
    StayQuery,
)


class PmsClient(Protocol):
    async def hotel(self) -> HotelInfo:
        """The hotel: name, contact, check-in/out times, currency."""
        ...

    async def room_types(self) -> tuple[RoomType, ...]:
        """Active room types with rack rates and occupancy limits."""
        ...

    async def availability(self, query: StayQuery) -> Availability:
        """Room types that fit the party (per room) and have ``query.rooms`` rooms free for
        every night, with live prices. An empty ``offers`` means nothing fits or is free."""
        ...

    async def create_booking(self, request: BookingRequest) -> Booking:
        """Book the stay. Idempotent on ``request.idempotency_key``: a repeated call returns the
        booking the first one made. Raises ``RoomsNotAvailableError`` when the rooms went."""
        ...

    async def find_booking(self, request: BookingRequest) -> Booking | None:
        """The booking an earlier ``create_booking(request)`` made, if it was made.

        Used before any retry of a write whose answer was lost."""
        ...

    async def get_booking(self, booking_id: str) -> Booking:
        """One booking; ``BookingNotFoundError`` when there is none with that id."""
        ...

    async def modify_booking(self, booking_id: str, change: BookingChange) -> Booking:
        """Change dates, party, rooms or room type; the result is re-priced by the PMS.
        ``RoomsNotAvailableError`` when the new stay cannot be had (the booking is unchanged)."""
        ...

    async def cancel_booking(self, booking_id: str) -> Booking:
        """Cancel; cancelling a cancelled booking returns it unchanged."""
        ...

    async def health(self) -> PmsHealth:
        """A cheap probe of the PMS. Never raises."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
