"""One contract, three PMSs: what the rest of the service may rely on from any PMS.

Each test runs against the simulator (on the test database), against ``QloAppsPms`` talking
to the QloApps double, and against ``QloAppsPms`` (built from ``PMS_TYPE=qloapps`` settings)
talking to a real QloApps 1.6.1 (the session's ``qloapps`` fixture, marker ``qloapps``); all
must behave the same where a guest could tell. The real QloApps keeps its bookings for the
whole run, so each test's assertions are relative to what it finds, and its stay is in the
future (QloApps refuses past dates).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from agente.config import Settings
from agente.container import Container
from agente.pms.adapters.qloapps import QloAppsPms
from agente.pms.adapters.simulator import SimulatorPms
from agente.pms.errors import BookingNotFoundError, RoomsNotAvailableError
from agente.pms.port import PmsClient
from agente.pms.types import Availability, BookingChange, BookingRequest, BookingStatus, GuestDetails, StayQuery
from tests.pms.qloapps_double import QloAppsDouble
from tests.pms.test_qloapps import make
from tests.qloapps.server import QloApps

CHECK_IN = date.today() + timedelta(days=40)
STAY = StayQuery(CHECK_IN, CHECK_IN + timedelta(days=3), adults=2)
GUEST = GuestDetails("Ada", "Lovelace", "ada@example.com", "0123456789")


@pytest.fixture(params=["simulator", "qloapps", pytest.param("real-qloapps", marks=pytest.mark.qloapps)])
async def adapter(request: pytest.FixtureRequest, container: Container) -> AsyncIterator[PmsClient]:
    pms: PmsClient
    if request.param == "simulator":
        pms = SimulatorPms(container.storage, container.pms_faults)
    elif request.param == "qloapps":
        pms = make(QloAppsDouble())
    else:
        real: QloApps = request.getfixturevalue("qloapps")
        pms = QloAppsPms.from_settings(Settings(env="test", **real.pms_settings()))  # type: ignore[arg-type]
    yield pms
    await pms.aclose()


# The simulator's own storage is parametrised by backend; the double needs no database.
pytestmark = pytest.mark.parametrize("settings", ["embedded"], indirect=True)


def _request(key: str, room_type_id: int = 1, stay: StayQuery = STAY) -> BookingRequest:
    return BookingRequest(stay=stay, room_type_id=room_type_id, guest=GUEST, idempotency_key=key)


def _free(answer: Availability, room_type_id: int) -> int:
    offer = next((o for o in answer.offers if o.room_type_id == room_type_id), None)
    return 0 if offer is None or offer.available_rooms is None else offer.available_rooms


async def test_catalog(adapter: PmsClient) -> None:
    hotel = await adapter.hotel()
    assert hotel.name and hotel.currency == "USD"
    room_types = await adapter.room_types()
    assert [rt.id for rt in room_types] == [1, 2, 3, 4]
    assert all(rt.base_price > 0 and rt.total_rooms == 5 and rt.max_adults >= 2 for rt in room_types)


async def test_availability_offers_only_what_fits_and_prices_the_whole_stay(adapter: PmsClient) -> None:
    answer = await adapter.availability(STAY)
    assert answer.offers and not answer.stale and answer.currency == "USD"
    for offer in answer.offers:
        assert offer.max_adults >= STAY.adults
        assert offer.available_rooms is not None and offer.available_rooms >= 1
        assert offer.total_price == offer.nightly_price * STAY.nights
    two_rooms = await adapter.availability(StayQuery(STAY.check_in, STAY.check_out, adults=2, rooms=2))
    first = next(o for o in two_rooms.offers if o.room_type_id == 1)
    assert first.total_price == first.nightly_price * STAY.nights * 2
    crowd = await adapter.availability(StayQuery(STAY.check_in, STAY.check_out, adults=9))
    assert crowd.offers == ()


async def test_booking_takes_a_room_idempotently(adapter: PmsClient) -> None:
    before = _free(await adapter.availability(STAY), 1)
    offer = next(o for o in (await adapter.availability(STAY)).offers if o.room_type_id == 1)
    booking = await adapter.create_booking(_request("c-1"))
    assert booking.status is BookingStatus.CONFIRMED
    assert (booking.room_type_id, booking.check_in, booking.check_out) == (1, STAY.check_in, STAY.check_out)
    # What the PMS charges for the booking is what it quoted: the rooms and every fee it adds.
    assert booking.currency == "USD" and booking.total_price == offer.charged_total
    assert booking.guest_email == GUEST.email
    assert await adapter.create_booking(_request("c-1")) == booking
    assert await adapter.find_booking(_request("c-1")) == booking
    assert await adapter.find_booking(_request("c-other", room_type_id=2)) is None
    assert (await adapter.get_booking(booking.id)).id == booking.id
    assert _free(await adapter.availability(STAY), 1) == before - 1


async def test_sold_out_room_type(adapter: PmsClient) -> None:
    for i in range(5):
        await adapter.create_booking(_request(f"full-{i}", room_type_id=2))
    assert _free(await adapter.availability(STAY), 2) == 0
    with pytest.raises(RoomsNotAvailableError):
        await adapter.create_booking(_request("full-6", room_type_id=2))


async def test_cancel_gives_the_room_back_and_is_repeatable(adapter: PmsClient) -> None:
    booking = await adapter.create_booking(_request("x-1", room_type_id=3))
    free = _free(await adapter.availability(STAY), 3)
    cancelled = await adapter.cancel_booking(booking.id)
    assert cancelled.status is BookingStatus.CANCELLED
    assert (await adapter.cancel_booking(booking.id)).status is BookingStatus.CANCELLED
    assert _free(await adapter.availability(STAY), 3) == free + 1


async def test_modify_moves_the_stay_and_reprices(adapter: PmsClient) -> None:
    booking = await adapter.create_booking(_request("m-1"))
    longer = await adapter.modify_booking(booking.id, BookingChange(check_out=STAY.check_out + timedelta(days=2)))
    assert longer.id == booking.id and longer.check_out == STAY.check_out + timedelta(days=2)
    assert longer.total_price > booking.total_price
    assert (await adapter.get_booking(booking.id)).check_out == STAY.check_out + timedelta(days=2)


async def test_unknown_booking(adapter: PmsClient) -> None:
    with pytest.raises(BookingNotFoundError):
        await adapter.get_booking("999999")


async def test_health(adapter: PmsClient) -> None:
    health = await adapter.health()
    assert health.ok and health.latency_ms >= 0 and health.detail
