"""QloApps 1.6.1 webservice bodies: reading its JSON answers into the port's values, writing its requests.

Pure functions without I/O; :mod:`.qloapps` and :mod:`.qloapps_http` do the HTTP. Shapes and
quirks are those of the QloApps facts sheet (``/work/shared/reference/qloapps-webservice.md``,
"facts" below); comments name the section that explains each one.

Readers raise ``KeyError``/``TypeError``/``ValueError`` on an answer they cannot read; the
adapter runs them inside :func:`reading`, which turns those into ``PmsUnavailableError``.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agente.pms.errors import BookingNotFoundError, PmsUnavailableError
from agente.pms.types import Booking, BookingStatus, Fee, GuestDetails, HotelInfo, RoomOffer, RoomType, StayQuery

Json = dict[str, Any]

CENT = Decimal("0.01")
# API booking codes (facts: "Create a booking", "Modify or cancel").
BOOKING_NEW = 1
BOOKING_CANCELLED = 3
# The agent takes no payment: the guest pays at the hotel, so the PMS is told it awaits payment.
PAYMENT_AWAITING = 3

# The hotel's child age limit, and the value a fresh QloApps install gives it.
CHILD_AGE_SETTING = "WK_GLOBAL_CHILD_MAX_AGE"
DEFAULT_CHILD_AGE_LIMIT = 15
# The age a child is booked with when the guest did not say it: a school-age child, which
# every hotel limit above 8 counts as a child (QloApps 1.6.1 prices no age).
DEFAULT_CHILD_AGE = 8

# orders.current_state (facts: resources table). 1 "awaiting payment" is how every booking the
# agent makes stands until the guest pays at the hotel; its rooms are held, so it is confirmed.
_CONFIRMED_STATES = frozenset({1, 2, 3})
_CANCELLED_STATES = frozenset({4, 5})

_TAG = re.compile(r"<[^>]+>")


@contextmanager
def reading(what: str) -> Iterator[None]:
    """Report an answer that does not have the expected shape as an unusable answer."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError) as exc:
        raise PmsUnavailableError(f"QloApps answered {what} in a shape this adapter cannot read ({exc!r})") from exc


def obj(value: object) -> Json:
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, got {type(value).__name__}")
    return value


def members(value: object) -> list[Json]:
    """The items of a collection given as a list, or as an object keyed by id (``[]`` when empty)."""
    if isinstance(value, dict):
        return [obj(item) for item in value.values()]
    if isinstance(value, list):
        return [obj(item) for item in value]
    raise TypeError(f"expected a JSON collection, got {type(value).__name__}")


def entries(payload: object, key: str) -> list[Json]:
    """The items of a list answer such as ``{"hotels": [...]}``.

    An empty list comes back as a bare ``[]``, not ``{"hotels": []}`` (facts: "JSON lists").
    """
    if isinstance(payload, list) and not payload:
        return []
    return members(obj(payload)[key])


def text(value: object) -> str:
    """A localized field: a plain string, or ``[{"id": 1, "value": ...}]`` when several languages
    are active (facts: "Localized fields"). The first non-empty translation wins."""
    if value is None:
        return ""
    if isinstance(value, list):
        return next((str(item["value"]) for item in map(obj, value) if item.get("value")), "")
    return str(value)


def plain(value: object) -> str:
    """A localized field as plain text: descriptions and policies are stored as HTML."""
    stripped = _TAG.sub(" ", text(value))
    return " ".join(html.unescape(stripped).split())


def money(value: object) -> Decimal:
    """Core resources give prices as strings (``"1000.000000"``), hotel_ari and bookings as numbers."""
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise TypeError(f"expected an integer, got {value!r}")
    return int(value)


