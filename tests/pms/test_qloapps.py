"""``QloAppsPms`` against the QloApps double: every port method, and each webservice quirk."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import httpx
import pytest

from agente.config import Settings
from agente.pms.adapters.qloapps import QloAppsPms
from agente.pms.errors import (
    BookingNotFoundError,
    PmsConfigurationError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
    RoomsNotAvailableError,
)
from agente.pms.types import BookingChange, BookingRequest, BookingStatus, Fee, GuestDetails, StayQuery
from tests.pms.qloapps_double import KEY, QloAppsDouble, Seen, Service

BASE = "http://hotel.test"
CHECK_IN = date(2026, 12, 10)
CHECK_OUT = date(2026, 12, 12)
STAY = StayQuery(CHECK_IN, CHECK_OUT, adults=2)


def make(
    double: QloAppsDouble,
    *,
    base_url: str = BASE,
    api_key: str = KEY,
    url_style: str = "rewrite",
    timeout: float = 2.0,
    read_retries: int = 2,
) -> QloAppsPms:
    return QloAppsPms(
        base_url,
        api_key,
        hotel_id=1,
        timeout=timeout,
        url_style=url_style,
        transport=httpx.ASGITransport(app=double),
        read_retries=read_retries,
        backoff=0.0,
    )


def booking_request(
    key: str = "key-1",
    *,
    stay: StayQuery = STAY,
    room_type_id: int = 1,
    email: str = "ada@example.com",
    first_name: str = "Ada",
    quoted_total: Decimal | None = None,
) -> BookingRequest:
    return BookingRequest(
        stay=stay,
        room_type_id=room_type_id,
        guest=GuestDetails(first_name, "Lovelace", email, "0123456789"),
        idempotency_key=key,
        remark="late arrival",
        quoted_total=quoted_total,
    )


async def webservice(
    double: QloAppsDouble,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    json: object = None,
    key: str | None = KEY,
) -> httpx.Response:
    """A request to the double as any client would send it, with the key unless ``key=None``."""
    auth = httpx.BasicAuth(key, "") if key is not None else None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=double), base_url=BASE, auth=auth) as client:
        return await client.request(method, path, params=params, headers=headers, content=content, json=json)


def sent(double: QloAppsDouble, method: str, resource: str) -> list[Seen]:
    return [r for r in double.requests if (r.method, r.resource) == (method, resource)]


@pytest.fixture
def double() -> QloAppsDouble:
    return QloAppsDouble()


@pytest.fixture
async def pms(double: QloAppsDouble) -> AsyncIterator[QloAppsPms]:
    adapter = make(double)
    yield adapter
    await adapter.aclose()


# --- hotel and room types ---------------------------------------------------------------


@pytest.mark.parametrize("languages", [1, 2])
async def test_hotel_reads_localized_fields_times_and_currency(
    double: QloAppsDouble, pms: QloAppsPms, languages: int
) -> None:
    double.languages = languages
    hotel = await pms.hotel()
    assert (hotel.id, hotel.name, hotel.currency) == (1, "The Hotel Prime", "USD")
    assert (hotel.check_in_time, hotel.check_out_time) == (time(12, 0), time(11, 0))
    assert hotel.description == "Welcome to The Hotel Prime & spa."
    assert (hotel.latitude, hotel.city) == (32.3792, "Montgomery")


async def test_hotel_unknown_id_is_a_configuration_error(double: QloAppsDouble) -> None:
    pms = QloAppsPms(BASE, KEY, hotel_id=7, timeout=2.0, transport=httpx.ASGITransport(app=double))
    with pytest.raises(PmsConfigurationError, match="PMS_HOTEL_ID"):
        await pms.hotel()
    await pms.aclose()


@pytest.mark.parametrize("languages", [1, 2])
async def test_room_types_join_limits_prices_and_active_rooms(
    double: QloAppsDouble, pms: QloAppsPms, languages: int
) -> None:
    double.languages = languages
    double.rooms[0].status = 2  # inactive rooms are not counted
    room_types = await pms.room_types()
    assert [(rt.id, rt.name, rt.base_price, rt.total_rooms) for rt in room_types] == [
        (1, "General Rooms", Decimal("1000.00"), 4),
        (2, "Delux Rooms", Decimal("1500.00"), 5),
        (3, "Executive Rooms", Decimal("2000.00"), 5),
        (4, "Luxury Rooms", Decimal("2500.00"), 5),
    ]
    assert {(rt.max_adults, rt.max_children, rt.max_guests) for rt in room_types} == {(2, 2, 4)}
    assert room_types[1].description == "Delux Rooms with a view."


async def test_room_types_of_a_hotel_without_any_read_empty_lists(double: QloAppsDouble) -> None:
    empty = await webservice(
        double, "GET", "/api/hotel_rooms", params={"filter[id_hotel]": "2", "output_format": "JSON"}
    )
    assert empty.json() == []  # not {"rooms": []}
    pms = QloAppsPms(BASE, KEY, hotel_id=2, timeout=2.0, transport=httpx.ASGITransport(app=double))
    assert await pms.room_types() == ()
    await pms.aclose()


async def test_double_refuses_room_types_filtered_by_hotel(double: QloAppsDouble) -> None:
    answer = await webservice(
        double, "GET", "/api/room_types", params={"filter[id_hotel]": "1", "output_format": "JSON"}
    )
    assert answer.status_code == 400


# --- availability -----------------------------------------------------------------------


async def test_availability_quotes_every_type_with_tax_and_the_separate_fee(
    double: QloAppsDouble, pms: QloAppsPms
) -> None:
    answer = await pms.availability(STAY)
    assert answer.currency == "USD" and not answer.stale
    offers = {offer.room_type_id: offer for offer in answer.offers}
    assert sorted(offers) == [1, 2, 3, 4]
    general = offers[1]
    # 1000 a night plus the 250 maintenance fee inside the room price, plus 4 % tax.
    assert (general.nightly_price, general.total_price, general.available_rooms) == (
        Decimal("1300.00"),
        Decimal("2600.00"),
        5,
    )
    assert general.fees == (Fee("Internet Handling Charges", Decimal("260.00"), "booking"),)
    (request,) = sent(double, "POST", "hotel_ari")
    body = ET.fromstring(request.body)
    assert body.findtext("hotel_ari/date_from") == "2026-12-10"
    assert body.findtext("hotel_ari/date_to") == "2026-12-12"  # the check-out day
    assert body.findtext("hotel_ari/get_available_rooms") == "1"
    assert len(body.findall(".//room_occupancy")) == 1


async def test_availability_for_two_rooms_prices_both(double: QloAppsDouble, pms: QloAppsPms) -> None:
    answer = await pms.availability(StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=2, room_type_id=2))
    (offer,) = answer.offers
    assert (offer.room_type_id, offer.nightly_price, offer.total_price) == (2, Decimal("1820.00"), Decimal("7280.00"))
    assert offer.fees[0].amount == Decimal("520.00")
    body = ET.fromstring(sent(double, "POST", "hotel_ari")[0].body)
    assert body.findtext("hotel_ari/id_room_type") == "2"
    assert len(body.findall(".//room_occupancy")) == 2


async def test_availability_filters_the_party_that_qloapps_does_not(double: QloAppsDouble, pms: QloAppsPms) -> None:
    three_adults = StayQuery(CHECK_IN, CHECK_OUT, adults=3)
    assert (await pms.availability(three_adults)).offers == ()
    xml = b"<x><hotel_ari><id_hotel>1</id_hotel><date_from>2026-12-10</date_from><date_to>2026-12-12</date_to>"
    xml += b"<associations><room_occupancies><room_occupancy><adults>3</adults></room_occupancy>"
    xml += b"</room_occupancies></associations></hotel_ari></x>"
    raw = await webservice(double, "POST", "/api/hotel_ari", params={"output_format": "JSON"}, content=xml)
    assert all(rt["rooms"]["available"] for rt in raw.json()["hotel_ari"]["room_types"])  # all 2-adult rooms listed
    double.room_types[4].max_adults = 3
    assert [offer.room_type_id for offer in (await pms.availability(three_adults)).offers] == [4]
    assert (await pms.availability(StayQuery(CHECK_IN, CHECK_OUT, adults=1, children=3))).offers == ()


async def test_availability_needs_enough_free_fitting_rooms(double: QloAppsDouble, pms: QloAppsPms) -> None:
    await pms.create_booking(booking_request(stay=StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=4)))
    two = await pms.availability(StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=2))
    assert 1 not in [offer.room_type_id for offer in two.offers]
    one = await pms.availability(STAY)
    assert [offer.available_rooms for offer in one.offers if offer.room_type_id == 1] == [1]


async def test_availability_of_a_full_room_type_reads_its_empty_room_list(
    double: QloAppsDouble, pms: QloAppsPms
) -> None:
    await pms.create_booking(booking_request(stay=StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=5)))
    query = StayQuery(CHECK_IN, CHECK_OUT, adults=2, room_type_id=1)
    assert (await pms.availability(query)).offers == ()
    xml = b"<x><hotel_ari><id_hotel>1</id_hotel><id_room_type>1</id_room_type><date_from>2026-12-11</date_from>"
    xml += b"<date_to>2026-12-12</date_to></hotel_ari></x>"
    raw = await webservice(double, "POST", "/api/hotel_ari", params={"output_format": "JSON"}, content=xml)
    assert raw.json()["hotel_ari"]["room_types"][0]["rooms"]["available"] == []


async def test_double_reads_no_json_and_no_backwards_stay_in_hotel_ari(double: QloAppsDouble) -> None:
    as_json = await webservice(double, "POST", "/api/hotel_ari", params={"output_format": "JSON"}, json={"a": 1})
    assert as_json.status_code == 400
    xml = b"<x><hotel_ari><date_from>2026-12-12</date_from><date_to>2026-12-12</date_to></hotel_ari></x>"
    backwards = await webservice(double, "POST", "/api/hotel_ari", params={"output_format": "JSON"}, content=xml)
    assert backwards.status_code == 400


# --- bookings ---------------------------------------------------------------------------


async def test_create_booking_books_the_quoted_total_with_automatic_services(
    double: QloAppsDouble, pms: QloAppsPms
) -> None:
    stay = StayQuery(CHECK_IN, CHECK_OUT, adults=2, children=1, rooms=2)
    (offer,) = [o for o in (await pms.availability(stay)).offers if o.room_type_id == 2]
    quoted = offer.charged_total
    booking = await pms.create_booking(booking_request(stay=stay, room_type_id=2, quoted_total=quoted))
    assert booking.total_price == quoted == Decimal("7800.00")
    assert (booking.status, booking.room_type_id, booking.rooms, booking.adults, booking.children) == (
        BookingStatus.CONFIRMED,
        2,
        2,
        2,
        1,
    )
    assert (booking.check_in, booking.check_out, booking.currency) == (CHECK_IN, CHECK_OUT, "USD")
    assert (booking.guest_email, booking.guest_name) == ("ada@example.com", "Ada Lovelace")
    assert booking.created_at == datetime(2026, 11, 29, 9, 30)
    order = double.orders[int(booking.id)]
    assert [sorted(s.id for s in room.services) for room in order.rooms] == [[5, 6], [5, 6]]
    assert order.remark == "late arrival [agente:key-1]" and order.source == "agente"
    assert order.state == 1 and order.payment_status == 3


async def test_double_drops_automatic_services_a_booking_does_not_list(double: QloAppsDouble) -> None:
    body = {
        "booking": {
            "id_property": 1,
            "currency": "USD",
            "booking_status": 1,
            "payment_status": 3,
            "associations": {
                "customer_detail": {"firstname": "A", "lastname": "B", "email": "a@b.c", "phone": "1"},
                "room_types": [
                    {
                        "id_room_type": 1,
                        "checkin_date": "2026-12-10",
                        "checkout_date": "2026-12-12",
                        "number_of_rooms": 1,
                    }
                ],
            },
        }
    }
    answer = await webservice(double, "POST", "/api/bookings", params={"output_format": "JSON"}, json=body)
    # 2 nights at 1000 plus tax: below the 2600 + 260 hotel_ari and the fee add up to.
    prices = answer.json()["booking"]["associations"]["price_details"]
    assert prices["total_price_without_tax"] + prices["total_tax"] == 2080.0
    assert prices["total_paid"] == 0  # what has been paid: nothing, the guest pays at the hotel


async def test_a_fee_charged_per_night_is_told_for_every_night(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.services[11] = Service(11, "Resort Fee", Decimal(50), auto_add=True, per_night=True)
    stay = StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=2)
    (offer,) = [o for o in (await pms.availability(stay)).offers if o.room_type_id == 1]
    # 50 a night, 2 nights, 2 rooms, 4 % tax; the handling charge once per room.
    assert offer.fees == (
        Fee("Internet Handling Charges", Decimal("520.00"), "booking"),
        Fee("Resort Fee", Decimal("208.00"), "night"),
    )
    booking = await pms.create_booking(booking_request(stay=stay, room_type_id=1))
    assert booking.total_price == offer.charged_total == offer.total_price + Decimal("728.00")


async def test_children_are_booked_with_an_age_under_the_hotels_limit(double: QloAppsDouble, pms: QloAppsPms) -> None:
    stay = StayQuery(CHECK_IN, CHECK_OUT, adults=1, children=2)
    booking = await pms.create_booking(booking_request(stay=stay))
    assert booking.children == 2 and [room.children for room in double.orders[int(booking.id)].rooms] == [2]
    (request,) = sent(double, "POST", "bookings")
    [room] = json.loads(request.body)["booking"]["associations"]["room_types"][0]["rooms"]
    assert room["child_ages"] == [8, 8]
    double.child_age_limit = 6
    younger = make(double)
    made = await younger.create_booking(booking_request(stay=stay, key="key-young", room_type_id=2))
    [room] = json.loads(sent(double, "POST", "bookings")[-1].body)["booking"]["associations"]["room_types"][0]["rooms"]
    assert made.children == 2 and room["child_ages"] == [5, 5]
    await younger.aclose()


async def test_create_booking_sends_adult_which_1_6_1_reads(double: QloAppsDouble, pms: QloAppsPms) -> None:
    booking = await pms.create_booking(booking_request(stay=StayQuery(CHECK_IN, CHECK_OUT, adults=1)))
    assert booking.adults == 1
    assert [room.adults for room in double.orders[int(booking.id)].rooms] == [1]
    (request,) = sent(double, "POST", "bookings")
    assert '"adult": 1' in request.body.decode() and '"adults": 1' in request.body.decode()


async def test_double_reads_adult_not_adults(double: QloAppsDouble) -> None:
    room_type = {"id_room_type": 1, "checkin_date": "2026-12-10", "checkout_date": "2026-12-12", "number_of_rooms": 1}
    room_type["rooms"] = [{"adults": 1, "child": 0}]
    customer = {"firstname": "A", "lastname": "B", "email": "a@b.c", "phone": "1"}
    body = {
        "booking": {
            "id_property": 1,
            "currency": "USD",
            "associations": {"customer_detail": customer, "room_types": [room_type]},
        }
    }
    answer = await webservice(double, "POST", "/api/bookings", params={"output_format": "JSON"}, json=body)
    # "adults" alone is ignored: the room gets the type's base occupancy of 2.
    assert answer.json()["booking"]["associations"]["room_types"][0]["rooms"][0]["adults"] == 2


async def test_create_booking_twice_with_one_key_books_once(double: QloAppsDouble, pms: QloAppsPms) -> None:
    first = await pms.create_booking(booking_request())
    again = await pms.create_booking(booking_request())
    assert again == first
    assert len(double.orders) == 1 and double.count("POST", "bookings") == 1


async def test_create_booking_answered_500_after_booking_is_found_again(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.crash_after_booking = True
    booking = await pms.create_booking(booking_request())
    assert list(double.orders) == [int(booking.id)]
    assert booking.status is BookingStatus.CONFIRMED and booking.total_price == Decimal("2860.00")
    assert double.count("POST", "bookings") == 1


async def test_create_booking_whose_answer_is_lost_is_found_again(double: QloAppsDouble) -> None:
    pms = make(double, timeout=0.2)
    double.slow(1.0, method="POST", resource="bookings")
    booking = await pms.create_booking(booking_request())
    await pms.aclose()
    assert list(double.orders) == [int(booking.id)]
    assert double.count("POST", "bookings") == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_create_booking_failed_write_is_not_retried(double: QloAppsDouble, pms: QloAppsPms, status: int) -> None:
    double.fail(status, method="POST", resource="bookings")
    with pytest.raises(PmsUnavailableError, match="holds none"):
        await pms.create_booking(booking_request())
    assert double.orders == {}
    assert double.count("POST", "bookings") == 1


async def test_create_booking_of_rooms_taken_meanwhile(double: QloAppsDouble, pms: QloAppsPms) -> None:
    await pms.create_booking(booking_request(stay=StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=5)))
    with pytest.raises(RoomsNotAvailableError):
        await pms.create_booking(booking_request("key-2", email="bob@example.com"))
    assert len(double.orders) == 1


async def test_create_booking_refuses_a_party_the_room_does_not_take(double: QloAppsDouble, pms: QloAppsPms) -> None:
    with pytest.raises(PmsRejectedError, match="at most 2 adults"):
        await pms.create_booking(booking_request(stay=StayQuery(CHECK_IN, CHECK_OUT, adults=3)))
    assert double.count("POST", "bookings") == 0


async def test_create_booking_rejected_by_validation_carries_the_message(pms: QloAppsPms) -> None:
    with pytest.raises(PmsRejectedError, match="valid first name") as caught:
        await pms.create_booking(booking_request(first_name=" "))
    assert not isinstance(caught.value, RoomsNotAvailableError)


async def test_find_booking_matches_email_stay_and_key(pms: QloAppsPms) -> None:
    assert await pms.find_booking(booking_request()) is None  # no such customer: "[]"
    made = await pms.create_booking(booking_request())
    assert await pms.find_booking(booking_request()) == made
    assert await pms.find_booking(booking_request("another-key")) is None
    later = StayQuery(CHECK_IN + timedelta(days=1), CHECK_OUT + timedelta(days=1), adults=2)
    assert await pms.find_booking(booking_request(stay=later)) is None


async def test_get_booking_reads_booking_and_order_state(double: QloAppsDouble, pms: QloAppsPms) -> None:
    made = await pms.create_booking(booking_request())
    assert await pms.get_booking(made.id) == made
    double.orders[int(made.id)].state = 6  # payment error: the hotel must act
    assert (await pms.get_booking(made.id)).status is BookingStatus.PENDING


async def test_get_booking_unknown_is_not_found(double: QloAppsDouble, pms: QloAppsPms) -> None:
    with pytest.raises(BookingNotFoundError):
        await pms.get_booking("999")
    with pytest.raises(BookingNotFoundError):
        await pms.get_booking("HP-1")
    assert double.count("GET", "bookings") == 1  # one try: a 404 is an answer


async def test_modify_booking_moves_the_stay_and_reprices(double: QloAppsDouble, pms: QloAppsPms) -> None:
    made = await pms.create_booking(booking_request())
    changed = await pms.modify_booking(made.id, BookingChange(check_out=CHECK_OUT + timedelta(days=1)))
    # 3 nights of (1000 + 250) plus 250 once, plus 4 % tax.
    assert (changed.id, changed.check_out, changed.total_price) == (made.id, date(2026, 12, 13), Decimal("4160.00"))
    (put,) = sent(double, "PUT", "bookings")
    assert '"email": "ada@example.com"' in put.body.decode()
    assert [room.check_out for room in double.orders[int(made.id)].rooms] == [date(2026, 12, 13)]


async def test_modify_booking_party_keeps_the_room(double: QloAppsDouble, pms: QloAppsPms) -> None:
    made = await pms.create_booking(booking_request())
    room = double.orders[int(made.id)].rooms[0].room.id
    changed = await pms.modify_booking(made.id, BookingChange(adults=1, children=1))
    assert (changed.adults, changed.children) == (1, 1)
    assert [r.room.id for r in double.orders[int(made.id)].rooms] == [room]


async def test_modify_booking_to_rooms_not_free_leaves_it_unchanged(double: QloAppsDouble, pms: QloAppsPms) -> None:
    made = await pms.create_booking(booking_request())
    full = StayQuery(CHECK_IN, CHECK_OUT, adults=2, rooms=5)
    await pms.create_booking(booking_request("key-2", email="bob@example.com", stay=full, room_type_id=2))
    with pytest.raises(RoomsNotAvailableError):
        await pms.modify_booking(made.id, BookingChange(room_type_id=2))
    assert await pms.get_booking(made.id) == made


async def test_modify_booking_refused_for_a_cancelled_or_too_large_party(
    double: QloAppsDouble, pms: QloAppsPms
) -> None:
    made = await pms.create_booking(booking_request())
    with pytest.raises(PmsRejectedError, match="at most"):
        await pms.modify_booking(made.id, BookingChange(adults=2, children=3))
    await pms.cancel_booking(made.id)
    with pytest.raises(PmsRejectedError, match="cancelled"):
        await pms.modify_booking(made.id, BookingChange(adults=1))
    assert double.count("PUT", "bookings") == 1


async def test_cancel_booking_gives_the_rooms_back_once(double: QloAppsDouble, pms: QloAppsPms) -> None:
    made = await pms.create_booking(booking_request())
    free = {o.room_type_id: o.available_rooms for o in (await pms.availability(STAY)).offers}
    cancelled = await pms.cancel_booking(made.id)
    assert cancelled.status is BookingStatus.CANCELLED and double.orders[int(made.id)].state == 4
    after = {o.room_type_id: o.available_rooms for o in (await pms.availability(STAY)).offers}
    assert (free[1], after[1]) == (4, 5)
    assert await pms.cancel_booking(made.id) == cancelled
    assert double.count("PUT", "bookings") == 1


async def test_cancel_booking_whose_answer_is_lost_is_read_back(double: QloAppsDouble) -> None:
    pms = make(double, timeout=0.2)
    made = await pms.create_booking(booking_request())
    double.slow(1.0, method="PUT", resource="bookings")
    cancelled = await pms.cancel_booking(made.id)
    await pms.aclose()
    assert cancelled.status is BookingStatus.CANCELLED
    assert double.count("PUT", "bookings") == 1


# --- health -----------------------------------------------------------------------------


async def test_health_reports_the_webservice(double: QloAppsDouble, pms: QloAppsPms) -> None:
    healthy = await pms.health()
    assert healthy.ok and healthy.extra == {"url_style": "rewrite", "hotel_id": "1"}
    double.enabled = False
    down = await pms.health()
    assert not down.ok and "disabled" in down.detail


async def test_health_never_raises_when_nothing_answers() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    pms = QloAppsPms(BASE, KEY, hotel_id=1, timeout=1.0, transport=httpx.MockTransport(refuse))
    health = await pms.health()
    await pms.aclose()
    assert not health.ok and "ConnectError" in health.detail


# --- transport quirks -------------------------------------------------------------------


@pytest.mark.parametrize("url_style", ["rewrite", "dispatcher"])
async def test_both_url_styles_serve_every_call(double: QloAppsDouble, url_style: str) -> None:
    pms = make(double, url_style=url_style)
    await pms.hotel()
    made = await pms.create_booking(booking_request())
    assert (await pms.cancel_booking(made.id)).status is BookingStatus.CANCELLED
    await pms.aclose()
    assert {r.style for r in double.requests} == {url_style}
    assert {"hotels", "hotel_ari", "customers", "bookings", "orders"} <= {r.resource for r in double.requests}


async def test_adapter_asks_for_json_in_upper_case(double: QloAppsDouble, pms: QloAppsPms) -> None:
    await pms.availability(STAY)
    assert {(r.query.get("output_format"), r.headers.get("output-format")) for r in double.requests} == {
        ("JSON", "JSON")
    }


async def test_double_answers_xml_to_lower_case_json(double: QloAppsDouble) -> None:
    lower = await webservice(double, "GET", "/api/hotels/1", params={"output_format": "json"})
    assert lower.content.startswith(b"<?xml") and b"<hotel_name>The Hotel Prime</hotel_name>" in lower.content
    upper = await webservice(double, "GET", "/api/hotels/1", headers={"Output-Format": "JSON"})
    assert upper.json()["hotel"]["hotel_name"] == "The Hotel Prime"


async def test_an_xml_answer_is_a_configuration_error() -> None:
    def xml(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'<?xml version="1.0"?><qloapps><hotel/></qloapps>')

    pms = QloAppsPms(BASE, KEY, hotel_id=1, timeout=1.0, transport=httpx.MockTransport(xml))
    with pytest.raises(PmsConfigurationError, match="XML"):
        await pms.hotel()
    await pms.aclose()


async def test_host_mismatch_redirect_is_a_configuration_error(double: QloAppsDouble) -> None:
    pms = make(double, base_url="http://hotel.test:8080")
    with pytest.raises(PmsConfigurationError, match="does not match the shop domain"):
        await pms.hotel()
    await pms.aclose()
    assert len(double.requests) == 1  # not retried, not followed


async def test_wrong_url_style_or_path_is_a_configuration_error(double: QloAppsDouble) -> None:
    pms = make(double, base_url="http://hotel.test/shop")
    with pytest.raises(PmsConfigurationError, match="PMS_URL_STYLE"):
        await pms.hotel()
    await pms.aclose()
    with pytest.raises(PmsConfigurationError, match="PMS_URL_STYLE"):
        make(double, url_style="pretty")


async def test_missing_key_is_a_configuration_error(double: QloAppsDouble) -> None:
    challenge = await webservice(double, "GET", "/api/hotels/1", key=None)
    assert challenge.status_code == 401 and challenge.headers["www-authenticate"].startswith("Basic")
    pms = make(double, api_key="")
    with pytest.raises(PmsConfigurationError, match="PMS_API_KEY"):
        await pms.hotel()
    await pms.aclose()


@pytest.mark.parametrize("key", ["short", "B" * 32])
async def test_bad_key_is_a_configuration_error_that_does_not_show_it(double: QloAppsDouble, key: str) -> None:
    pms = make(double, api_key=key)
    with pytest.raises(PmsConfigurationError, match="HTTP 401") as caught:
        await pms.hotel()
    await pms.aclose()
    assert key not in str(caught.value) and key not in repr(pms)
    assert len(double.requests) == 1


async def test_key_query_parameter_is_accepted_by_the_double(double: QloAppsDouble) -> None:
    answer = await webservice(double, "GET", "/api/hotels/1", key=None, params={"ws_key": KEY, "io_format": "JSON"})
    assert answer.json()["hotel"]["id"] == 1


async def test_key_without_the_resource_is_a_configuration_error(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.denied = {"hotel_ari"}
    with pytest.raises(PmsConfigurationError, match="code|permission"):
        await pms.availability(STAY)


async def test_disabled_webservice_is_a_configuration_error(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.enabled = False
    with pytest.raises(PmsConfigurationError, match="disabled"):
        await pms.hotel()
    assert len(double.requests) == 1


async def test_read_is_retried_on_503_then_succeeds(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.fail(503, times=2, resource="hotels")
    assert (await pms.hotel()).name == "The Hotel Prime"
    assert double.count("GET", "hotels") == 3


async def test_availability_is_a_read_and_is_retried(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.fail(500, resource="hotel_ari")
    assert len((await pms.availability(STAY)).offers) == 4
    assert double.count("POST", "hotel_ari") == 2


async def test_read_gives_up_after_its_retries(double: QloAppsDouble, pms: QloAppsPms) -> None:
    double.fail(503, times=3, resource="hotels")
    with pytest.raises(PmsUnavailableError, match="HTTP 503"):
        await pms.hotel()
    assert double.count("GET", "hotels") == 3


async def test_slow_answer_is_a_timeout(double: QloAppsDouble) -> None:
    pms = make(double, timeout=0.1, read_retries=0)
    double.slow(1.0, resource="hotels")
    with pytest.raises(PmsTimeoutError, match="within 0.1s"):
        await pms.hotel()
    await pms.aclose()


async def test_unreachable_pms_is_unavailable_after_retries() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    pms = QloAppsPms(BASE, KEY, hotel_id=1, timeout=1.0, transport=httpx.MockTransport(refuse), backoff=0.0)
    with pytest.raises(PmsUnavailableError, match="ConnectError"):
        await pms.room_types()
    await pms.aclose()
    assert len(attempts) == 3


async def test_from_settings_builds_the_configured_adapter(double: QloAppsDouble) -> None:
    settings = Settings(pms_type="qloapps", pms_base_url=BASE, pms_api_key=KEY, pms_url_style="dispatcher")
    pms = QloAppsPms.from_settings(settings, transport=httpx.ASGITransport(app=double))
    assert (await pms.hotel()).name == "The Hotel Prime"
    await pms.aclose()
    assert {r.style for r in double.requests} == {"dispatcher"}
    with pytest.raises(PmsConfigurationError):
        QloAppsPms.from_settings(Settings())
