"""Managing a booking: verify → status; confirm_cancel; modify_what → confirm_modify."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from agente.conversation.dialogue.state import Goal, Step
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_stay, party_text
from agente.pms.types import Fee
from agente.storage.repositories.bookings import StoredBooking
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en

STAY = format_stay(ARRIVAL, DEPARTURE, "en")
TWO_ADULTS = party_text(2, 0, 1, "en")
LATER = format_stay(date(2030, 6, 20), date(2030, 6, 23), "en")


async def _verified(desk: Desk, intent: IntentName) -> StoredBooking:
    booking = await desk.booked()
    await desk.send(
        f"{booking.reference} ana@example.com", intent, booking_ref=booking.reference, email="ana@example.com"
    )
    return booking


# --- verify -------------------------------------------------------------------------------


async def test_verify_asks_for_the_reference_first(desk: Desk) -> None:
    outcome = await desk.send("how is my booking?", IntentName.BOOKING_STATUS)
    assert outcome.replies == (en("ask_reference"),)
    assert outcome.step is Step.VERIFY and outcome.slots.goal == Goal.STATUS


async def test_verify_a_reference_alone_asks_who_is_asking(desk: Desk) -> None:
    booking = await desk.booked()
    outcome = await desk.send(booking.reference, IntentName.BOOKING_STATUS, booking_ref=booking.reference)
    assert outcome.replies == (en("ask_verification"),) and outcome.step is Step.VERIFY


async def test_verify_the_reference_and_the_email_answer_the_status(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send("status of my booking", IntentName.BOOKING_STATUS)
    outcome = await desk.send("AH... ana@example.com", booking_ref=booking.reference, email="ANA@example.com")
    assert outcome.replies == (
        en(
            "status",
            reference=booking.reference,
            room="Standard Double",
            stay=STAY,
            party=TWO_ADULTS,
            status="confirmed",
        ),
    )
    assert outcome.step is Step.IDLE and outcome.slots.booking_ref is None and outcome.slots.goal is None


async def test_verify_the_phone_with_its_country_code_is_enough(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send(booking.reference, IntentName.BOOKING_STATUS, booking_ref=booking.reference)
    outcome = await desk.send("600 111 222", phone="600111222")
    assert outcome.step is Step.IDLE and "Status: confirmed." in outcome.replies[0]


async def test_verify_a_reference_of_someone_else_is_refused_three_times_then_staff(desk: Desk) -> None:
    booking = await desk.booked(email="someone@example.com")
    await desk.send("status", IntentName.BOOKING_STATUS)
    for failures in (1, 2):
        outcome = await desk.send("ref", booking_ref=booking.reference, email="ana@example.com")
        assert outcome.replies == (en("verification_failed"),)
        assert outcome.step is Step.VERIFY and outcome.slots.failed_verifications == failures
    outcome = await desk.send("ref", booking_ref=booking.reference, email="ana@example.com")
    assert outcome.replies == (en("handoff"),) and outcome.handoff_reason == "verification_failed"
    assert outcome.slots.failed_verifications == 0 and outcome.slots.goal is None


async def test_verify_no_drops_the_question(desk: Desk) -> None:
    await desk.send("status", IntentName.BOOKING_STATUS)
    outcome = await desk.send("no, never mind", IntentName.DENY)
    assert outcome.replies == (en("ok_anything_else"),) and outcome.step is Step.IDLE


async def test_verify_a_new_request_to_manage_does_not_start_over(desk: Desk) -> None:
    await desk.send("status", IntentName.BOOKING_STATUS)
    outcome = await desk.send("I want to cancel", IntentName.CANCEL_BOOKING)
    assert outcome.replies == (en("ask_reference"),) and outcome.slots.goal == Goal.STATUS


# --- confirm_cancel -----------------------------------------------------------------------


async def test_cancel_is_confirmed_first(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.CANCEL_BOOKING)
    assert desk.step is Step.CONFIRM_CANCEL
    assert desk.slots.verified and desk.slots.booking_ref == booking.reference


async def test_confirm_cancel_yes_cancels_at_the_pms_and_records_it(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("yes", IntentName.AFFIRM)
    policy = await desk.facts.answer("cancellation_policy", "en")
    assert outcome.replies == (en("cancelled", reference=booking.reference, policy=policy),)
    assert outcome.step is Step.IDLE and outcome.slots.booking_ref is None
    assert (await desk.stored(booking.reference)).status == "cancelled"
    assert desk.pms.bookings[booking.pms_booking_id or ""].status == "cancelled"


async def test_confirm_cancel_no_keeps_the_booking(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("cancel_dropped", reference=booking.reference),)
    assert (await desk.stored(booking.reference)).status == "confirmed"


async def test_confirm_cancel_anything_else_asks_again(desk: Desk) -> None:
    await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("hmm", IntentName.INFORM)
    assert outcome.replies == (en("clarify_yes_no"),) and outcome.step is Step.CONFIRM_CANCEL


async def test_confirm_cancel_with_the_pms_down_goes_to_staff(desk: Desk) -> None:
    await _verified(desk, IntentName.CANCEL_BOOKING)
    desk.pms.down = True
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("handoff_pms"),) and outcome.handoff_reason == "pms_unavailable"


async def test_cancelling_a_cancelled_booking_says_so(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.reservations.cancel(booking.reference)
    outcome = await desk.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    assert outcome.replies == (en("already_cancelled", reference=booking.reference),)
    assert outcome.slots.goal is None and outcome.step is Step.IDLE


# --- modify_what --------------------------------------------------------------------------


async def test_modify_starts_from_the_booking_as_it_is(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    assert desk.step is Step.MODIFY_WHAT
    s = desk.slots
    assert (s.check_in, s.check_out, s.adults, s.room_type_id) == ("2030-06-10", "2030-06-13", 2, 1)
    assert s.booking_ref == booking.reference


async def test_modify_what_new_dates_are_quoted_for_confirmation(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("move it to June 20", check_in=date(2030, 6, 20))
    assert outcome.replies == (
        en("confirm_modify", room="Standard Double", stay=LATER, party=TWO_ADULTS, total="USD 300.00", fees_note=""),
    )
    assert outcome.step is Step.CONFIRM_MODIFY and outcome.slots.check_out == "2030-06-23"


async def test_modify_a_fee_the_pms_adds_is_in_the_new_total_and_the_one_told_after(desk: Desk) -> None:
    desk.pms.fees = (Fee("Internet Handling Charges", Decimal("26.00"), "booking"),)
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("move it to June 20", check_in=date(2030, 6, 20))
    [said] = outcome.replies
    assert "New total USD 326.00 (including Internet Handling Charges USD 26.00)." in said
    done = await desk.send("yes", IntentName.AFFIRM)
    assert done.replies == (
        en(
            "modified",
            reference=booking.reference,
            room="Standard Double",
            stay=LATER,
            party=TWO_ADULTS,
            total="USD 326.00",
        ),
    )


async def test_modify_what_dates_without_rooms_are_refused(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    desk.pms.free[1] = 0
    outcome = await desk.send("June 20", check_in=date(2030, 6, 20))
    assert outcome.replies == (en("modify_unavailable"),) and outcome.step is Step.MODIFY_WHAT


async def test_modify_what_an_unclear_answer_asks_again(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("hmm", IntentName.OUT_OF_SCOPE, confidence=0.2)
    assert outcome.replies == (en("clarify_modify", reference=booking.reference),)


async def test_modify_what_no_keeps_the_booking(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("modify_dropped", reference=booking.reference),) and outcome.step is Step.IDLE


# --- confirm_modify -----------------------------------------------------------------------


async def test_confirm_modify_yes_changes_the_booking(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (
        en(
            "modified",
            reference=booking.reference,
            room="Standard Double",
            stay=LATER,
            party=TWO_ADULTS,
            total="USD 300.00",
        ),
    )
    assert outcome.step is Step.IDLE
    stored = await desk.stored(booking.reference)
    assert (stored.check_in, stored.check_out) == (date(2030, 6, 20), date(2030, 6, 23))


async def test_confirm_modify_another_change_is_quoted_again(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("and just one adult", adults=1)
    assert outcome.replies == (
        en(
            "confirm_modify",
            room="Standard Double",
            stay=LATER,
            party=party_text(1, 0, 1, "en"),
            total="USD 300.00",
            fees_note="",
        ),
    )
    assert outcome.step is Step.CONFIRM_MODIFY


async def test_confirm_modify_no_keeps_the_booking(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("modify_dropped", reference=booking.reference),)
    assert (await desk.stored(booking.reference)).check_in == ARRIVAL


async def test_confirm_modify_anything_else_asks_again(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("hmm")
    assert outcome.replies == (en("clarify_yes_no"),) and outcome.step is Step.CONFIRM_MODIFY


async def test_confirm_modify_refused_by_the_pms_asks_for_another_change(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    desk.pms.free[1] = 0
    # Two rooms over the same nights: not quoted live, but the PMS decides when it is made.
    await desk.send("two rooms", rooms=2)
    assert desk.step is Step.CONFIRM_MODIFY
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("modify_unavailable"),) and outcome.step is Step.MODIFY_WHAT


async def test_verify_no_after_the_reference_keeps_the_booking(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send("cancel it", IntentName.CANCEL_BOOKING, booking_ref=booking.reference)
    outcome = await desk.send("no, leave it", IntentName.DENY)
    assert outcome.replies == (en("cancel_dropped", reference=booking.reference),) and outcome.step is Step.IDLE


async def test_the_status_names_the_room_by_id_while_the_pms_is_down(desk: Desk) -> None:
    booking = await desk.booked()
    desk.pms.down = True
    outcome = await desk.send(
        "status", IntentName.BOOKING_STATUS, booking_ref=booking.reference, email="ana@example.com"
    )
    assert outcome.replies == (
        en("status", reference=booking.reference, room="#1", stay=STAY, party=TWO_ADULTS, status="confirmed"),
    )


async def test_modify_what_with_the_pms_down_goes_to_staff(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    desk.pms.down = True
    outcome = await desk.send("June 20", check_in=date(2030, 6, 20))
    assert outcome.replies == (en("handoff_pms"),) and outcome.handoff_reason == "pms_unavailable"


async def test_confirm_modify_with_the_pms_down_goes_to_staff(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    desk.pms.down = True
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("handoff_pms"),) and outcome.handoff_reason == "pms_unavailable"


async def test_a_pending_booking_cannot_be_changed_yet(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    desk.pms.down = True
    pending = await desk.booked()
    desk.pms.down = False
    await desk.send("change", IntentName.MODIFY_BOOKING, booking_ref=pending.reference, email="ana@example.com")
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (
        en("booking_refused", reason="the booking is still pending confirmation and cannot be changed yet"),
    )
    assert outcome.step is Step.IDLE and (await desk.stored(pending.reference)).check_in == ARRIVAL
