"""``QloAppsPms``: the hotel's QloApps (1.6.1), through its webservice.

What the adapter knows about the API comes from the QloApps facts sheet
(``/work/shared/reference/qloapps-webservice.md``, "facts" below); comments name the section
that explains a quirk. :mod:`.qloapps_http` is the transport (and where httpx errors become
``PmsError``), :mod:`.qloapps_parse` reads and writes the bodies.

Reads (GET, and ``POST hotel_ari``, which only reads) are retried while QloApps is
unavailable. Writes (``POST``/``PUT bookings``) are sent once: when the answer is a 5xx or is
lost, the booking is read back to learn what happened (facts: "On PHP 8 servers"), and the
caller gets the booking or ``PmsUnavailableError``, never a second write.

Decisions:

* Currency: the hotels resource has none; it is taken from a ``hotel_ari`` answer (the
  latest availability search, or a one-night probe for tomorrow) and kept.
* Fees: the ``services`` catalogue is read once per adapter. Automatic services whose price
  is not inside the room price are offered as :class:`~agente.pms.types.Fee`, taxed at the
  ratio of the room they go with; every automatic service is listed in each booked room, so
  the booking costs what was quoted.
* ``payment_status`` 3 (awaiting payment): the agent takes no payment; the guest pays at the
  hotel.
* Status from ``orders/{id}`` ``current_state``: 1–3 confirmed (the rooms are held; 1 is how
  a pay-at-hotel booking stands), 4–5 cancelled, anything else pending (the hotel must act).
* Idempotency: the key is written into the booking's remark; ``create_booking`` first looks
  for a booking of the guest with that stay and key, so a repeated call books nothing.
* A booking is one room type, one stay, one party per room: the shape the agent books in.
* Children are booked with :data:`~.qloapps_parse.DEFAULT_CHILD_AGE` each (under the hotel's
  ``WK_GLOBAL_CHILD_MAX_AGE``, read from ``configurations``): QloApps 1.6.1 drops children
  sent without ages, and the agent does not ask them.
* A booking's total is the order's, tax and automatic services included; an offer's
  :attr:`~agente.pms.types.RoomOffer.charged_total` is the same figure before booking.
"""

from __future__ import annotations

import asyncio
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import structlog

from agente.pms.adapters import qloapps_parse as parse
from agente.pms.adapters.qloapps_http import Webservice, may_have_arrived
from agente.pms.errors import (
    BookingNotFoundError,
    PmsConfigurationError,
    PmsError,
    PmsRejectedError,
    PmsUnavailableError,
)
from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    BookingStatus,
    HotelInfo,
    PmsHealth,
    RoomType,
    StayQuery,
)

if TYPE_CHECKING:
    from agente.config import Settings

log = structlog.stdlib.get_logger("agente.pms.qloapps")

# Orders of one customer looked through to find a booking again, newest first.
_ORDERS_SCANNED = 20

Done = Callable[[parse.BookingRecord, BookingStatus], bool]


