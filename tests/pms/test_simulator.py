from __future__ import annotations

import asyncio
import random
from datetime import date
from decimal import Decimal

import pytest

from agente.container import Container
from agente.pms.adapters.simulator import DemoHotel, SimulatorPms
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.errors import (
    BookingNotFoundError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
    RoomsNotAvailableError,
)
from agente.pms.types import BookingChange, BookingRequest, BookingStatus, GuestDetails, StayQuery

GUEST = GuestDetails("Ada", "Lovelace", "ada@example.com", "+34600000001")
# A week in November: no season, so prices are rack rate + 4 % tax.
STAY = StayQuery(check_in=date(2026, 11, 10), check_out=date(2026, 11, 13), adults=2)


def _request(key: str, stay: StayQuery = STAY, room_type_id: int = 1) -> BookingRequest:
    return BookingRequest(stay=stay, room_type_id=room_type_id, guest=GUEST, idempotency_key=key)


@pytest.fixture
def simulator(container: Container) -> SimulatorPms:
    return SimulatorPms(container.storage, container.pms_faults)


def _offer(availability: object, room_type_id: int) -> object:
    return next((o for o in availability.offers if o.room_type_id == room_type_id), None)  # type: ignore[attr-defined]


async def test_quote_is_rack_rate_plus_tax_per_night_and_room(simulator: SimulatorPms) -> None:
    answer = await simulator.availability(StayQuery(STAY.check_in, STAY.check_out, adults=2, rooms=2))
    general = next(o for o in answer.offers if o.room_type_id == 1)
    assert general.nightly_price == Decimal("1040.00")
    assert general.total_price == Decimal("6240.00")  # 1040 × 3 nights × 2 rooms
    assert general.currency == "USD" and general.available_rooms == 5


def test_seasonal_prices_follow_each_night() -> None:
    demo = DemoHotel.load()
    general = demo.room_type(1)
    # 18 and 19 December are normal nights; 20 and 21 are in the holiday season (× 1.30).
    nightly, total = demo.stay_price(general, StayQuery(date(2026, 12, 18), date(2026, 12, 22), adults=1))
    assert total == Decimal("1040.00") * 2 + Decimal("1352.00") * 2
    assert nightly == Decimal("1196.00")
    # The season wraps the new year.
    assert demo.night_price(general, date(2027, 1, 3)) == Decimal("1352.00")


async def test_occupancy_limits_filter_room_types(simulator: SimulatorPms) -> None:
    answer = await simulator.availability(StayQuery(STAY.check_in, STAY.check_out, adults=3, children=1))
    assert {o.room_type_id for o in answer.offers} == {3, 4}
    answer = await simulator.availability(StayQuery(STAY.check_in, STAY.check_out, adults=5))
    assert answer.offers == ()


async def test_bookings_take_rooms_and_cancellations_give_them_back(simulator: SimulatorPms) -> None:
    bookings = [await simulator.create_booking(_request(f"k{i}")) for i in range(5)]
    assert all(b.status is BookingStatus.CONFIRMED for b in bookings)
    assert _offer(await simulator.availability(STAY), 1) is None
    # A stay that only touches the check-out day is not affected.
    later = StayQuery(STAY.check_out, date(2026, 11, 15), adults=2)
    assert _offer(await simulator.availability(later), 1) is not None
    with pytest.raises(RoomsNotAvailableError):
        await simulator.create_booking(_request("k6"))

    cancelled = await simulator.cancel_booking(bookings[0].id)
    assert cancelled.status is BookingStatus.CANCELLED
    offer = _offer(await simulator.availability(STAY), 1)
    assert offer is not None and offer.available_rooms == 1  # type: ignore[attr-defined]


async def test_idempotency_key_books_once(simulator: SimulatorPms) -> None:
    first = await simulator.create_booking(_request("same-key"))
    again = await simulator.create_booking(_request("same-key"))
    assert again == first
    assert await simulator.find_booking(_request("same-key")) == first
    assert await simulator.find_booking(_request("other-key")) is None


async def test_inventory_survives_a_restart(container: Container) -> None:
    booking = await SimulatorPms(container.storage, container.pms_faults).create_booking(_request("r1"))
    restarted = SimulatorPms(container.storage, container.pms_faults)
    assert (await restarted.get_booking(booking.id)).total_price == booking.total_price
    offer = _offer(await restarted.availability(STAY), 1)
    assert offer is not None and offer.available_rooms == 4  # type: ignore[attr-defined]


async def test_modify_reprices_and_checks_availability(simulator: SimulatorPms) -> None:
    booking = await simulator.create_booking(_request("m1"))
    changed = await simulator.modify_booking(booking.id, BookingChange(check_out=date(2026, 11, 14), adults=1))
    assert (changed.check_out, changed.adults, changed.total_price) == (date(2026, 11, 14), 1, Decimal("4160.00"))
    for i in range(5):
        await simulator.create_booking(_request(f"lux{i}", room_type_id=4))
    with pytest.raises(RoomsNotAvailableError):
        await simulator.modify_booking(booking.id, BookingChange(room_type_id=4))
    assert (await simulator.get_booking(booking.id)).room_type_id == 1  # unchanged
    with pytest.raises(PmsRejectedError):
        await simulator.modify_booking(booking.id, BookingChange(adults=4))


async def test_unknown_booking(simulator: SimulatorPms) -> None:
    for bad in ("SIM999999", "nonsense", ""):
        with pytest.raises(BookingNotFoundError):
            await simulator.get_booking(bad)


async def test_concurrent_bookings_of_the_last_room_book_it_once(simulator: SimulatorPms) -> None:
    for i in range(4):
        await simulator.create_booking(_request(f"pre{i}"))
    results = await asyncio.gather(
        *(simulator.create_booking(_request(f"race{i}")) for i in range(4)), return_exceptions=True
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, RoomsNotAvailableError)]
    assert len(made) == 1 and len(refused) == 3


async def test_faults_make_it_down_slow_or_flaky(container: Container) -> None:
    simulator = SimulatorPms(container.storage, container.pms_faults, rng=random.Random(7))
    await container.pms_faults.set(SimulatorFaults(down=True))
    with pytest.raises(PmsUnavailableError, match="down"):
        await simulator.room_types()
    assert not (await simulator.health()).ok

    await container.pms_faults.set(SimulatorFaults(failure_rate=0.5))
    outcomes = []
    for _ in range(40):
        try:
            await simulator.room_types()
            outcomes.append(True)
        except PmsUnavailableError:
            outcomes.append(False)
    assert 8 <= outcomes.count(False) <= 32

    await container.pms_faults.set(SimulatorFaults(latency_ms=900))
    impatient = SimulatorPms(container.storage, container.pms_faults, request_timeout=0.2)
    with pytest.raises(PmsTimeoutError):
        await impatient.room_types()

    await container.pms_faults.set(SimulatorFaults(latency_ms=150))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await simulator.hotel()
    assert loop.time() - started >= 0.15
    await container.pms_faults.set(SimulatorFaults())
