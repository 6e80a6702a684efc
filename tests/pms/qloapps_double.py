"""A QloApps 1.6.1 webservice in a box, for the adapter's tests.

An ASGI app that answers as the QloApps facts sheet
(``/work/shared/reference/qloapps-webservice.md``) describes, quirks included: the key as
Basic user name or ``ws_key``; JSON only for an exact ``JSON``, XML otherwise; both URL
styles; ``[]`` for an empty list; localized fields; string prices in core resources;
``hotel_ari`` reading XML only and filtering no occupancy; ``bookings`` reading ``adult``
(not ``adults``), counting children only with ``child_ages``, dropping automatic services
that are not listed, and showing as ``price_details.total_paid`` what has been paid; a 302
for a foreign Host. ``tests/pms/test_double_matches_real.py`` checks it against a real
QloApps 1.6.1. It holds the demo hotel of a fresh install and real inventory. Use it through
``httpx.ASGITransport(app=double)``.

Switches for tests: :meth:`fail` (answer an error to the next matching requests), :meth:`slow`
(answer late, after acting), ``crash_after_booking`` (PHP 8 warnings: the booking is made,
the answer is a 500), ``enabled``, ``denied``, ``languages``, ``child_age_limit``; :attr:`requests` and
:meth:`count` show what it received, :attr:`orders` what it holds.
"""

from __future__ import annotations

import asyncio
import base64
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

KEY = "QLO4PPS7WEBSERV1CEKEY0123456789A"
DOMAIN = "hotel.test"
TAX = Decimal("0.04")
NOT_AVAILABLE = "Requested room(s) not available."
REALM = (
    'Basic realm="Welcome to QloApps Webservice, please enter the authentication key as the login. '
    'No password required."'
)

# payment_status (1 completed, 2 partial, 3 awaiting) → the order state QloApps files it in.
_STATE_OF_PAYMENT = {1: 2, 2: 10, 3: 1}
_CUSTOMER_FIELDS = {"firstname": "first name", "lastname": "last name", "email": "email", "phone": "phone number"}

Json = dict[str, Any]
Answer = tuple[int, object]


@dataclass
class RoomTypeData:
    id: int
    name: str
    price: Decimal
    max_adults: int = 2
    max_children: int = 2
    max_guests: int = 4
    base_adults: int = 2
    base_children: int = 0


@dataclass
class Service:
    id: int
    name: str
    price: Decimal
    auto_add: bool = False
    per_night: bool = False
    in_room_price: bool = False  # price_addition_type 1


@dataclass
class Room:
    id: int
    room_type_id: int
    number: str
    status: int = 1


@dataclass
class Customer:
    id: int
    email: str
    firstname: str
    lastname: str
    phone: str


@dataclass
class BookedRoom:
    id: int
    room: Room
    check_in: date
    check_out: date
    adults: int
    children: int
    rate: Decimal  # the room type's price a night when booked
    services: list[Service]

    def prices(self) -> tuple[Decimal, Decimal]:
        """(room alone, services), tax excluded, for the whole stay."""
        nights = (self.check_out - self.check_in).days
        extras = sum((s.price * (nights if s.per_night else 1) for s in self.services), Decimal(0))
        return self.rate * nights, extras


@dataclass
class Order:
    id: int
    customer: Customer
    currency: str
    remark: str
    source: str
    payment_status: int
    state: int
    created: datetime
    rooms: list[BookedRoom]

    @property
    def active(self) -> bool:
        return self.state not in (4, 5)


@dataclass
class Seen:
    method: str
    style: str  # "rewrite" or "dispatcher"
    resource: str
    ident: str | None
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Fault:
    status: int
    times: int
    method: str | None
    resource: str | None
    delay: float = 0.0


def demo_room_types() -> list[RoomTypeData]:
    names = ["General Rooms", "Delux Rooms", "Executive Rooms", "Luxury Rooms"]
    return [RoomTypeData(i + 1, name, Decimal(1000 + 500 * i)) for i, name in enumerate(names)]


