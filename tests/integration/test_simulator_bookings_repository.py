"""The PMS simulator's bookings: the contract, the same in memory, on SQLite and on PostgreSQL,
and on PostgreSQL the room-type lock that serialises bookings across processes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from agente.errors import DuplicateRecordError
from agente.storage import db
from agente.storage.repositories.simulator_bookings import HeldRooms, NewSimulatorBooking
from agente.storage.unit_of_work import SqlStorage
from tests.conftest import postgres_settings
from tests.integration.conftest import Backend

DAY = date(2030, 6, 10)


def _booking(
    key: str, *, room_type_id: int = 1, nights: tuple[int, int] = (0, 3), rooms: int = 1
) -> NewSimulatorBooking:
    return NewSimulatorBooking(
        idempotency_key=key,
        room_type_id=room_type_id,
        check_in=DAY + timedelta(days=nights[0]),
        check_out=DAY + timedelta(days=nights[1]),
        adults=2,
        children=0,
        rooms=rooms,
        total_price=Decimal("3120.00"),
        currency="USD",
        status="confirmed",
        guest_first_name="Ada",
        guest_last_name="Lovelace",
        guest_email="ada@example.com",
        guest_phone="+34600000001",
        remark="late arrival",
    )


async def test_a_booking_reads_back_by_id_and_by_key(backend: Backend) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    async with backend.storage.begin() as uow:
        stored = await uow.simulator_bookings.add(_booking("guest-1:quote-1"))
        other = await uow.simulator_bookings.add(_booking("guest-2:quote-1"))
    async with backend.storage.begin() as uow:
        assert await uow.simulator_bookings.get(stored.id) == stored
        assert await uow.simulator_bookings.by_key("guest-1:quote-1") == stored
        assert await uow.simulator_bookings.by_key("guest-9:quote-1") is None
        assert await uow.simulator_bookings.get(other.id + 1000) is None
    assert other.id != stored.id and stored.created_at >= started
    assert (stored.total_price, stored.remark, stored.check_out) == (
        Decimal("3120.00"),
        "late arrival",
        date(2030, 6, 13),
    )


async def test_a_stored_idempotency_key_is_refused_and_the_first_booking_stays(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        first = await uow.simulator_bookings.add(_booking("guest-1:quote-1"))
    with pytest.raises(DuplicateRecordError):
        async with backend.storage.begin() as uow:
            await uow.simulator_bookings.add(_booking("guest-1:quote-1", room_type_id=2))
    async with backend.storage.begin() as uow:
        assert await uow.simulator_bookings.by_key("guest-1:quote-1") == first


async def test_held_rooms_are_the_overlapping_bookings_of_the_type_not_cancelled(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        rooms = uow.simulator_bookings
        kept = await rooms.add(_booking("a", nights=(0, 3), rooms=2))
        await rooms.add(_booking("b", nights=(2, 5)))
        await rooms.add(_booking("c", nights=(3, 6)))  # arrives the day the stay leaves
        await rooms.add(_booking("d", nights=(0, 3), room_type_id=2))
        cancelled = await rooms.add(_booking("e", nights=(1, 2)))
        await rooms.save(replace(cancelled, status="cancelled"))
    async with backend.storage.begin() as uow:
        held = await uow.simulator_bookings.held([1], start=DAY, end=DAY + timedelta(days=3))
        without = await uow.simulator_bookings.held([1], start=DAY, end=DAY + timedelta(days=3), excluding=kept.id)
        both = await uow.simulator_bookings.held([1, 2], start=DAY, end=DAY + timedelta(days=3))
    a = HeldRooms(1, DAY, DAY + timedelta(days=3), 2)
    b = HeldRooms(1, DAY + timedelta(days=2), DAY + timedelta(days=5), 1)
    d = HeldRooms(2, DAY, DAY + timedelta(days=3), 1)
    assert sorted(held, key=lambda h: h.check_in) == [a, b]
    assert without == [b]
    assert sorted(both, key=lambda h: (h.check_in, h.room_type_id)) == [a, d, b]


async def test_save_writes_the_changes_and_keeps_the_creation_time(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        stored = await uow.simulator_bookings.add(_booking("guest-1:quote-1"))
    changed = replace(stored, room_type_id=2, check_out=DAY + timedelta(days=4), rooms=2, total_price=Decimal("99.50"))
    async with backend.storage.begin() as uow:
        saved = await uow.simulator_bookings.save(changed)
    async with backend.storage.begin() as uow:
        assert await uow.simulator_bookings.get(stored.id) == saved == changed


@pytest.mark.postgres
async def test_the_room_type_lock_holds_another_process_off_until_the_first_unit_ends(
    pg_database: str, redis_prefix: str
) -> None:
    # Two engines: two processes' connections.
    engines = [db.create_engine(postgres_settings(pg_database, redis_prefix)) for _ in range(2)]
    first, second = (SqlStorage(db.create_session_factory(engine)) for engine in engines)
    locked, release = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def holder() -> None:
        async with first.begin() as uow:
            await uow.simulator_bookings.lock_room_type(1)
            locked.set()
            await release.wait()
            order.append("first done")

    async def waiter(room_type_id: int) -> None:
        await locked.wait()
        async with second.begin() as uow:
            await uow.simulator_bookings.lock_room_type(room_type_id)
            order.append(f"second locked {room_type_id}")

    try:
        holding = asyncio.create_task(holder())
        # Another room type is not held off.
        await asyncio.wait_for(waiter(2), timeout=5)
        waiting = asyncio.create_task(waiter(1))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        release.set()
        await asyncio.wait_for(asyncio.gather(holding, waiting), timeout=5)
    finally:
        for engine in engines:
            await engine.dispose()
    assert order == ["second locked 2", "first done", "second locked 1"]
