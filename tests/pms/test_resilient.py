from __future__ import annotations

from datetime import date

import pytest

from agente.container import Container
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.errors import CircuitOpenError, PmsTimeoutError, PmsUnavailableError
from agente.pms.resilience.breaker import State
from agente.pms.types import Booking, BookingRequest, GuestDetails, StayQuery

STAY = StayQuery(check_in=date(2026, 11, 10), check_out=date(2026, 11, 12), adults=2)
GUEST = GuestDetails("Ada", "Lovelace", "ada@example.com", "+34600000001")


def _hits(container: Container, cache: str, result: str) -> float:
    value = container.metrics.registry.get_sample_value("cache_requests_total", {"cache": cache, "result": result})
    return value or 0.0


async def _down(container: Container) -> None:
    await container.pms_faults.set(SimulatorFaults(down=True))


async def test_availability_is_cached_and_counted(container: Container) -> None:
    first = await container.pms.availability(STAY)
    second = await container.pms.availability(STAY)
    assert first.source == "pms" and second.source == "cache"
    assert second.offers == first.offers and not second.stale
    assert _hits(container, "availability", "miss") == 1
    assert _hits(container, "availability", "hit") == 1


async def test_a_booking_invalidates_cached_availability(container: Container) -> None:
    before = await container.pms.availability(STAY)
    await container.pms.create_booking(BookingRequest(STAY, 1, GUEST, "inv-1"))
    after = await container.pms.availability(STAY)
    assert after.source == "pms"
    general_before = next(o for o in before.offers if o.room_type_id == 1)
    general_after = next(o for o in after.offers if o.room_type_id == 1)
    assert general_after.available_rooms == general_before.available_rooms - 1  # type: ignore[operator]


async def test_pms_down_without_fallback_raises_at_once(container: Container) -> None:
    await _down(container)
    with pytest.raises(PmsUnavailableError):
        await container.pms.availability(STAY)


async def test_pms_down_with_fallback_serves_last_known_marked_stale(container: Container) -> None:
    live = await container.pms.availability(STAY)
    await container.pms.cache.invalidate_availability()  # the short-lived cache is gone
    await container.flags.set("pms.fallback.enabled", True)
    await _down(container)
    answer = await container.pms.availability(STAY)
    assert answer.stale and answer.source == "last_known"
    assert answer.offers == live.offers
    assert answer.fetched_at == live.fetched_at  # its age is visible


async def test_pms_down_with_fallback_and_no_history_quotes_rack_rates(container: Container) -> None:
    await container.pms.room_types()  # the catalog is known from before the outage
    await container.pms.hotel()
    await container.flags.set("pms.fallback.enabled", True)
    await _down(container)
    answer = await container.pms.availability(StayQuery(date(2027, 3, 1), date(2027, 3, 4), adults=2))
    assert answer.stale and answer.source == "rack_rates"
    general = next(o for o in answer.offers if o.room_type_id == 1)
    assert general.available_rooms is None
    assert str(general.total_price) == "3000.00"  # 1000 × 3 nights, tax not known here


async def test_breaker_opens_after_failures_and_refuses_fast(container: Container) -> None:
    await _down(container)
    for _ in range(5):
        with pytest.raises(PmsUnavailableError):
            await container.pms.round_trip()
    assert (await container.pms.breaker.snapshot()).state is State.OPEN
    with pytest.raises(CircuitOpenError):
        await container.pms.round_trip()


async def test_slow_pms_is_cut_at_the_deadline(container: Container) -> None:
    container.pms.timeout = 0.1
    await container.pms_faults.set(SimulatorFaults(latency_ms=1000))
    with pytest.raises(PmsTimeoutError):
        await container.pms.round_trip()
    assert (
        container.metrics.registry.get_sample_value(
            "pms_requests_total", {"operation": "room_types", "outcome": "timeout"}
        )
        == 1
    )


async def test_lost_write_answer_is_reconciled_not_retried(container: Container) -> None:
    simulator = container.pms.inner
    calls = 0
    real_create = simulator.create_booking

    async def create_then_lose_answer(request: BookingRequest) -> Booking:
        nonlocal calls
        calls += 1
        await real_create(request)
        raise PmsUnavailableError("connection reset after the request was sent")

    simulator.create_booking = create_then_lose_answer  # type: ignore[method-assign]
    booking = await container.pms.create_booking(BookingRequest(STAY, 2, GUEST, "lost-1"))
    assert calls == 1
    assert booking.room_type_id == 2
    assert (await container.pms.get_booking(booking.id)).id == booking.id