class QloAppsPms:
    """A :class:`~agente.pms.port.PmsClient` over the QloApps webservice of one hotel.

    Holds one pooled HTTP client (see :class:`~.qloapps_http.Webservice` for ``url_style``,
    ``timeout``, ``transport``, ``read_retries`` and ``backoff``); call :meth:`aclose` when
    done::

        pms = QloAppsPms("https://hotel.example", key, hotel_id=1, timeout=5.0)
        answer = await pms.availability(StayQuery(date(2026, 12, 10), date(2026, 12, 12), adults=2))

    Every method raises only ``PmsError`` subclasses, as the port says.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        hotel_id: int,
        timeout: float,
        url_style: str = "rewrite",
        transport: httpx.AsyncBaseTransport | None = None,
        read_retries: int = 2,
        backoff: float = 0.2,
    ) -> None:
        self.hotel_id = hotel_id
        self._ws = Webservice(
            base_url,
            api_key,
            timeout=timeout,
            url_style=url_style,
            transport=transport,
            read_retries=read_retries,
            backoff=backoff,
        )
        self._currency: str | None = None
        self._services: tuple[parse.AutoService, ...] | None = None
        self._services_lock = asyncio.Lock()
        self._child_age_limit: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> QloAppsPms:
        """The adapter ``PMS_BASE_URL``, ``PMS_API_KEY``, ``PMS_HOTEL_ID``, ``PMS_TIMEOUT`` and
        ``PMS_URL_STYLE`` describe; ``PmsConfigurationError`` when the address or key is missing."""
        if not settings.pms_base_url or settings.pms_api_key is None:
            raise PmsConfigurationError("PMS_BASE_URL and PMS_API_KEY are required for the QloApps PMS")
        return cls(
            settings.pms_base_url,
            settings.pms_api_key.get_secret_value(),
            hotel_id=settings.pms_hotel_id,
            timeout=settings.pms_timeout,
            url_style=settings.pms_url_style,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"QloAppsPms(base_url={self._ws.base_url!r}, hotel_id={self.hotel_id}, url_style={self._ws.url_style!r})"

    async def hotel(self) -> HotelInfo:
        payload = await self._ws.read("GET", f"hotels/{self.hotel_id}", missing=self._no_hotel)
        currency = await self._hotel_currency()
        with parse.reading("hotels"):
            return parse.hotel_info(payload, currency)

    async def room_types(self) -> tuple[RoomType, ...]:
        hotel = str(self.hotel_id)
        # room_types cannot be filtered by hotel (a virtual field, facts: "Filters"): the hotel's
        # types come from hotel_room_types, which also holds the occupancy limits.
        links = await self._ws.read("GET", "hotel_room_types", params={"filter[id_hotel]": hotel, "display": "full"})
        products = await self._ws.read("GET", "room_types", params={"display": "full"})
        rooms = await self._ws.read("GET", "hotel_rooms", params={"filter[id_hotel]": hotel, "display": "full"})
        with parse.reading("room types"):
            return parse.room_types(links, products, rooms)

    async def availability(self, query: StayQuery) -> Availability:
        services = await self._auto_services()
        payload = await self._ws.read("POST", "hotel_ari", xml=parse.ari_body(self.hotel_id, query))
        with parse.reading("hotel_ari"):
            currency, offers = parse.offers(payload, query, services)
        self._currency = currency
        return Availability(query=query, offers=offers, currency=currency, fetched_at=datetime.now(UTC))

    async def create_booking(self, request: BookingRequest) -> Booking:
        existing = await self.find_booking(request)
        if existing is not None:
            return existing
        await self._check_party(request.room_type_id, request.stay)
        body = parse.booking_body(
            hotel_id=self.hotel_id,
            currency=await self._hotel_currency(),
            guest=request.guest,
            remark=parse.remark_with_key(request.remark, request.idempotency_key),
            room_type_id=request.room_type_id,
            stay=request.stay,
            services=await self._auto_services(),
            child_age_limit=await self._age_limit(request.stay),
        )
        try:
            payload = await self._ws.send("POST", "bookings", body=body)
        except PmsUnavailableError as failure:
            return await self._reconcile_creation(request, failure)
        with parse.reading("the new booking"):
            record = parse.booking_record(payload)
        booking = record.booking(await self._status_after_write(record.id))
        if request.quoted_total is not None and booking.total_price != request.quoted_total:
            log.warning(
                "pms_booked_total_differs_from_quote",
                booking_id=booking.id,
                quoted=str(request.quoted_total),
                booked=str(booking.total_price),
            )
        return booking

    async def find_booking(self, request: BookingRequest) -> Booking | None:
        """The booking of the guest's email with the request's room type and dates, carrying its
        idempotency key in the remark when QloApps shows remarks; ``None`` when there is none.
        Looks through the customer's latest orders (``customers`` by email, then ``orders``)."""
        customers = await self._ws.read(
            "GET", "customers", params={"filter[email]": request.guest.email, "display": "[id]"}
        )
        with parse.reading("customers"):
            customer_ids = [parse.integer(customer["id"]) for customer in parse.entries(customers, "customers")]
        stay = request.stay
        for customer_id in customer_ids:
            for order_id, state in await self._orders_of(customer_id):
                try:
                    record = await self._record(order_id)
                except BookingNotFoundError:
                    continue  # an order that holds no rooms
                if record.is_for(request.room_type_id, stay.check_in, stay.check_out, request.idempotency_key):
                    return record.booking(state)
        return None

    async def get_booking(self, booking_id: str) -> Booking:
        order_id = _order_id(booking_id)
        record = await self._record(order_id)
        return record.booking(await self._status(order_id))

    async def modify_booking(self, booking_id: str, change: BookingChange) -> Booking:
        order_id = _order_id(booking_id)
        record = await self._record(order_id)
        if await self._status(order_id) is BookingStatus.CANCELLED:
            raise PmsRejectedError(f"booking {order_id} is cancelled and cannot be changed")
        old = record.stay
        stay = StayQuery(
            check_in=change.check_in or old.check_in,
            check_out=change.check_out or old.check_out,
            adults=change.adults or old.adults,
            children=old.children if change.children is None else change.children,
            rooms=change.rooms or old.rooms,
        )
        room_type_id = change.room_type_id or record.room_type_id
        await self._check_party(room_type_id, stay)
        same_rooms = (room_type_id, stay.check_in, stay.check_out) == (record.room_type_id, old.check_in, old.check_out)
        body = parse.booking_body(
            hotel_id=self.hotel_id,
            currency=record.currency,
            # The email must be the existing customer's (facts: "Modify or cancel").
            guest=record.guest,
            remark=record.remark or "",
            room_type_id=room_type_id,
            stay=stay,
            services=await self._auto_services(),
            child_age_limit=await self._age_limit(stay),
            payment_status=record.payment_status,
            order_id=order_id,
            # The body states the complete room set: keep the guest's rooms when the room type
            # and dates stay, so that only the party or the number of rooms changes.
            room_ids=record.room_ids[: stay.rooms] if same_rooms else (),
        )
        return await self._put(
            order_id, body, lambda after, _: (after.room_type_id, after.stay) == (room_type_id, stay)
        )

    async def cancel_booking(self, booking_id: str) -> Booking:
        order_id = _order_id(booking_id)
        record = await self._record(order_id)
        status = await self._status(order_id)
        if status is BookingStatus.CANCELLED:
            return record.booking(status)
        body = parse.booking_body(
            hotel_id=self.hotel_id,
            currency=record.currency,
            guest=record.guest,
            remark=record.remark or "",
            room_type_id=record.room_type_id,
            stay=record.stay,
            services=await self._auto_services(),
            child_age_limit=await self._age_limit(record.stay),
            payment_status=record.payment_status,
            booking_status=parse.BOOKING_CANCELLED,
            order_id=order_id,
            room_ids=record.room_ids,
        )
        return await self._put(order_id, body, lambda _, after: after is BookingStatus.CANCELLED)

    async def health(self) -> PmsHealth:
        """One unretried ``GET hotels/{hotel_id}``; ``ok`` False with the reason when it fails."""
        started = clock.perf_counter()
        try:
            await self._ws.send("GET", f"hotels/{self.hotel_id}", missing=self._no_hotel)
            ok, detail = True, f"QloApps webservice answered for hotel {self.hotel_id}"
        except PmsError as exc:
            ok, detail = False, str(exc)
        return PmsHealth(
            ok=ok,
            latency_ms=round((clock.perf_counter() - started) * 1000, 2),
            detail=detail,
            extra={"url_style": self._ws.url_style, "hotel_id": str(self.hotel_id)},
        )

    async def aclose(self) -> None:
        await self._ws.aclose()

    async def _hotel_currency(self) -> str:
        if self._currency is None:
            tomorrow = date.today() + timedelta(days=1)
            probe = StayQuery(check_in=tomorrow, check_out=tomorrow + timedelta(days=1), adults=1)
            payload = await self._ws.read("POST", "hotel_ari", xml=parse.ari_body(self.hotel_id, probe))
            with parse.reading("hotel_ari"):
                self._currency = parse.ari_currency(payload)
        return self._currency

    async def _auto_services(self) -> tuple[parse.AutoService, ...]:
        async with self._services_lock:
            if self._services is None:
                payload = await self._ws.read("GET", "services", params={"display": "full"})
                with parse.reading("services"):
                    self._services = parse.auto_services(payload)
            return self._services

    async def _age_limit(self, stay: StayQuery) -> int:
        """The hotel's child age limit, read once and only for a party with children."""
        if not stay.children:
            return parse.DEFAULT_CHILD_AGE_LIMIT
        if self._child_age_limit is None:
            params = {"filter[name]": parse.CHILD_AGE_SETTING, "display": "[name,value]"}
            payload = await self._ws.read("GET", "configurations", params=params)
            with parse.reading("configurations"):
                self._child_age_limit = parse.child_age_limit(payload)
        return self._child_age_limit

    async def _check_party(self, room_type_id: int, stay: StayQuery) -> None:
        # QloApps 1.6.1 books any party into any room (facts: "Availability"): the limits are
        # checked here so that a booking never puts more guests in a room than it takes.
        params = {"filter[id_hotel]": str(self.hotel_id), "filter[id_product]": str(room_type_id), "display": "full"}
        payload = await self._ws.read("GET", "hotel_room_types", params=params)
        with parse.reading("hotel_room_types"):
            links = parse.entries(payload, "hotel_room_types")
            limits = parse.occupancy(links[0]) if links else None
        if limits is None:
            raise PmsRejectedError(f"hotel {self.hotel_id} has no room type {room_type_id}")
        adults, children, guests = limits
        if stay.adults > adults or stay.children > children or stay.adults + stay.children > guests:
            raise PmsRejectedError(
                f"room type {room_type_id} takes at most {adults} adults, {children} children "
                f"and {guests} guests per room"
            )

    async def _orders_of(self, customer_id: int) -> list[tuple[int, BookingStatus]]:
        params = {
            "filter[id_customer]": str(customer_id),
            "display": "[id,current_state]",
            "sort": "[id_DESC]",
            "limit": str(_ORDERS_SCANNED),
        }
        payload = await self._ws.read("GET", "orders", params=params)
        with parse.reading("orders"):
            return [
                (parse.integer(order["id"]), parse.status_of(order["current_state"]))
                for order in parse.entries(payload, "orders")
            ]

    async def _record(self, order_id: int) -> parse.BookingRecord:
        payload = await self._ws.read("GET", f"bookings/{order_id}", missing=lambda: _no_booking(order_id))
        with parse.reading("bookings"):
            return parse.booking_record(payload)

    async def _status(self, order_id: int) -> BookingStatus:
        # A booking's status lives in its order, not in the booking (facts: "Create a booking").
        payload = await self._ws.read("GET", f"orders/{order_id}", missing=lambda: _no_booking(order_id))
        with parse.reading("orders"):
            return parse.order_state(payload)

    async def _status_after_write(self, order_id: int) -> BookingStatus:
        try:
            return await self._status(order_id)
        except PmsUnavailableError:
            # QloApps accepted the write with booking_status "new", which it files as awaiting
            # payment: confirmed. Failing here would make a booking that was made look failed.
            return BookingStatus.CONFIRMED

    async def _reconcile_creation(self, request: BookingRequest, failure: PmsUnavailableError) -> Booking:
        if not may_have_arrived(failure):
            raise failure
        # A 5xx or a lost answer may hide a booking that was made (facts: "On PHP 8 servers").
        log.warning("pms_booking_unconfirmed", operation="POST bookings", reason=str(failure))
        try:
            found = await self.find_booking(request)
        except PmsError as exc:
            raise PmsUnavailableError(
                "QloApps did not confirm the booking and could not be asked whether it was made; "
                "look it up before booking again"
            ) from exc
        if found is None:
            raise PmsUnavailableError(
                f"QloApps did not confirm the booking and holds none for it ({failure})"
            ) from failure
        return found

    async def _put(self, order_id: int, body: parse.Json, done: Done) -> Booking:
        """Send a change once; when its answer is a 5xx or is lost, read the booking back and
        return it if ``done`` says the change is in it."""
        try:
            payload = await self._ws.send("PUT", f"bookings/{order_id}", body=body)
        except PmsUnavailableError as failure:
            if not may_have_arrived(failure):
                raise
            log.warning("pms_booking_change_unconfirmed", operation="PUT bookings", booking_id=order_id)
            try:
                record = await self._record(order_id)
                status = await self._status(order_id)
            except PmsError as exc:
                raise PmsUnavailableError(
                    f"QloApps did not confirm the change of booking {order_id} and could not be asked how it stands"
                ) from exc
            if done(record, status):
                return record.booking(status)
            raise PmsUnavailableError(
                f"QloApps did not confirm the change of booking {order_id} ({failure}); the booking is unchanged"
            ) from failure
        with parse.reading("the changed booking"):
            record = parse.booking_record(payload)
        return record.booking(await self._status_after_write(order_id))

    def _no_hotel(self) -> PmsError:
        return PmsConfigurationError(f"QloApps has no hotel {self.hotel_id}: check PMS_HOTEL_ID")


def _order_id(booking_id: str) -> int:
    if not booking_id.strip().isdigit():
        raise BookingNotFoundError(f"no booking {booking_id!r}: QloApps booking references are order numbers")
    return int(booking_id)


def _no_booking(order_id: int) -> PmsError:
    return BookingNotFoundError(f"QloApps has no booking {order_id}")