def flag(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true"}


def day(value: object) -> date:
    """A date, also when QloApps gives it as a ``YYYY-MM-DD HH:MM:SS`` date-time."""
    return date.fromisoformat(str(value)[:10])


def _clock_time(value: object) -> time | None:
    return time.fromisoformat(str(value)) if value else None


def _optional(value: str) -> str | None:
    return value or None


def _coordinate(value: object) -> float | None:
    return float(str(value)) if value not in (None, "") else None


def _stamp(value: object) -> datetime | None:
    # QloApps stores the PMS's wall-clock time without a zone; it is kept as it is.
    return datetime.fromisoformat(str(value)) if value else None


def hotel_info(payload: object, currency: str) -> HotelInfo:
    hotel = obj(obj(payload)["hotel"])
    return HotelInfo(
        id=integer(hotel["id"]),
        name=text(hotel["hotel_name"]),
        currency=currency,
        check_in_time=_clock_time(hotel.get("check_in")),
        check_out_time=_clock_time(hotel.get("check_out")),
        phone=_optional(text(hotel.get("phone"))),
        email=_optional(text(hotel.get("email"))),
        address=_optional(text(hotel.get("address"))),
        city=_optional(text(hotel.get("city"))),
        latitude=_coordinate(hotel.get("latitude")),
        longitude=_coordinate(hotel.get("longitude")),
        description=_optional(plain(hotel.get("description"))),
        policies=_optional(plain(hotel.get("policies"))),
    )


def occupancy(link: Json) -> tuple[int, int, int]:
    """(max adults, max children, max guests) per room of a ``hotel_room_types`` entry.

    A limit left at 0 falls back to the base occupancy, and max guests to their sum.
    """
    adults = integer(link.get("max_adults") or 0) or integer(link.get("adults") or 0)
    children = integer(link.get("max_children") or 0) or integer(link.get("children") or 0)
    guests = integer(link.get("max_guests") or 0) or adults + children
    return adults, children, guests


def room_types(links: object, products: object, rooms: object) -> tuple[RoomType, ...]:
    """The hotel's active room types from ``hotel_room_types`` (which types, their limits),
    ``room_types`` (names, prices) and ``hotel_rooms`` (how many active rooms each has)."""
    by_id = {integer(product["id"]): product for product in entries(products, "room_types")}
    active_rooms = Counter(
        integer(room["id_product"]) for room in entries(rooms, "rooms") if integer(room.get("id_status", 1)) == 1
    )
    found: list[RoomType] = []
    for link in entries(links, "hotel_room_types"):
        room_type_id = integer(link["id_product"])
        product = by_id.get(room_type_id)
        if product is None or not flag(product.get("active", 1)):
            continue
        max_adults, max_children, max_guests = occupancy(link)
        found.append(
            RoomType(
                id=room_type_id,
                name=text(product["name"]),
                description=plain(product.get("description")),
                base_price=money(product["price"]),
                max_adults=max_adults,
                max_children=max_children,
                max_guests=max_guests,
                total_rooms=active_rooms[room_type_id],
            )
        )
    return tuple(sorted(found, key=lambda room_type: room_type.id))


@dataclass(frozen=True, slots=True)
class AutoService:
    """A service product QloApps adds to every room of a cart (``auto_add_to_cart``)."""

    id: int
    name: str
    price: Decimal  # tax excluded, per booking or per night of one room
    per_night: bool  # price_calculation_method 2 (1 is per booking)
    in_room_price: bool  # price_addition_type 1: already inside the prices hotel_ari quotes


def auto_services(payload: object) -> tuple[AutoService, ...]:
    return tuple(
        AutoService(
            id=integer(service["id"]),
            name=text(service["name"]),
            price=money(service["price"]),
            per_night=integer(service.get("price_calculation_method", 1)) == 2,
            in_room_price=integer(service.get("price_addition_type", 1)) == 1,
        )
        for service in entries(payload, "services")
        if flag(service.get("auto_add_to_cart")) and flag(service.get("active", 1))
    )


def ari_body(hotel_id: int, query: StayQuery) -> bytes:
    """The XML that ``POST hotel_ari`` accepts (it reads no JSON); one ``room_occupancy`` per room
    asked for, so the totals cover all of them (facts: "Availability")."""
    root = ET.Element("qloapps")
    ari = ET.SubElement(root, "hotel_ari")
    fields = {"id_hotel": hotel_id, "date_from": query.check_in, "date_to": query.check_out, "get_available_rooms": 1}
    if query.room_type_id is not None:
        fields["id_room_type"] = query.room_type_id
    for name, value in fields.items():
        ET.SubElement(ari, name).text = str(value)
    occupancies = ET.SubElement(ET.SubElement(ari, "associations"), "room_occupancies")
    for _ in range(query.rooms):
        entry = ET.SubElement(occupancies, "room_occupancy")
        ET.SubElement(entry, "adults").text = str(query.adults)
        ET.SubElement(entry, "children").text = str(query.children)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def ari_currency(payload: object) -> str:
    return str(obj(obj(payload)["hotel_ari"])["currency"])


def _fits(room: Json, query: StayQuery) -> bool:
    # hotel_ari in v1.6.1 lists every free room whatever the occupancy asked for (facts:
    # "Availability"), so the party is checked here, per room.
    return (
        integer(room["max_adult"]) >= query.adults
        and integer(room["max_children"]) >= query.children
        and integer(room["max_occupancy"]) >= query.adults + query.children
    )


def offers(payload: object, query: StayQuery, services: Iterable[AutoService]) -> tuple[str, tuple[RoomOffer, ...]]:
    """(currency, offers) from a ``hotel_ari`` answer: the room types with at least ``query.rooms``
    free rooms that take the party."""
    ari = obj(obj(payload)["hotel_ari"])
    currency = str(ari["currency"])
    separate = [service for service in services if not service.in_room_price]
    found: list[RoomOffer] = []
    for room_type in members(ari.get("room_types") or []):
        rooms = room_type.get("rooms") or {}
        available = members(obj(rooms).get("available") or [])
        fitting = [room for room in available if _fits(room, query)]
        if len(fitting) < query.rooms:
            continue
        total = money(room_type["total_price_with_tax"])
        untaxed = money(room_type["total_price"])
        found.append(
            RoomOffer(
                room_type_id=integer(room_type["id_room_type"]),
                name=text(room_type.get("name")),
                available_rooms=len(fitting),
                nightly_price=money(room_type["base_price_with_tax"]),
                total_price=total,
                currency=currency,
                max_adults=max(integer(room["max_adult"]) for room in fitting),
                max_children=max(integer(room["max_children"]) for room in fitting),
                fees=_fees(separate, query, total / untaxed if untaxed else Decimal(1)),
            )
        )
    return currency, tuple(found)


def _fees(services: Iterable[AutoService], query: StayQuery, tax_ratio: Decimal) -> tuple[Fee, ...]:
    # Automatic services outside the room price are not in hotel_ari's figures (facts: "Create a
    # booking"). QloApps adds each to every room, per night or once; its price is tax excluded
    # and the services resource names no rate, so the room's own tax ratio (from the same
    # answer) is applied. The order QloApps makes holds exactly these amounts.
    return tuple(
        Fee(
            name=service.name,
            amount=(service.price * (query.nights if service.per_night else 1) * tax_ratio * query.rooms).quantize(
                CENT, ROUND_HALF_UP
            ),
            per="night" if service.per_night else "booking",
        )
        for service in services
    )


def key_tag(idempotency_key: str) -> str:
    """The mark a booking's remark carries so that the booking can be found again."""
    return f"[agente:{idempotency_key}]"


def remark_with_key(remark: str | None, idempotency_key: str) -> str:
    return f"{remark} {key_tag(idempotency_key)}" if remark else key_tag(idempotency_key)


def child_ages(children: int, age_limit: int) -> list[int]:
    """The ages sent for ``children`` children whose ages the agent does not know.

    QloApps 1.6.1 counts a room's children only from ``child_ages``, one age per child
    (``formatOccupancyInRequestData``: without it ``child`` becomes 0). The hotel's limit
    (``WK_GLOBAL_CHILD_MAX_AGE``) is the age from which a guest is an adult; each child is sent
    as :data:`DEFAULT_CHILD_AGE`, or just under the limit when the hotel's limit is lower.
    """
    return [max(0, min(DEFAULT_CHILD_AGE, age_limit - 1))] * children


def child_age_limit(payload: object) -> int:
    """``WK_GLOBAL_CHILD_MAX_AGE`` from a ``configurations`` answer; QloApps' own 15 when unset."""
    for entry in entries(payload, "configurations"):
        if str(entry.get("name")) == CHILD_AGE_SETTING and str(entry.get("value") or "").strip().isdigit():
            return integer(str(entry["value"]).strip())
    return DEFAULT_CHILD_AGE_LIMIT


def customer_detail(guest: GuestDetails) -> Json:
    return {"firstname": guest.first_name, "lastname": guest.last_name, "email": guest.email, "phone": guest.phone}


def booking_body(
    *,
    hotel_id: int,
    currency: str,
    guest: GuestDetails,
    remark: str,
    room_type_id: int,
    stay: StayQuery,
    services: Iterable[AutoService],
    child_age_limit: int = DEFAULT_CHILD_AGE_LIMIT,
    payment_status: int = PAYMENT_AWAITING,
    booking_status: int = BOOKING_NEW,
    order_id: int | None = None,
    room_ids: tuple[int, ...] = (),
) -> Json:
    """A ``POST bookings`` body, or with ``order_id`` a ``PUT bookings/{id}`` body stating the
    complete room set wanted (rooms left out are removed)."""
    listed = [{"id_service": service.id, "quantity": 1} for service in services]
    rooms: list[Json] = []
    for index in range(stay.rooms):
        # v1.6.1 reads the adult count from "adult" although its schema says "adults", which
        # later versions read (facts: "Create a booking"): both are sent. Children count only
        # with one age each (child_ages). Automatic services are dropped unless listed, which
        # would book the guest below the price quoted.
        room: Json = {
            "adult": stay.adults,
            "adults": stay.adults,
            "child": stay.children,
            "child_ages": child_ages(stay.children, child_age_limit),
            "services": listed,
        }
        if index < len(room_ids):
            room["id_room"] = room_ids[index]
        rooms.append(room)
    booking: Json = {
        "id_property": hotel_id,
        "currency": currency,
        "booking_status": booking_status,
        "payment_status": payment_status,
        "source": "agente",
        "remark": remark,
        "associations": {
            "customer_detail": customer_detail(guest),
            "room_types": [
                {
                    "id_room_type": room_type_id,
                    "checkin_date": stay.check_in.isoformat(),
                    "checkout_date": stay.check_out.isoformat(),
                    "number_of_rooms": stay.rooms,
                    "rooms": rooms,
                }
            ],
        },
    }
    if order_id is not None:
        booking = {"id": order_id, **booking}
    return {"booking": booking}


def status_of(current_state: object) -> BookingStatus:
    """The booking status an ``orders`` ``current_state`` stands for; payment errors and the
    overbooking variants (6 and up) need the hotel to act, so they are pending."""
    state = integer(current_state)
    if state in _CONFIRMED_STATES:
        return BookingStatus.CONFIRMED
    if state in _CANCELLED_STATES:
        return BookingStatus.CANCELLED
    return BookingStatus.PENDING


def order_state(payload: object) -> BookingStatus:
    return status_of(obj(obj(payload)["order"])["current_state"])


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """A booking as ``GET bookings/{id}`` shows it, with what a ``PUT`` must send back."""

    id: int
    currency: str
    guest: GuestDetails
    remark: str | None  # None when this QloApps does not show remarks
    payment_status: int
    room_type_id: int
    stay: StayQuery
    room_ids: tuple[int, ...]
    total_price: Decimal
    created_at: datetime | None

    def booking(self, status: BookingStatus) -> Booking:
        return Booking(
            id=str(self.id),
            status=status,
            room_type_id=self.room_type_id,
            check_in=self.stay.check_in,
            check_out=self.stay.check_out,
            adults=self.stay.adults,
            children=self.stay.children,
            rooms=self.stay.rooms,
            total_price=self.total_price,
            currency=self.currency,
            guest_email=self.guest.email,
            guest_name=f"{self.guest.first_name} {self.guest.last_name}".strip(),
            created_at=self.created_at,
        )

    def is_for(self, room_type_id: int, check_in: date, check_out: date, idempotency_key: str) -> bool:
        """Whether this is the booking a request with that stay and key made. The key is checked
        when the remark can be read; otherwise the stay alone decides."""
        same_stay = (self.room_type_id, self.stay.check_in, self.stay.check_out) == (room_type_id, check_in, check_out)
        return same_stay and (self.remark is None or key_tag(idempotency_key) in self.remark)


def _remark(booking: Json) -> str | None:
    # v1.6.1 shows the remark as a field; later versions list "remarks".
    if isinstance(booking.get("remark"), str):
        return str(booking["remark"])
    remarks = booking.get("remarks", booking.get("associations", {}).get("remarks"))
    if isinstance(remarks, list):
        return " ".join(text(item.get("remark") if isinstance(item, dict) else item) for item in remarks)
    return None


def booking_record(payload: object) -> BookingRecord:
    booking = obj(obj(payload)["booking"])
    associations = obj(booking["associations"])
    customer = obj(associations["customer_detail"])
    groups = members(associations.get("room_types") or [])
    if not groups:
        raise BookingNotFoundError(f"QloApps order {booking['id']} holds no rooms")
    rooms = [room for group in groups for room in members(group.get("rooms") or [])]
    first = groups[0]
    # The order's total, tax included: total_price_without_tax is the order's
    # total_paid_tax_excl and total_tax the difference to total_paid_tax_incl. total_paid is
    # what has been paid (total_paid_real), 0 for a booking paid at the hotel.
    prices = obj(associations["price_details"])
    total = money(prices["total_price_without_tax"]) + money(prices["total_tax"])
    stay = StayQuery(
        check_in=day(first["checkin_date"]),
        check_out=day(first["checkout_date"]),
        # The party is per room, as in StayQuery; every room the agent books holds the same one.
        adults=max([integer(room.get("adults", room.get("adult", 1))) for room in rooms] or [1]),
        children=max([integer(room.get("child", room.get("children", 0))) for room in rooms] or [0]),
        rooms=len(rooms) or sum(integer(group["number_of_rooms"]) for group in groups),
    )
    return BookingRecord(
        id=integer(booking["id"]),
        currency=str(booking["currency"]),
        guest=GuestDetails(
            first_name=str(customer.get("firstname", "")),
            last_name=str(customer.get("lastname", "")),
            email=str(customer["email"]),
            phone=str(customer.get("phone") or ""),
        ),
        remark=_remark(booking),
        payment_status=integer(booking.get("payment_status") or PAYMENT_AWAITING),
        room_type_id=integer(first["id_room_type"]),
        stay=stay,
        room_ids=tuple(integer(room["id_room"]) for room in rooms if room.get("id_room")),
        total_price=total,
        created_at=_stamp(booking.get("booking_date")),
    )
