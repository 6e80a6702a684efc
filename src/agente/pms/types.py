"""Values exchanged with the PMS: immutable, typed, adapter-neutral.

Money is :class:`~decimal.Decimal` with its currency next to it; dates are
:class:`~datetime.date` (a stay's ``check_out`` is the departure day, so nights =
``check_out - check_in``); ids are the PMS's own, as strings where the PMS may use
anything but integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from agente.pms.errors import PmsRejectedError


@dataclass(frozen=True, slots=True)
class HotelInfo:
    id: int
    name: str
    currency: str
    check_in_time: time | None = None
    check_out_time: time | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str | None = None
    policies: str | None = None


@dataclass(frozen=True, slots=True)
class RoomType:
    id: int
    name: str
    description: str
    # Rack rate: one room, one night, tax excluded, in the hotel's currency.
    base_price: Decimal
    max_adults: int
    max_children: int
    max_guests: int
    total_rooms: int

    def fits(self, adults: int, children: int) -> bool:
        """Whether one room of this type takes this party."""
        return adults <= self.max_adults and children <= self.max_children and adults + children <= self.max_guests


@dataclass(frozen=True, slots=True)
class StayQuery:
    """A stay to price: dates, party, number of rooms, optionally one room type.

    The party is per room: ``adults=2, rooms=2`` asks for two rooms of two adults each.
    """

    check_in: date
    check_out: date
    adults: int
    children: int = 0
    rooms: int = 1
    room_type_id: int | None = None

    def __post_init__(self) -> None:
        if self.check_out <= self.check_in:
            raise PmsRejectedError("check-out must be after check-in")
        if self.adults < 1 or self.children < 0 or self.rooms < 1:
            raise PmsRejectedError("a stay needs at least one adult and one room")

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


@dataclass(frozen=True, slots=True)
class Fee:
    """A charge the PMS adds on top of the room price (a service it puts in every booking),
    which the guest must be told about and pays."""

    name: str
    # For the whole stay and every room, tax included: what the PMS adds to the total.
    amount: Decimal
    per: str  # how the PMS prices it: "booking" or "night"


@dataclass(frozen=True, slots=True)
class RoomOffer:
    """One room type that fits the party and is free for the whole stay."""

    room_type_id: int
    name: str
    # None when unknown: rack rates served while the PMS cannot be asked.
    available_rooms: int | None
    # Average per room and night, tax included.
    nightly_price: Decimal
    # All rooms, all nights, tax included (fees excluded: see ``fees``).
    total_price: Decimal
    currency: str
    max_adults: int
    max_children: int
    fees: tuple[Fee, ...] = ()

    @property
    def charged_total(self) -> Decimal:
        """What the PMS charges for this offer: the rooms and every fee it adds."""
        return self.total_price + sum((fee.amount for fee in self.fees), Decimal(0))


@dataclass(frozen=True, slots=True)
class Availability:
    query: StayQuery
    offers: tuple[RoomOffer, ...]
    currency: str
    fetched_at: datetime
    # True when this answer is not live: a cached answer or rack rates served while the
    # PMS is unreachable. The agent must then say prices are to be confirmed.
    stale: bool = False
    source: str = "pms"  # "pms", "cache", "last_known", "rack_rates"


@dataclass(frozen=True, slots=True)
class GuestDetails:
    first_name: str
    last_name: str
    email: str
    phone: str


# The longest guest details every PMS accepts: QloApps 1.6.1 refuses longer ones (Customer and
# CartCustomerGuestDetail: firstname and lastname 32 characters, email 128, phone 32). The
# dialogue asks again for a longer one rather than let the booking fail.
GUEST_NAME_PART_MAX = 32
GUEST_EMAIL_MAX = 128
GUEST_PHONE_MAX = 32


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    PENDING = "pending"  # awaiting payment or confirmation at the PMS


@dataclass(frozen=True, slots=True)
class BookingRequest:
    stay: StayQuery
    room_type_id: int
    guest: GuestDetails
    # The same key always means the same booking: a retry never books twice.
    idempotency_key: str
    remark: str | None = None
    # What the guest was told, so the adapter can book at that price.
    quoted_total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    id: str
    status: BookingStatus
    room_type_id: int
    check_in: date
    check_out: date
    adults: int
    children: int
    rooms: int
    total_price: Decimal
    currency: str
    guest_email: str
    guest_name: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingChange:
    """A modification: the fields given replace the booking's; ``None`` keeps them."""

    check_in: date | None = None
    check_out: date | None = None
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    room_type_id: int | None = None


@dataclass(frozen=True, slots=True)
class PmsHealth:
    ok: bool
    latency_ms: float
    detail: str
    extra: dict[str, str] = field(default_factory=dict)
