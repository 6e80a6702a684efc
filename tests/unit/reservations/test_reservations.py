"""Reservations on the in-memory storage and the fake PMS: no database, no Redis server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from agente.channels.email.confirmation import BookingConfirmations
from agente.channels.email.jobs import SEND_JOB
from agente.outbox import OutboxRelay
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import BookingChange, BookingRequest, BookingStatus, GuestDetails, StayQuery
from agente.reservations.errors import BookingsDisabledError
from agente.reservations.service import PENDING_JOB
from agente.storage.repositories.bookings.memory import BookingsTable
from agente.storage.repositories.outbox.memory import OutboxTable
from tests.unit.conversation.dialogue.desk import Desk

STAY = StayQuery(date(2030, 6, 10), date(2030, 6, 13), adults=2)
GUEST = GuestDetails("Ada", "Lovelace", "ada@example.com", "+34600000001")


def _request(key: str = "session:0:1", room_type_id: int = 1) -> BookingRequest:
    return BookingRequest(STAY, room_type_id, GUEST, key, quoted_total=Decimal("300.00"))


def _jobs(desk: Desk) -> list[dict[str, Any]]:
    table: OutboxTable = desk.storage.data.table("outbox", OutboxTable)
    return list(table.jobs.values())


@pytest.fixture
def desk() -> Desk:
    return Desk()


async def test_a_booking_with_the_pms_up_is_confirmed_and_recorded_once(desk: Desk) -> None:
    record = await desk.reservations.reserve(_request(), party=(2, 0))
    again = await desk.reservations.reserve(_request())
    assert record.status == "confirmed" and record.reference.startswith("AH") and len(record.reference) == 8
    assert record.pms_booking_id in desk.pms.bookings and len(desk.pms.bookings) == 1
    assert (record.total_price, record.currency, record.quoted_total) == (Decimal("300.00"), "USD", Decimal("300.00"))
    assert again == record
    assert await desk.reservations.by_reference(record.reference.lower()) == record
    assert desk.metrics.bookings.labels("confirmed")._value.get() == 1


async def test_a_party_spread_over_rooms_is_recorded_whole(desk: Desk) -> None:
    request = BookingRequest(StayQuery(STAY.check_in, STAY.check_out, adults=2, rooms=2), 1, GUEST, "k")
    record = await desk.reservations.reserve(request, party=(3, 0))
    assert (record.adults, record.children, record.rooms) == (3, 0, 2)


async def test_with_the_pms_down_and_fallback_on_the_booking_is_pending_with_its_job(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    record = await desk.reservations.reserve(_request())
    again = await desk.reservations.reserve(_request())
    assert record.status == "pending" and record.pms_booking_id is None and again == record
    [job] = _jobs(desk)
    assert job["kind"] == PENDING_JOB and job["dedup_key"] == f"{PENDING_JOB}:session:0:1"
    assert job["payload"]["record_id"] == record.id and job["max_attempts"] == 200
    assert desk.metrics.bookings.labels("pending")._value.get() == 1


async def test_with_the_pms_down_and_fallback_off_nothing_is_recorded(desk: Desk) -> None:
    desk.pms.down = True
    with pytest.raises(PmsUnavailableError):
        await desk.reservations.reserve(_request())
    table: BookingsTable = desk.storage.data.table("bookings", BookingsTable)
    assert table.rows == {} and _jobs(desk) == []


async def test_with_bookings_switched_off_the_pms_is_not_asked(desk: Desk) -> None:
    await desk.flags.set("bookings.enabled", False)
    with pytest.raises(BookingsDisabledError):
        await desk.reservations.reserve(_request())
    assert desk.pms.bookings == {}


async def test_a_room_gone_is_the_pms_answer(desk: Desk) -> None:
    desk.pms.free[1] = 0
    with pytest.raises(RoomsNotAvailableError):
        await desk.reservations.reserve(_request())


async def test_a_pending_booking_is_made_when_the_pms_is_back(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.reservations.reserve(_request())
    desk.pms.down = False
    [job] = _jobs(desk)
    result = await desk.reservations.complete_pending(job["payload"])
    settled = await desk.stored(pending.reference)
    assert result == {"status": "confirmed", "pms_booking_id": settled.pms_booking_id}
    assert settled.status == "confirmed" and settled.total_price == Decimal("300.00")
    # Run again (a worker that died after the PMS answered): nothing more is made.
    assert await desk.reservations.complete_pending(job["payload"]) == {"skipped": "not pending"}
    assert len(desk.pms.bookings) == 1


async def test_a_pending_booking_the_pms_refuses_is_failed_with_the_reason(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.reservations.reserve(_request())
    desk.pms.down, desk.pms.free[1] = False, 0
    [job] = _jobs(desk)
    result = await desk.reservations.complete_pending(job["payload"])
    settled = await desk.stored(pending.reference)
    assert result == {"status": "failed", "reason": "no Standard Double left"}
    assert (settled.status, settled.failure_reason) == ("failed", "no Standard Double left")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.pop("record_id"),
        lambda p: p["request"].pop("guest"),
        lambda p: p["request"]["stay"].update(check_in="next tuesday"),
        lambda p: p["request"]["stay"].update(check_out=p["request"]["stay"]["check_in"]),
        lambda p: p["request"].update(quoted_total="a lot"),
        lambda p: p["request"]["guest"].update(middle_name="Augusta"),
        lambda p: p.update(request="AH3K7P9Q"),
        lambda p: p.update(record_id="1"),
    ],
    ids=["no-record", "no-guest", "bad-date", "empty-stay", "bad-total", "unknown-field", "not-a-request", "text-id"],
)
async def test_a_pending_booking_job_that_does_not_parse_is_dead_at_once(desk: Desk, spoil: Any) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.reservations.reserve(_request())
    desk.pms.down = False
    table: OutboxTable = desk.storage.data.table("outbox", OutboxTable)
    [job] = table.jobs.values()
    spoil(job["payload"])

    relay = OutboxRelay(desk.storage, {PENDING_JOB: desk.reservations.complete_pending}, desk.metrics)
    assert await relay.run_once() == 1

    # Dead on its first run (not retried 200 times), its reason named without the guest's data.
    assert (job["status"], job["attempts"]) == ("dead", 1)
    assert job["last_error"].startswith(f"unreadable {PENDING_JOB} job")
    assert "Ada" not in job["last_error"] and "Lovelace" not in job["last_error"]
    dead = desk.metrics.registry.get_sample_value(
        "outbox_dead_letters_total", {"kind": PENDING_JOB, "reason": "unreadable_payload"}
    )
    assert dead == 1
    assert (await desk.stored(pending.reference)).status == "pending" and desk.pms.bookings == {}


async def test_cancel_cancels_at_the_pms_and_records_it(desk: Desk) -> None:
    record = await desk.reservations.reserve(_request())
    cancelled = await desk.reservations.cancel(record.reference)
    assert cancelled.status == "cancelled" and (await desk.stored(record.reference)).status == "cancelled"
    assert desk.pms.bookings[record.pms_booking_id or ""].status is BookingStatus.CANCELLED
    assert desk.pms.free[1] == 5


async def test_cancelling_a_pending_booking_asks_nothing_of_the_pms(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.reservations.reserve(_request())
    assert (await desk.reservations.cancel(pending.reference)).status == "cancelled"


async def test_modify_records_the_stay_and_price_the_pms_made(desk: Desk) -> None:
    record = await desk.reservations.reserve(_request())
    change = BookingChange(check_in=date(2030, 6, 20), check_out=date(2030, 6, 24), adults=1)
    changed = await desk.reservations.modify(record.reference, change)
    assert (changed.check_in, changed.check_out, changed.adults) == (date(2030, 6, 20), date(2030, 6, 24), 1)
    assert changed.total_price == Decimal("400.00") and changed.reference == record.reference
    assert await desk.stored(record.reference) == changed


async def test_a_pending_booking_cannot_be_modified_yet(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.reservations.reserve(_request())
    desk.pms.down = False
    with pytest.raises(PmsRejectedError):
        await desk.reservations.modify(pending.reference, BookingChange(adults=1))


async def test_a_confirmed_booking_queues_its_email_in_the_conversations_language(desk: Desk) -> None:
    desk.reservations.notifier = BookingConfirmations(desk.pms, "Hotel <reservas@hotel.example>")
    store = desk.storage.conversations
    received = await store.receive("web", "web-ada", "hello", None, datetime.now(UTC))
    session_id = received.state.session_id
    store.tables.sessions[session_id] = replace(received.state, language="en")
    record = await desk.reservations.reserve(_request(), session_id=session_id)
    [job] = _jobs(desk)
    assert job["kind"] == SEND_JOB and job["dedup_key"] == f"{SEND_JOB}:confirmation:{record.reference}"
    email = job["payload"]
    assert email["to"] == "ada@example.com" and email["language"] == "en"
    assert email["subject"] == f"Booking confirmed {record.reference} · Hotel Prueba"
    assert "Room: Standard Double" in email["text"]


async def test_a_booking_whose_email_cannot_be_queued_is_not_recorded(desk: Desk) -> None:
    class Broken:
        async def prepare(self) -> None:
            return None

        async def confirmed(self, uow: Any, booking: Any) -> None:
            raise RuntimeError("the outbox refused the job")

    desk.reservations.notifier = Broken()
    with pytest.raises(RuntimeError):
        await desk.reservations.reserve(_request())
    assert desk.storage.data.table("bookings", BookingsTable).rows == {}