def _services() -> dict[int, Service]:
    listed = [
        Service(5, "Room Maintenance Fees", Decimal(250), auto_add=True, per_night=True, in_room_price=True),
        Service(6, "Internet Handling Charges", Decimal(250), auto_add=True),
        Service(7, "Breakfast", Decimal(100), per_night=True),
        Service(8, "Dinner", Decimal(200), per_night=True),
        Service(9, "Airport Shuttle", Decimal(300)),
        Service(10, "Spa Access", Decimal(150), per_night=True),
    ]
    return {service.id: service for service in listed}


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def _error(status: int, code: int, message: str) -> Answer:
    return status, {"errors": [{"code": code, "message": message}]}


class QloAppsDouble:
    """The webservice of one QloApps shop at ``http://hotel.test``; see the module docstring."""

    def __init__(self, *, key: str = KEY, domain: str = DOMAIN) -> None:
        self.key = key
        self.domain = domain
        self.enabled = True
        self.crash_after_booking = False
        self.denied: set[str] = set()
        self.languages = 1
        self.child_age_limit = 15  # WK_GLOBAL_CHILD_MAX_AGE
        self.room_types = {rt.id: rt for rt in demo_room_types()}
        self.rooms = [Room(5 * (t - 1) + n, t, f"R{t}-10{n}") for t in range(1, 5) for n in range(1, 6)]
        self.services = _services()
        self.customers: dict[int, Customer] = {}
        self.orders: dict[int, Order] = {}
        self.requests: list[Seen] = []
        self._faults: list[_Fault] = []
        self._next_id = 1

    def fail(self, status: int, *, times: int = 1, method: str | None = None, resource: str | None = None) -> None:
        """Answer ``status`` to the next ``times`` matching requests without acting on them."""
        self._faults.append(_Fault(status, times, method, resource))

    def slow(self, seconds: float, *, method: str | None = None, resource: str | None = None) -> None:
        """Answer matching requests ``seconds`` late, after acting on them."""
        self._faults.append(_Fault(0, 10**6, method, resource, delay=seconds))

    def count(self, method: str | None = None, resource: str | None = None) -> int:
        return sum(1 for r in self.requests if method in (None, r.method) and resource in (None, r.resource))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
        status, payload, extra = await self._answer(scope["method"], scope["path"], headers, query, body)
        wants_json = "JSON" in (query.get("output_format"), query.get("io_format")) or "JSON" in (
            headers.get("output-format"),
            headers.get("io-format"),
        )
        if payload is None:
            content, kind = b"", "application/json"
        elif isinstance(payload, bytes):
            content, kind = payload, "text/html"
        elif wants_json:
            content, kind = json.dumps(payload).encode(), "application/json"
        else:
            content, kind = _xml(payload), "text/xml;charset=utf-8"
        raw_headers = [(b"content-type", kind.encode())] + [(k.encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": content})

    async def _answer(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, str], body: bytes
    ) -> tuple[int, object, dict[str, str]]:
        if path.startswith("/api/"):
            style, url = "rewrite", path.removeprefix("/api/")
        elif path == "/webservice/dispatcher.php":
            style, url = "dispatcher", query.get("url", "")
        else:
            return 404, b"<html><body>Not Found</body></html>", {}
        resource, _, ident = url.strip("/").partition("/")
        seen = Seen(method, style, resource, ident or None, query, headers, body)
        self.requests.append(seen)
        if headers.get("host") != self.domain:
            # The shop's own domain check, port included (facts: "Transport").
            return 302, b"", {"location": f"http://{self.domain}/index.php"}
        if not self.enabled:
            return (*_error(503, 22, "The QloApps webservice is disabled. Please activate it in the back office"), {})
        key = self._key(headers, query)
        if not key:
            return (*_error(401, 17, "Authentication key is empty"), {"www-authenticate": REALM})
        if len(key) != 32 or not key.isalnum():
            return (*_error(401, 18, "Invalid authentication key format"), {})
        if key != self.key:
            return (*_error(401, 18, "Authentication key does not exist"), {})
        if resource in self.denied:
            return (*_error(401, 26, f"No permission for this key to access the resource {resource}"), {})
        fault = self._fault(seen)
        if fault is not None and fault.status:
            return (*_error(fault.status, 0, "Internal Server Error"), {})
        status, payload = self._dispatch(seen)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        return status, payload, {}

    def _key(self, headers: dict[str, str], query: dict[str, str]) -> str:
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode().partition(":")[0]
            except ValueError:
                return ""
        return query.get("ws_key", "")

    def _fault(self, seen: Seen) -> _Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.method in (None, seen.method) and fault.resource in (None, seen.resource):
                fault.times -= 1
                return fault
        return None

    def _dispatch(self, seen: Seen) -> Answer:
        if seen.resource == "hotel_ari":
            return self._hotel_ari(seen.body) if seen.method == "POST" else _error(405, 25, "Method not allowed")
        if seen.resource == "bookings":
            if seen.method == "POST" and seen.ident is None:
                return self._create(seen.body)
            if seen.method == "PUT" and seen.ident is not None and seen.ident.isdigit():
                return self._change(int(seen.ident), seen.body)
            if seen.method == "GET":
                return self._bookings(seen.ident)
            return _error(405, 25, f"Method {seen.method} is not allowed for the resource bookings")
        tables = self._tables()
        if seen.resource not in tables:
            return _error(400, 20, f'Resource of type "{seen.resource}" does not exist')
        if seen.method != "GET":
            return _error(405, 25, f"Method {seen.method} is not allowed for this key")
        list_key, item_key, rows = tables[seen.resource]
        if seen.ident is not None:
            row = next((r for r in rows if str(r["id"]) == seen.ident), None)
            return (404, None) if row is None else (200, {item_key: row})
        return _listing(list_key, rows, seen.query)

    def _text(self, value: str) -> object:
        # One active language gives a plain string, several a list (facts: "Localized fields").
        return value if self.languages == 1 else [{"id": str(i), "value": value} for i in range(1, self.languages + 1)]

    def _tables(self) -> dict[str, tuple[str, str, list[Json]]]:
        # Core resources: ids are numbers, every other value a string (prices "1000.000000").
        hotel = {
            "id": 1,
            "hotel_name": self._text("The Hotel Prime"),
            "phone": "0987654321",
            "email": "hotelprime@htl.com",
            "address": "Monticello Dr",
            "city": "Montgomery",
            "check_in": "12:00",
            "check_out": "11:00",
            "latitude": "32.3792",
            "longitude": "-86.3077",
            "active": "1",
            "description": self._text("<p>Welcome to <b>The Hotel Prime</b> &amp; spa.</p>"),
            "policies": self._text("<p>Pets are not allowed.</p>"),
        }
        room_types = [
            {
                "id": rt.id,
                "name": self._text(rt.name),
                "description": self._text(f"<p>{rt.name} with a view.</p>"),
                "price": f"{rt.price:.6f}",
                "adults": str(rt.base_adults),
                "children": str(rt.base_children),
                "active": "1",
            }
            for rt in self.room_types.values()
        ]
        links = [
            {
                "id": rt.id,
                "id_product": str(rt.id),
                "id_hotel": "1",
                "adults": str(rt.base_adults),
                "children": str(rt.base_children),
                "max_adults": str(rt.max_adults),
                "max_children": str(rt.max_children),
                "max_guests": str(rt.max_guests),
            }
            for rt in self.room_types.values()
        ]
        rooms = [
            {
                "id": r.id,
                "id_product": str(r.room_type_id),
                "id_hotel": "1",
                "room_num": r.number,
                "id_status": str(r.status),
            }
            for r in self.rooms
        ]
        services = [
            {
                "id": s.id,
                "name": self._text(s.name),
                "price": f"{s.price:.6f}",
                "auto_add_to_cart": str(int(s.auto_add)),
                "price_calculation_method": "2" if s.per_night else "1",
                "price_addition_type": "1" if s.in_room_price else "2",
                "active": "1",
            }
            for s in self.services.values()
        ]
        customers = [
            {"id": c.id, "email": c.email, "firstname": c.firstname, "lastname": c.lastname, "active": "1"}
            for c in self.customers.values()
        ]
        orders = [
            {
                "id": o.id,
                "id_customer": str(o.customer.id),
                "current_state": str(o.state),
                "total_paid": f"{self._totals(o)[2]:.6f}",
                "total_paid_tax_incl": f"{self._totals(o)[2]:.6f}",
                "total_paid_tax_excl": f"{self._totals(o)[0]:.6f}",
                "total_paid_real": f"{self._paid(o):.6f}",
                "source": o.source,
                "date_add": o.created.isoformat(" ", "seconds"),
            }
            for o in self.orders.values()
        ]
        configurations = [{"id": 335, "name": "WK_GLOBAL_CHILD_MAX_AGE", "value": str(self.child_age_limit)}]
        return {
            "hotels": ("hotels", "hotel", [hotel]),
            "room_types": ("room_types", "room_type", room_types),
            "hotel_room_types": ("hotel_room_types", "hotel_room_type", links),
            "hotel_rooms": ("rooms", "room", rooms),
            "services": ("services", "service", services),
            "customers": ("customers", "customer", customers),
            "orders": ("orders", "order", orders),
            "configurations": ("configurations", "configuration", configurations),
        }

    def _free(self, room_type_id: int, start: date, end: date, *, ignore: int | None = None) -> list[Room]:
        taken = {
            booked.room.id
            for order in self.orders.values()
            if order.active and order.id != ignore
            for booked in order.rooms
            if booked.check_in < end and booked.check_out > start
        }
        return [r for r in self.rooms if r.room_type_id == room_type_id and r.status == 1 and r.id not in taken]

    def _hotel_ari(self, body: bytes) -> Answer:
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return _error(400, 127, "Invalid XML in the request body")
        node = root.find("hotel_ari")
        node = root if node is None else node
        try:
            start = date.fromisoformat(node.findtext("date_from", ""))
            end = date.fromisoformat(node.findtext("date_to", ""))
        except ValueError:
            return _error(400, 400, "date_from and date_to are required (YYYY-MM-DD)")
        if end <= start:
            return _error(400, 400, "date_to must be after date_from")
        wanted = node.findtext("id_room_type")
        nights = (end - start).days
        # One room_occupancy per room; none counts as one. They filter nothing (facts: "Availability").
        count = max(1, len(node.findall("./associations/room_occupancies/room_occupancy")))
        in_price = sum(
            (
                s.price * (nights if s.per_night else 1)
                for s in self.services.values()
                if s.auto_add and s.in_room_price
            ),
            Decimal(0),
        )
        answer = []
        for rt in self.room_types.values():
            if wanted and int(wanted) != rt.id:
                continue
            free = self._free(rt.id, start, end)
            stay = rt.price * nights + in_price
            available = {
                str(r.id): {
                    "id_room": r.id,
                    "room_num": r.number,
                    "max_adult": rt.max_adults,
                    "max_children": rt.max_children,
                    "max_occupancy": rt.max_guests,
                }
                for r in free
            }
            answer.append(
                {
                    "id_room_type": rt.id,
                    "name": rt.name,
                    "base_price": _money(stay / nights),
                    "base_price_with_tax": _money(stay / nights * (1 + TAX)),
                    "total_price": _money(stay * count),
                    "total_price_with_tax": _money(stay * count * (1 + TAX)),
                    "rooms": {"available": available or [], "booked": [], "unavailable": [], "partially_available": []},
                }
            )
        return 200, {
            "hotel_ari": {
                "id_hotel": "1",
                "date_from": start.isoformat(),
                "date_to": end.isoformat(),
                "currency": "USD",
                "total_rooms": len(self.rooms),
                "room_types": answer,
            }
        }

    def _rooms_wanted(self, data: Json, *, ignore: int | None = None) -> list[BookedRoom] | str:
        """The rooms a booking body asks for, allocated; or the validation message."""
        picked: list[BookedRoom] = []
        for group in data.get("associations", {}).get("room_types", []):
            rt = self.room_types.get(int(group.get("id_room_type", 0)))
            if rt is None:
                return "Please provide a valid id_room_type."
            start, end = date.fromisoformat(group["checkin_date"]), date.fromisoformat(group["checkout_date"])
            number = int(group["number_of_rooms"])
            asked = group.get("rooms") or [{} for _ in range(number)]
            if end <= start or len(asked) != number:
                return "Invalid room details."
            free = [r for r in self._free(rt.id, start, end, ignore=ignore) if all(p.room.id != r.id for p in picked)]
            for wish in asked:
                room = next((r for r in free if r.id == wish.get("id_room")), free[0] if free else None)
                if room is None:
                    return NOT_AVAILABLE
                free.remove(room)
                # v1.6.1 reads "adult", not "adults"; a missing count becomes the base occupancy.
                adults = int(wish.get("adult") or rt.base_adults)
                # v1.6.1 drops the children unless child_ages gives ages (formatOccupancyInRequestData).
                children = int(wish.get("child") or 0) if wish.get("child_ages") else 0
                # Only the services listed are booked: automatic ones are dropped otherwise.
                services = [self.services[int(s["id_service"])] for s in wish.get("services", [])]
                picked.append(BookedRoom(self._new_id(), room, start, end, adults, children, rt.price, services))
        return picked or "Please provide room types."

    def _customer(self, detail: Json) -> Customer | None:
        email = str(detail.get("email", "")).lower()
        return next((c for c in self.customers.values() if c.email.lower() == email), None)

    def _create(self, body: bytes) -> Answer:
        try:
            data = json.loads(body)["booking"]
        except (ValueError, KeyError, TypeError):
            return _error(500, 127, "Invalid request.")
        detail = data.get("associations", {}).get("customer_detail") or {}
        rooms = _invalid(data, detail) or self._rooms_wanted(data)
        if isinstance(rooms, str):
            return _error(400, 404, rooms)
        customer = self._customer(detail)
        if customer is None:  # an unknown email creates the customer
            customer = Customer(
                self._new_id(), detail["email"], detail["firstname"], detail["lastname"], detail["phone"]
            )
            self.customers[customer.id] = customer
        payment = int(data.get("payment_status", 3))
        order = Order(
            id=self._new_id(),
            customer=customer,
            currency=data["currency"],
            remark=str(data.get("remark", "")),
            source=str(data.get("source", "")),
            payment_status=payment,
            state=_STATE_OF_PAYMENT.get(payment, 1),
            created=datetime(2026, 11, 29, 9, 30),
            rooms=rooms,
        )
        self.orders[order.id] = order
        if self.crash_after_booking:
            # PHP 8 warnings turn the made booking into a 500 (facts: "On PHP 8 servers").
            return _error(
                500, 0, '[PHP Warning #2] Undefined array key "adults" (WebserviceSpecificManagementBookings)'
            )
        return 201, self._view(order)

    def _change(self, order_id: int, body: bytes) -> Answer:
        order = self.orders.get(order_id)
        try:
            data = json.loads(body)["booking"]
        except (ValueError, KeyError, TypeError):
            return _error(500, 127, "Invalid request.")
        if order is None or data.get("id") != order_id:
            return _error(400, 404, "Booking not found.")
        if self._customer(data.get("associations", {}).get("customer_detail") or {}) is None:
            return _error(400, 404, "Customer not found.")
        status = int(data.get("booking_status", 1))
        if status in (3, 4):
            order.state = 4 if status == 3 else 5
            return 200, self._view(order)
        rooms = self._rooms_wanted(data, ignore=order.id)
        if isinstance(rooms, str):
            return _error(400, 404, rooms)
        order.rooms = rooms
        return 200, self._view(order)

    def _bookings(self, ident: str | None) -> Answer:
        if ident is None:
            # The bookings list is every order id, unfiltered.
            return 200, {"bookings": [{"id": o.id} for o in self.orders.values()]} if self.orders else []
        order = self.orders.get(int(ident)) if ident.isdigit() else None
        return (404, None) if order is None else (200, self._view(order))

    def _totals(self, order: Order) -> tuple[Decimal, Decimal, Decimal]:
        untaxed = sum((sum(room.prices(), Decimal(0)) for room in order.rooms), Decimal(0))
        tax = (untaxed * TAX).quantize(Decimal("0.01"))
        return untaxed, tax, untaxed + tax

    def _paid(self, order: Order) -> Decimal:
        # total_paid_real: what the guest has paid, all of it only when the payment is complete.
        return self._totals(order)[2] if order.payment_status == 1 else Decimal(0)

    def _view(self, order: Order) -> Json:
        untaxed, tax, _ = self._totals(order)
        groups: dict[tuple[int, date, date], list[BookedRoom]] = {}
        for room in order.rooms:
            groups.setdefault((room.room.room_type_id, room.check_in, room.check_out), []).append(room)
        c = order.customer
        return {
            "booking": {
                "id": order.id,
                "id_property": 1,
                "currency": order.currency,
                "booking_status": 1,
                "payment_status": order.payment_status,
                "source": order.source,
                "remark": order.remark,
                "booking_date": order.created.isoformat(" ", "seconds"),
                "associations": {
                    "customer_detail": {
                        "id_customer": c.id,
                        "firstname": c.firstname,
                        "lastname": c.lastname,
                        "email": c.email,
                        "phone": c.phone,
                    },
                    "price_details": {
                        "total_price_without_tax": _money(untaxed),
                        "total_tax": _money(tax),
                        "total_paid": _money(self._paid(order)),
                    },
                    "room_types": [
                        {
                            "id_room_type": rt,
                            "name": self.room_types[rt].name,
                            "checkin_date": start.isoformat(),
                            "checkout_date": end.isoformat(),
                            "number_of_rooms": len(rooms),
                            "rooms": [
                                {
                                    "id_room": r.room.id,
                                    "id_hotel_booking": r.id,
                                    "adults": r.adults,
                                    "child": r.children,
                                    "unit_price_without_tax": _money(r.prices()[0]),
                                    "services": [
                                        {"id_service": s.id, "name": s.name, "quantity": 1} for s in r.services
                                    ],
                                }
                                for r in rooms
                            ],
                        }
                        for (rt, start, end), rooms in groups.items()
                    ],
                },
            }
        }

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id


def _invalid(data: Json, detail: Json) -> str | None:
    """The first validation message a booking body earns before its rooms are looked at."""
    if data.get("currency") != "USD":
        return "Please provide valid currency."
    if data.get("id_property") != 1:
        return "Please provide a valid id_property."
    for name, label in _CUSTOMER_FIELDS.items():
        if not str(detail.get(name, "")).strip():
            return f"Please provide a valid {label}."
    return None


def _listing(key: str, rows: list[Json], query: dict[str, str]) -> Answer:
    """A list answer with PrestaShop's filter, sort, limit and display; ``[]`` when empty."""
    for name, wanted in query.items():
        if not name.startswith("filter["):
            continue
        column = name[len("filter[") : -1]
        if rows and column not in rows[0]:
            # e.g. room_types by id_hotel, a virtual field (facts: "Filters").
            return _error(400, 32, f'This filter does not exist for this linked table: "{column}"')
        options = wanted.strip("[]").split("|") if wanted.startswith("[") else [wanted]
        rows = [r for r in rows if str(r[column]).lower() in {o.lower() for o in options}]
    if query.get("sort", "").endswith("_DESC]"):
        rows = sorted(rows, key=lambda r: -int(r["id"]))
    if query.get("limit", "").isdigit():
        rows = rows[: int(query["limit"])]
    display = query.get("display")
    if display is None:
        rows = [{"id": r["id"]} for r in rows]
    elif display != "full":
        fields = display.strip("[]").split(",")
        rows = [{f: r[f] for f in fields if f in r} for r in rows]
    return 200, {key: rows} if rows else []


def _xml(payload: object) -> bytes:
    root = ET.Element("qloapps")
    _xml_into(root, payload)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _xml_into(parent: ET.Element, value: object) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _xml_into(ET.SubElement(parent, name), item)
    elif isinstance(value, list):
        singular = parent.tag[:-1] if parent.tag.endswith("s") else "language"
        for item in value:
            _xml_into(ET.SubElement(parent, singular), item)
    elif value is not None:
        parent.text = str(value)
