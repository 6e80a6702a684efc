"""Managing a booking: verify → status; confirm_cancel; modify_what → confirm_modify."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from pytest import MonkeyPatch

from agente.conversation.dialogue.state import Goal, Step
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_stay, party_text
from agente.pms.types import BookingRequest, Fee, GuestDetails, HotelInfo, StayQuery
from agente.storage.repositories.bookings import StoredBooking
from tests.fakes.pms import HOTEL
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en

STAY = format_stay(ARRIVAL, DEPARTURE, "en")
TWO_ADULTS = party_text(2, 0, 1, "en")
LATER = format_stay(date(2030, 6, 20), date(2030, 6, 23), "en")
FREE_UNTIL_JUNE_8 = (
    "No cancellation fee applies to this booking: cancellation is free until June 8 at 15:00 (48 hours before arrival)."
)


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
    # The hotel's 48 hours before a 15:00 arrival on June 10; today is May 2.
    assert outcome.replies == (en("cancelled", reference=booking.reference, fee=FREE_UNTIL_JUNE_8),)
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


# --- verified once per session ----------------------------------------------------------------


async def _booked_for(desk: Desk, check_in: date, check_out: date) -> StoredBooking:
    request = BookingRequest(
        StayQuery(check_in, check_out, adults=2),
        1,
        GuestDetails("Ana", "Garcia", "ana@example.com", "+34600111222"),
        idempotency_key=f"{check_in}:{check_out}",
    )
    return await desk.reservations.reserve(request)


async def test_a_booking_checked_is_cancelled_without_being_verified_again(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.BOOKING_STATUS)
    assert desk.step is Step.IDLE
    outcome = await desk.send("ok then cancel it please", IntentName.CANCEL_BOOKING)
    assert outcome.step is Step.CONFIRM_CANCEL and outcome.slots.booking_ref == booking.reference
    assert outcome.replies == (
        en("confirm_cancel", reference=booking.reference, room="Standard Double", stay=STAY, fee=FREE_UNTIL_JUNE_8),
    )


async def test_a_booking_checked_is_named_again_without_its_email(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.BOOKING_STATUS)
    outcome = await desk.send("change booking", IntentName.MODIFY_BOOKING, booking_ref=booking.reference)
    assert outcome.step is Step.MODIFY_WHAT


async def test_the_email_given_before_the_reference_is_kept(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send("I want to cancel", IntentName.CANCEL_BOOKING)
    first = await desk.send("my email is ana@example.com", email="ana@example.com")
    assert first.replies == (en("ask_reference_only"),)
    outcome = await desk.send(booking.reference, booking_ref=booking.reference)
    assert outcome.step is Step.CONFIRM_CANCEL


async def test_a_reference_alone_with_no_contact_known_asks_for_one(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send("status", IntentName.BOOKING_STATUS)
    outcome = await desk.send(booking.reference, booking_ref=booking.reference)
    assert outcome.replies == (en("ask_verification"),) and outcome.slots.failed_verifications == 0


async def test_a_booking_made_in_the_session_needs_no_email_to_be_cancelled(desk: Desk) -> None:
    await desk.at_summary()
    reference = (await desk.send("yes", IntentName.AFFIRM)).slots.last_reference
    assert reference is not None
    outcome = await desk.send(f"cancel {reference}", IntentName.CANCEL_BOOKING, booking_ref=reference)
    assert outcome.step is Step.CONFIRM_CANCEL


# --- confirm_cancel in the guest's words, and its fee ----------------------------------------


async def test_confirm_cancel_cancel_it_in_words_cancels(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("sí, cancélala", IntentName.CANCEL_BOOKING, language="es")
    assert outcome.step is Step.IDLE and (await desk.stored(booking.reference)).status == "cancelled"
    assert "Hecho" in outcome.replies[0]


async def test_confirm_cancel_keep_it_keeps_it_whatever_the_classifier_says(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("keep it", IntentName.AFFIRM)
    assert outcome.replies == (en("cancel_dropped", reference=booking.reference),)
    assert (await desk.stored(booking.reference)).status == "confirmed"


async def test_the_cancelled_reply_does_not_recite_the_policy_nor_offer_to_cancel_again(desk: Desk) -> None:
    await _verified(desk, IntentName.CANCEL_BOOKING)
    outcome = await desk.send("yes", IntentName.AFFIRM)
    policy = await desk.facts.answer("cancellation_policy", "en")
    assert policy is not None and "I can help you here" in policy
    assert "I can help you here" not in outcome.replies[0] and outcome.replies[0].endswith(FREE_UNTIL_JUNE_8)


async def test_a_booking_arriving_tomorrow_is_charged(desk: Desk) -> None:
    booking = await _booked_for(desk, date(2030, 5, 3), date(2030, 5, 5))
    outcome = await desk.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    due = en("cancel_fee_due", deadline=en("day_at", day="May 1", time="15:00"), hours=48, charge="the first night")
    assert due in outcome.replies[0]


async def test_a_booking_whose_free_cancellation_ends_today_says_until_when(desk: Desk) -> None:
    booking = await _booked_for(desk, date(2030, 5, 4), date(2030, 5, 5))
    outcome = await desk.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    assert en("cancel_fee_today", time="15:00", hours=48, charge="the first night") in outcome.replies[0]


async def test_without_a_policy_the_fee_is_not_invented() -> None:
    desk = Desk()  # no facts, and the fake PMS states no policy
    booking = await desk.booked()
    outcome = await desk.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    assert en("cancel_fee_unknown") in outcome.replies[0]


async def test_the_pms_policy_text_is_read_when_the_facts_have_none(desk: Desk, monkeypatch: MonkeyPatch) -> None:
    fresh = Desk()

    async def hotel() -> HotelInfo:
        return replace(HOTEL, policies="Free cancellation until 3 days before arrival, then the whole stay is due.")

    monkeypatch.setattr(fresh.pms, "hotel", hotel)
    booking = await _booked_for(fresh, date(2030, 5, 4), date(2030, 5, 6))
    outcome = await fresh.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    due = en("cancel_fee_due", deadline=en("day_at", day="May 1", time="15:00"), hours=72, charge="the whole stay")
    assert due in outcome.replies[0]


async def test_a_policy_that_cannot_be_read_is_quoted_and_not_judged(desk: Desk) -> None:
    await desk.facts.put(
        "cancellation_policy", "Consulte en recepción.", "Please ask reception about cancellations.", None, "test"
    )
    booking = await desk.booked()
    outcome = await desk.send(
        "cancel", IntentName.CANCEL_BOOKING, booking_ref=booking.reference, email="ana@example.com"
    )
    assert en("cancel_fee_policy", policy="Please ask reception about cancellations.") in outcome.replies[0]


# --- the change flow in the guest's words --------------------------------------------------------


async def test_modify_what_the_dates_asks_for_the_new_dates(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("the dates", IntentName.MODIFY_BOOKING)
    assert outcome.replies == (en("modify_ask_dates"),) and outcome.step is Step.MODIFY_WHAT
    outcome = await desk.send("20 to 23 june", check_in=date(2030, 6, 20), check_out=date(2030, 6, 23))
    assert outcome.step is Step.CONFIRM_MODIFY


async def test_modify_what_the_number_of_guests_asks_for_the_party(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("el numero de personas", language="es")
    assert outcome.step is Step.MODIFY_WHAT and "personas" in outcome.replies[0]


async def test_modify_what_one_more_night_extends_the_stay(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("una noche mas", language="es", nights=1)
    assert outcome.step is Step.CONFIRM_MODIFY
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-06-10", "2030-06-14")


async def test_modify_what_arriving_a_day_later_moves_the_arrival(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("we'd arrive a day later")
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-06-11", "2030-06-13")


async def test_modify_what_leaving_two_days_earlier_shortens_the_stay(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("salimos 2 dias antes", language="es")
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-06-10", "2030-06-11")


async def test_confirm_modify_change_it_in_words_changes_it(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("yes, change it", IntentName.MODIFY_BOOKING)
    assert outcome.step is Step.IDLE
    assert (await desk.stored(booking.reference)).check_in == date(2030, 6, 20)


async def test_confirm_modify_keep_it_as_it_is_keeps_it(desk: Desk) -> None:
    booking = await _verified(desk, IntentName.MODIFY_BOOKING)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("mejor déjala como está", IntentName.INFORM, language="es")
    assert outcome.step is Step.IDLE and (await desk.stored(booking.reference)).check_in == ARRIVAL


async def test_a_reference_alone_at_idle_asks_about_its_booking(desk: Desk) -> None:
    booking = await desk.booked()
    outcome = await desk.send(f"whats the status of {booking.reference}", booking_ref=booking.reference)
    assert outcome.replies == (en("ask_verification"),) and outcome.slots.goal == Goal.STATUS


async def test_a_change_said_with_the_request_is_quoted_at_once(desk: Desk) -> None:
    booking = await desk.booked()
    outcome = await desk.send(
        "can I change AH… to June 20? email ana@example.com",
        IntentName.MODIFY_BOOKING,
        booking_ref=booking.reference,
        email="ana@example.com",
        check_in=date(2030, 6, 20),
    )
    assert outcome.replies == (
        en("confirm_modify", room="Standard Double", stay=LATER, party=TWO_ADULTS, total="USD 300.00", fees_note=""),
    )


async def test_a_party_the_room_cannot_take_is_said_before_the_pms_refuses_it(desk: Desk) -> None:
    await _verified(desk, IntentName.MODIFY_BOOKING)
    outcome = await desk.send("we are 4 adults now", adults=4)
    assert outcome.replies == (
        en("modify_party_does_not_fit", room="Standard Double", party=party_text(4, 0, 1, "en")),
    )
    assert outcome.step is Step.MODIFY_WHAT
