from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from agente.container import Container
from agente.outbox import OutboxRelay
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.errors import PmsUnavailableError
from agente.pms.types import BookingRequest, GuestDetails, StayQuery
from agente.reservations.errors import BookingsDisabledError
from agente.reservations.service import PENDING_JOB
from agente.storage import db
from agente.storage.models import BookingRecord, OutboxJob, SimulatorBooking

STAY = StayQuery(check_in=date(2026, 11, 10), check_out=date(2026, 11, 12), adults=2)
GUEST = GuestDetails("Ada", "Lovelace", "ada@example.com", "+34600000001")


def _request(key: str = "guest-1:quote-1", room_type_id: int = 2) -> BookingRequest:
    return BookingRequest(STAY, room_type_id, GUEST, key)


def _relay(container: Container, now: Any = None) -> OutboxRelay:
    kwargs = {"now": now} if now else {}
    return OutboxRelay(
        container.storage,
        {PENDING_JOB: container.reservations.complete_pending},
        container.metrics,
        lease_seconds=60,
        **kwargs,
    )


async def _count(container: Container, model: Any) -> int:
    async with db.session_scope(container.session_factory) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _job(container: Container) -> OutboxJob:
    async with db.session_scope(container.session_factory) as session:
        return (await session.execute(select(OutboxJob))).scalar_one()


async def _pms_down(container: Container, down: bool) -> None:
    await container.pms_faults.set(SimulatorFaults(down=down))


async def test_booking_with_the_pms_up_is_confirmed_once(container: Container) -> None:
    record = await container.reservations.reserve(_request())
    again = await container.reservations.reserve(_request())
    assert record.status == "confirmed" and record.pms_booking_id
    assert record.reference.startswith("AH") and len(record.reference) == 8
    assert str(record.total_price) == "3120.00" and record.currency == "USD"
    assert again.reference == record.reference
    assert await _count(container, SimulatorBooking) == 1
    assert (await container.reservations.by_reference(record.reference.lower())) is not None


async def test_kill_switch_stops_new_bookings(container: Container) -> None:
    await container.flags.set("bookings.enabled", False)
    with pytest.raises(BookingsDisabledError):
        await container.reservations.reserve(_request())
    assert await _count(container, SimulatorBooking) == 0


async def test_pms_down_without_fallback_stores_nothing(container: Container) -> None:
    await _pms_down(container, True)
    with pytest.raises(PmsUnavailableError):
        await container.reservations.reserve(_request())
    assert await _count(container, BookingRecord) == 0
    assert await _count(container, OutboxJob) == 0


async def test_pending_booking_is_made_once_when_the_pms_returns(container: Container) -> None:
    await container.flags.set("pms.fallback.enabled", True)
    await _pms_down(container, True)
    pending = await container.reservations.reserve(_request())
    assert pending.status == "pending" and pending.pms_booking_id is None
    job = await _job(container)
    assert job.kind == PENDING_JOB and job.status == "pending"

    relay = _relay(container)
    assert await relay.run_once() == 1  # still down: the job goes back to the queue
    job = await _job(container)
    assert job.status == "pending" and job.last_error and job.next_attempt_at > datetime.now(UTC)

    await _pms_down(container, False)
    await container.pms.breaker.reset()
    later = _relay(container, now=lambda: datetime.now(UTC) + timedelta(minutes=10))
    assert await later.run_once() == 1
    job = await _job(container)
    assert job.status == "done" and job.result and job.result["status"] == "confirmed"
    settled = await container.reservations.by_reference(pending.reference)
    assert settled is not None and settled.status == "confirmed" and settled.pms_booking_id
    assert await _count(container, SimulatorBooking) == 1
    # Nothing left to do, and nothing is booked twice.
    assert await later.run_once() == 0
    assert await _count(container, SimulatorBooking) == 1


async def test_a_worker_dying_mid_job_loses_nothing_and_books_once(container: Container) -> None:
    await container.flags.set("pms.fallback.enabled", True)
    await _pms_down(container, True)
    pending = await container.reservations.reserve(_request())
    await _pms_down(container, False)
    await container.pms.breaker.reset()

    # A worker claims the job, makes the booking at the PMS, then dies before recording it.
    dying = _relay(container)
    claimed = await dying._claim()
    assert len(claimed) == 1
    await container.pms.create_booking(_request())

    # Before the lease runs out nobody else takes it...
    assert await _relay(container).run_once() == 0
    # ...after it, another worker does, finds the booking already made, and records it.
    after_lease = _relay(container, now=lambda: datetime.now(UTC) + timedelta(seconds=61))
    assert await after_lease.run_once() == 1
    settled = await container.reservations.by_reference(pending.reference)
    assert settled is not None and settled.status == "confirmed"
    assert await _count(container, SimulatorBooking) == 1


async def test_rooms_gone_when_the_pms_returns_marks_the_booking_failed(container: Container) -> None:
    await container.flags.set("pms.fallback.enabled", True)
    await _pms_down(container, True)
    pending = await container.reservations.reserve(_request(room_type_id=4))
    await _pms_down(container, False)
    await container.pms.breaker.reset()
    for i in range(5):  # meanwhile, the hotel sold every Luxury room at the front desk
        await container.pms.create_booking(_request(f"desk-{i}", room_type_id=4))

    assert await _relay(container).run_once() == 1
    settled = await container.reservations.by_reference(pending.reference)
    assert settled is not None and settled.status == "failed"
    assert settled.failure_reason and "not available" in settled.failure_reason
    assert (await _job(container)).status == "done"
