"""The booking flow, step by step: idle → ask_stay → choose_room → ask_guest → confirm_booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from agente.conversation.dialogue.state import Goal, Step
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_stay, party_text
from agente.pms.errors import PmsRejectedError
from agente.pms.types import Booking, BookingRequest, Fee
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en, room

STAY = format_stay(ARRIVAL, DEPARTURE, "en")
TWO_ADULTS = party_text(2, 0, 1, "en")
QUOTE = (
    en("quote_header", stay=STAY, party=TWO_ADULTS),
    "1. Standard Double: USD 100.00 per night, total USD 300.00",
    "2. Family Room: USD 150.00 per night, total USD 450.00",
    "3. Junior Suite: USD 220.00 per night, total USD 660.00",
    en("quote_footer"),
)


# --- idle ---------------------------------------------------------------------------------


async def test_idle_a_request_without_dates_asks_for_them(desk: Desk) -> None:
    outcome = await desk.send("do you have rooms?", IntentName.CHECK_AVAILABILITY)
    assert outcome.replies == (en("ask_dates"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.goal == Goal.QUOTE


async def test_idle_a_full_request_is_quoted_with_the_pms_prices(desk: Desk) -> None:
    outcome = await desk.quoted()
    assert outcome.replies == QUOTE
    assert outcome.step is Step.CHOOSE_ROOM
    s = outcome.slots
    assert (s.check_in, s.check_out, s.adults) == ("2030-06-10", "2030-06-13", 2)
    assert [(q.room_type_id, q.nightly, q.total) for q in s.quote] == [
        (1, "100.00", "300.00"),
        (2, "150.00", "450.00"),
        (3, "220.00", "660.00"),
    ]
    assert s.quote_currency == "USD" and s.quote_stale is False


async def test_idle_booking_a_named_room_goes_straight_to_the_guest_details(desk: Desk) -> None:
    outcome = await desk.send(
        "book the junior suite for 2, June 10 to 13",
        IntentName.BOOK_ROOM,
        check_in=ARRIVAL,
        check_out=DEPARTURE,
        adults=2,
        room_type=room(3, "junior suite"),
    )
    assert outcome.replies == (*QUOTE[:4], en("ask_name", room="Junior Suite"))
    assert outcome.step is Step.ASK_GUEST
    assert outcome.slots.goal == Goal.BOOK and outcome.slots.room_type_id == 3


async def test_idle_dates_in_a_message_the_classifier_doubts_are_a_request(desk: Desk) -> None:
    outcome = await desk.send("June 10-13?", IntentName.OUT_OF_SCOPE, confidence=0.2, check_in=ARRIVAL)
    assert outcome.replies == (en("ask_check_out", check_in="June 10"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.check_in == "2030-06-10"


async def test_idle_past_dates_are_refused(desk: Desk) -> None:
    outcome = await desk.send(
        "March 1 to 3", IntentName.CHECK_AVAILABILITY, check_in=date(2030, 3, 1), dates_in_past=True
    )
    assert outcome.replies == (en("dates_in_past", day="March 1"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.check_in is None


async def test_idle_a_stay_too_long_goes_to_staff(desk: Desk) -> None:
    outcome = await desk.send(
        "two months", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, check_out=date(2030, 8, 10), adults=2
    )
    assert outcome.replies == (en("too_long", max_nights=30),)
    assert outcome.step is Step.IDLE and outcome.handoff_reason == "long_stay"
    assert outcome.slots.handoff_reason == "long_stay"


async def test_idle_a_greeting_names_the_hotel(desk: Desk) -> None:
    outcome = await desk.send("hello", IntentName.GREET)
    assert outcome.replies == (en("greet", hotel="Hotel Prueba"),)
    assert outcome.step is Step.IDLE


async def test_idle_no_with_nothing_booked_is_acknowledged(desk: Desk) -> None:
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("booking_dropped"),) and outcome.step is Step.IDLE


async def test_idle_no_availability_asks_for_other_dates(desk: Desk) -> None:
    desk.pms.free = dict.fromkeys(desk.pms.free, 0)
    outcome = await desk.quoted()
    assert outcome.replies == (en("no_availability", stay=STAY, party=TWO_ADULTS),)
    assert outcome.step is Step.ASK_STAY
    assert outcome.slots.check_in is None and outcome.slots.quote == []


async def test_idle_the_pms_down_hands_over_to_staff(desk: Desk) -> None:
    desk.pms.down = True
    outcome = await desk.quoted()
    assert outcome.replies == (en("handoff_pms"),)
    assert outcome.handoff_reason == "pms_unavailable" and outcome.step is Step.IDLE


async def test_idle_a_quote_is_counted_as_live(desk: Desk) -> None:
    await desk.quoted()
    assert desk.metrics.quotes.labels("live")._value.get() == 1


# --- ask_stay -----------------------------------------------------------------------------


async def test_ask_stay_the_party_completes_the_stay_and_it_is_quoted(desk: Desk) -> None:
    await desk.send("rooms for June 10 to 13?", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, check_out=DEPARTURE)
    assert desk.step is Step.ASK_STAY
    outcome = await desk.send("2 adults", adults=2)
    assert outcome.replies == QUOTE and outcome.step is Step.CHOOSE_ROOM


async def test_ask_stay_nights_after_an_arrival_give_the_departure(desk: Desk) -> None:
    await desk.send("from June 10", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL)
    outcome = await desk.send("3 nights", nights=3)
    assert outcome.replies == (en("ask_party"),)
    assert outcome.slots.check_out == "2030-06-13" and outcome.step is Step.ASK_STAY


async def test_ask_stay_no_drops_the_request(desk: Desk) -> None:
    await desk.send("from June 10", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL)
    outcome = await desk.send("no, forget it", IntentName.DENY)
    assert outcome.replies == (en("booking_dropped"),)
    assert outcome.step is Step.IDLE and outcome.slots.check_in is None and outcome.slots.goal is None


async def test_ask_stay_asking_again_repeats_the_missing_question(desk: Desk) -> None:
    await desk.send("a room please", IntentName.BOOK_ROOM)
    outcome = await desk.send("I want a room", IntentName.BOOK_ROOM)
    assert outcome.replies == (en("ask_dates"),) and outcome.step is Step.ASK_STAY


async def test_ask_stay_an_unclear_answer_asks_again(desk: Desk) -> None:
    await desk.send("from June 10 to 13", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, check_out=DEPARTURE)
    outcome = await desk.send("hmm", IntentName.OUT_OF_SCOPE, confidence=0.3)
    assert outcome.replies == (en("clarify_party"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.misunderstood == 1 and not outcome.understood


# --- choose_room --------------------------------------------------------------------------


async def test_choose_room_by_number(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("2")
    assert outcome.replies == (en("ask_name", room="Family Room"),)
    assert outcome.step is Step.ASK_GUEST and outcome.slots.room_type_id == 2 and outcome.slots.goal == Goal.BOOK


async def test_choose_room_by_ordinal(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the third one")
    assert outcome.slots.room_type_id == 3 and outcome.step is Step.ASK_GUEST


async def test_choose_room_by_a_word_of_its_name_read_in_context(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("suite", IntentName.OUT_OF_SCOPE, confidence=0.4)
    assert outcome.replies == (en("ask_name", room="Junior Suite"),)
    assert outcome.slots.room_type_id == 3
    # The classifier could not place "suite"; answering a quote, it chooses a room.
    assert outcome.intent is IntentName.INFORM


async def test_choose_room_by_the_room_type_found_in_the_message(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the family one", room_type=room(2, "family"))
    assert outcome.replies == (en("ask_name", room="Family Room"),) and outcome.step is Step.ASK_GUEST


async def test_choose_room_a_new_party_is_quoted_again(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("actually 3 adults", adults=3)
    # Only the Family Room takes three adults.
    assert outcome.replies == (
        en("quote_header", stay=STAY, party=party_text(3, 0, 1, "en")),
        "1. Family Room: USD 150.00 per night, total USD 450.00",
        en("quote_footer"),
    )
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.adults == 3


async def test_choose_room_a_room_not_quoted_is_dropped(desk: Desk) -> None:
    await desk.quoted(adults=3)
    outcome = await desk.send("the suite", room_type=room(3, "suite"))
    assert outcome.slots.room_type_id is None
    assert outcome.replies == (en("clarify_room", count=1, names="Family Room"),)


async def test_choose_room_thanks_is_answered_and_the_quote_kept(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("thanks", IntentName.THANKS)
    assert outcome.replies == (en("thanks"),)
    assert outcome.step is Step.CHOOSE_ROOM and len(outcome.slots.quote) == 3


# --- ask_guest ----------------------------------------------------------------------------


async def test_ask_guest_a_bare_name_then_email_then_phone(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("ana garcia")
    assert outcome.replies == (en("ask_email"),) and outcome.slots.guest_name == "Ana Garcia"
    outcome = await desk.send("ana@example.com", email="ana@example.com")
    assert outcome.replies == (en("ask_phone"),) and outcome.slots.email == "ana@example.com"
    outcome = await desk.send("+34 600 111 222", phone="+34600111222")
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.phone == "+34600111222"


async def test_ask_guest_every_detail_at_once_is_summarised(desk: Desk) -> None:
    outcome = await desk.at_summary()
    assert outcome.replies == (
        en(
            "confirm_booking",
            room="Standard Double",
            stay=STAY,
            party=TWO_ADULTS,
            total="USD 300.00",
            fees_note="",
            stale_note="",
            name="Ana Garcia",
            email="ana@example.com",
            phone="+34 600 11 12 22",
        ),
    )
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.phone == "+34600111222"


async def test_ask_guest_an_invalid_email_is_asked_again(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("Ana, ana@example", guest_name="Ana", email="ana@example")
    assert outcome.replies == (en("invalid_email"),)
    assert outcome.step is Step.ASK_GUEST and outcome.slots.email is None and outcome.slots.guest_name == "Ana"


async def test_ask_guest_an_invalid_phone_is_asked_again(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("Ana ana@example.com 123", guest_name="Ana", email="ana@example.com", phone="123")
    assert outcome.replies == (en("invalid_phone"),) and outcome.slots.phone is None


async def test_ask_guest_a_chat_word_is_not_a_name(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("ok", IntentName.AFFIRM)
    assert outcome.replies == (en("clarify"), en("ask_name", room="Standard Double"))
    assert outcome.slots.guest_name is None and outcome.step is Step.ASK_GUEST


async def test_ask_guest_another_room_of_the_quote_is_taken(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("the suite instead", room_type=room(3, "suite"))
    assert outcome.replies == (en("ask_name", room="Junior Suite"),) and outcome.slots.room_type_id == 3


async def test_ask_guest_contact_details_with_an_angry_word_are_details(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("Terrible Smith", IntentName.OUT_OF_SCOPE, guest_name="Terrible Smith")
    assert outcome.handoff_reason is None and outcome.slots.guest_name == "Terrible Smith"
    assert outcome.replies == (en("ask_email"),)


# --- confirm_booking ----------------------------------------------------------------------


async def test_confirm_booking_yes_books_at_the_pms_and_records_it(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("yes", IntentName.AFFIRM)
    reference = outcome.slots.last_reference
    assert reference is not None
    assert outcome.replies == (
        en("booked", reference=reference, room="Standard Double", stay=STAY, total="USD 300.00"),
    )
    assert outcome.step is Step.IDLE and outcome.slots.attempt == 1
    assert outcome.slots.quote == [] and outcome.slots.check_in is None and outcome.slots.guest_name == "Ana Garcia"
    stored = await desk.stored(reference)
    assert stored.status == "confirmed" and stored.pms_booking_id in desk.pms.bookings
    assert stored.session_id == desk.session_id and (stored.adults, stored.rooms) == (2, 1)


async def test_a_fee_the_pms_adds_is_in_every_total_told(desk: Desk) -> None:
    desk.pms.fees = (Fee("Internet Handling Charges", Decimal("26.00"), "booking"),)
    quote = await desk.quoted()
    assert quote.replies[1] == (
        "1. Standard Double: USD 100.00 per night, USD 300.00 for the stay + Internet Handling Charges USD 26.00, "
        "total USD 326.00"
    )
    await desk.send("1")
    summary = await desk.send(
        "Ana Garcia, ana@example.com, +34 600 111 222",
        guest_name="Ana Garcia",
        email="ana@example.com",
        phone="+34 600 111 222",
    )
    [said] = summary.replies
    assert "Total USD 326.00 (including Internet Handling Charges USD 26.00)." in said
    outcome = await desk.send("yes", IntentName.AFFIRM)
    reference = outcome.slots.last_reference
    assert reference is not None
    assert outcome.replies == (
        en("booked", reference=reference, room="Standard Double", stay=STAY, total="USD 326.00"),
    )
    stored = await desk.stored(reference)
    assert stored.quoted_total == stored.total_price == Decimal("326.00")


async def test_confirm_booking_with_the_pms_down_and_fallback_on_is_pending(desk: Desk) -> None:
    await desk.flags.set("pms.fallback.enabled", True)
    await desk.at_summary()
    desk.pms.down = True
    outcome = await desk.send("yes", IntentName.AFFIRM)
    reference = outcome.slots.last_reference
    assert reference is not None
    assert outcome.replies == (en("booked_pending", reference=reference),) and outcome.step is Step.IDLE
    assert (await desk.stored(reference)).status == "pending"


async def test_confirm_booking_with_the_pms_down_and_fallback_off_goes_to_staff(desk: Desk) -> None:
    await desk.at_summary()
    desk.pms.down = True
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("handoff_pms"),) and outcome.handoff_reason == "pms_unavailable"


async def test_confirm_booking_with_bookings_switched_off_goes_to_staff(desk: Desk) -> None:
    await desk.at_summary()
    await desk.flags.set("bookings.enabled", False)
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("handoff_bookings_off"),) and outcome.handoff_reason == "bookings_disabled"


async def test_confirm_booking_a_room_taken_meanwhile_is_quoted_again(desk: Desk) -> None:
    await desk.at_summary()
    desk.pms.free[1] = 0
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies[0] == en("rooms_gone")
    assert outcome.replies[2] == "1. Family Room: USD 150.00 per night, total USD 450.00"
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.room_type_id is None


async def test_confirm_booking_anything_but_yes_or_no_asks_again(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("hmm", IntentName.INFORM)
    assert outcome.replies == (en("clarify_yes_no"),) and outcome.step is Step.CONFIRM_BOOKING
    assert not outcome.understood and outcome.slots.misunderstood == 1


async def test_confirm_booking_no_drops_it(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("booking_dropped"),)
    assert outcome.step is Step.IDLE and outcome.slots.quote == [] and desk.pms.bookings == {}


async def test_confirm_booking_a_repeated_yes_books_once(desk: Desk) -> None:
    await desk.at_summary()
    summary = (desk.step, desk.slots)
    first = await desk.send("yes", IntentName.AFFIRM)
    desk.step, desk.slots = summary  # the same message delivered again, on the state it found
    again = await desk.send("yes", IntentName.AFFIRM)
    assert again.slots.last_reference == first.slots.last_reference and len(desk.pms.bookings) == 1


async def test_a_stale_quote_is_marked_in_the_summary(desk: Desk) -> None:
    await desk.quoted()
    # Prices the PMS did not give live (its last known ones, while it cannot be asked).
    desk.slots = replace(desk.slots, quote_stale=True)
    await desk.send("1")
    outcome = await desk.send("Ana, ana@example.com, +34 600 111 222", email="ana@example.com", phone="+34600111222")
    assert outcome.step is Step.CONFIRM_BOOKING
    assert "Total USD 300.00 (price to be confirmed). Under Ana" in outcome.replies[0]


async def test_ask_stay_a_departure_before_the_arrival_asks_for_the_dates_again(desk: Desk) -> None:
    outcome = await desk.send(
        "June 13 to 10", IntentName.CHECK_AVAILABILITY, check_in=DEPARTURE, check_out=ARRIVAL, adults=2
    )
    assert outcome.replies == (en("ask_dates"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.check_in is None and outcome.slots.check_out is None


async def test_choose_room_a_number_not_in_the_quote_chooses_nothing(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("7")
    names = "Standard Double, Family Room, Junior Suite"
    assert outcome.replies == (en("clarify_room", count=3, names=names),) and outcome.step is Step.CHOOSE_ROOM


async def test_confirm_booking_refused_by_the_pms_says_why(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(request: BookingRequest) -> Booking:
        raise PmsRejectedError("the hotel is closed for works")

    await desk.at_summary()
    monkeypatch.setattr(desk.pms, "create_booking", refuse)
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.replies == (en("booking_refused", reason="the hotel is closed for works"),)
    assert outcome.step is Step.IDLE and outcome.slots.last_reference is None
