"""Each step reads a message first as the answer to its own question, then as anything else.

Messages are handed over as the classifier would read them alone (a bare "2" is "inform"
with no entities, "sí, cancélala" is a request to cancel): the step's reading decides.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from agente.conversation.dialogue.engine import MAX_MISUNDERSTOOD
from agente.conversation.dialogue.state import Step
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_stay, party_text
from agente.storage.repositories.bookings import StoredBooking
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en

STAY = format_stay(ARRIVAL, DEPARTURE, "en")


async def _party_asked(desk: Desk) -> None:
    await desk.send("June 10 to 13", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, check_out=DEPARTURE)
    assert desk.step is Step.ASK_STAY and desk.slots.adults is None


# --- ask_stay: how many? ------------------------------------------------------------------


async def test_ask_stay_a_bare_number_is_the_party(desk: Desk) -> None:
    await _party_asked(desk)
    outcome = await desk.send("2")
    assert outcome.replies[0] == en("quote_header", stay=STAY, party=party_text(2, 0, 1, "en"))
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.adults == 2


async def test_ask_stay_a_number_in_words_with_chat_around_it_is_the_party(desk: Desk) -> None:
    await _party_asked(desk)
    # The classifier could not place it, and the date grammar would have it as a day.
    outcome = await desk.send("solo tres, gracias", IntentName.THANKS, language="es", check_in=date(2030, 6, 3))
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.adults == 3
    assert outcome.slots.check_in == "2030-06-10" and outcome.intent is IntentName.INFORM


async def test_ask_stay_a_number_joined_to_children_is_the_adults(desk: Desk) -> None:
    await _party_asked(desk)
    # The party grammar reads only the child: alone, the "2" has no word to say what it counts.
    outcome = await desk.send("2 y un niño de 3", language="es", children=1)
    assert outcome.step is Step.CHOOSE_ROOM
    assert (outcome.slots.adults, outcome.slots.children) == (2, 1)


async def test_ask_stay_a_bare_number_is_no_party_while_the_dates_are_asked(desk: Desk) -> None:
    await desk.send("a room please", IntentName.BOOK_ROOM)
    outcome = await desk.send("2")
    assert outcome.slots.adults is None and outcome.replies == (en("clarify_dates"),)


async def test_ask_stay_an_unclear_party_answer_says_what_it_can_take(desk: Desk) -> None:
    await _party_asked(desk)
    outcome = await desk.send("it depends", IntentName.OUT_OF_SCOPE, confidence=0.3)
    assert outcome.replies == (en("clarify_party"),) and not outcome.understood


# --- choose_room: by number, name, ordinal or what the room is -------------------------------


async def test_choose_room_the_cheapest(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the cheapest one pls")
    assert outcome.replies == (en("ask_name", room="Standard Double"),) and outcome.slots.room_type_id == 1


async def test_choose_room_la_mas_economica(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("pues la más económica", IntentName.OUT_OF_SCOPE, confidence=0.4, language="es")
    assert outcome.slots.room_type_id == 1 and outcome.step is Step.ASK_GUEST
    assert outcome.intent is IntentName.INFORM


async def test_choose_room_the_most_expensive(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the most expensive")
    assert outcome.slots.room_type_id == 3


async def test_choose_room_the_biggest_is_the_one_that_takes_the_most(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the biggest one")
    assert outcome.replies == (en("ask_name", room="Family Room"),)


async def test_choose_room_the_smallest(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("la más pequeña", language="es")
    assert outcome.slots.room_type_id == 3


async def test_choose_room_the_one_for_four_keeps_the_party(desk: Desk) -> None:
    await desk.quoted()
    # As the grammars read it alone: four adults and a day.
    outcome = await desk.send("the one for 4", adults=4, check_in=date(2030, 6, 4))
    assert outcome.replies == (en("ask_name", room="Family Room"),)
    assert (outcome.slots.adults, outcome.slots.check_in) == (2, "2030-06-10")


async def test_choose_room_a_choice_with_thanks_is_a_choice(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("the 2nd one, thanks!", IntentName.THANKS)
    assert outcome.replies == (en("ask_name", room="Family Room"),)


async def test_choose_room_yes_takes_the_only_room_quoted(desk: Desk) -> None:
    await desk.quoted(adults=3)
    outcome = await desk.send("yes please", IntentName.AFFIRM)
    assert outcome.replies == (en("ask_name", room="Family Room"),)


async def test_choose_room_a_correction_of_the_party_still_quotes_again(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("mejor 3 adultos", adults=3, language="es")
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.adults == 3 and len(outcome.slots.quote) == 1


async def test_choose_room_by_size_needs_the_sizes_of_the_quote(desk: Desk) -> None:
    await desk.quoted()
    # A quote kept before the sizes of the rooms were.
    desk.slots = replace(desk.slots, quote=[replace(q, max_adults=None, max_children=None) for q in desk.slots.quote])
    outcome = await desk.send("the biggest one")
    names = "Standard Double, Family Room, Junior Suite"
    assert outcome.replies == (en("clarify_room", count=3, names=names),) and outcome.slots.room_type_id is None


async def test_choose_room_a_question_about_the_hotel_is_answered(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("is breakfast included in the cheapest?", IntentName.FAQ, topic="breakfast")
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.room_type_id is None


# --- ask_guest: another room, by what it is -----------------------------------------------------


async def test_ask_guest_the_biggest_changes_the_room(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("actually the biggest one")
    assert outcome.replies == (en("ask_name", room="Family Room"),) and outcome.slots.room_type_id == 2


# --- confirm_booking: yes or no with words around it ----------------------------------------------


async def test_confirm_booking_yes_with_words_books(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("ok perfect book it", IntentName.BOOK_ROOM)
    assert outcome.step is Step.IDLE and outcome.slots.last_reference is not None and len(desk.pms.bookings) == 1
    assert outcome.intent is IntentName.AFFIRM


async def test_confirm_booking_dale_confirma_books(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("dale, confirma", IntentName.INFORM, confidence=0.4, language="es")
    assert len(desk.pms.bookings) == 1 and outcome.step is Step.IDLE


async def test_confirm_booking_no_with_words_drops_it(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("no mejor no", IntentName.INFORM, language="es")
    assert outcome.step is Step.IDLE and desk.pms.bookings == {} and outcome.slots.quote == []


async def test_confirm_booking_no_with_a_correction_quotes_again(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("no, better 3 adults", IntentName.DENY, adults=3)
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.adults == 3 and desk.pms.bookings == {}


async def test_confirm_booking_another_room_by_what_it_is_summarises_again(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("hmm ok, the most expensive then")
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.room_type_id == 3
    assert outcome.replies[0].startswith("Summary: Junior Suite") and desk.pms.bookings == {}


async def test_confirm_booking_another_room_by_its_place_in_the_quote_summarises_again(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("the second one then")
    assert outcome.step is Step.CONFIRM_BOOKING and outcome.slots.room_type_id == 2
    assert outcome.replies[0].startswith("Summary: ") and desk.pms.bookings == {}


async def test_confirm_booking_a_bare_number_is_no_room_choice(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("2")
    assert outcome.slots.room_type_id == 1 and outcome.replies == (en("clarify_yes_no"),)


async def test_confirm_booking_a_question_is_answered_not_taken_for_a_yes(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("ok but is breakfast included?", IntentName.FAQ, topic="breakfast")
    assert outcome.step is Step.CONFIRM_BOOKING and desk.pms.bookings == {}


async def test_confirm_booking_unclear_answers_say_yes_or_no_then_hand_over(desk: Desk) -> None:
    await desk.at_summary()
    for count in range(1, MAX_MISUNDERSTOOD):
        outcome = await desk.send("hmm let me see")
        assert outcome.replies == (en("clarify_yes_no"),) and outcome.slots.misunderstood == count
    outcome = await desk.send("hmm let me see")
    assert outcome.handoff_reason == "misunderstanding" and desk.pms.bookings == {}


# --- confirm_cancel ---------------------------------------------------------------------------


async def _asked_to_cancel(desk: Desk) -> StoredBooking:
    booking = await desk.booked()
    await desk.send(
        f"cancel {booking.reference} ana@example.com",
        IntentName.CANCEL_BOOKING,
        booking_ref=booking.reference,
        email="ana@example.com",
    )
    assert desk.step is Step.CONFIRM_CANCEL
    return booking


async def test_confirm_cancel_si_cancelala_cancels_without_verifying_again(desk: Desk) -> None:
    booking = await _asked_to_cancel(desk)
    # Alone, the classifier reads it as a new request to cancel.
    outcome = await desk.send("sí, cancélala", IntentName.CANCEL_BOOKING, language="es")
    assert outcome.step is Step.IDLE and outcome.intent is IntentName.AFFIRM
    assert (await desk.stored(booking.reference)).status == "cancelled"


async def test_confirm_cancel_yes_please_go_ahead_and_cancel_it(desk: Desk) -> None:
    booking = await _asked_to_cancel(desk)
    outcome = await desk.send("yes please, go ahead and cancel it", IntentName.CANCEL_BOOKING)
    assert (await desk.stored(booking.reference)).status == "cancelled"
    assert outcome.step is Step.IDLE and len(outcome.replies) == 1 and booking.reference in outcome.replies[0]


async def test_confirm_cancel_a_negated_cancel_keeps_the_booking(desk: Desk) -> None:
    booking = await _asked_to_cancel(desk)
    outcome = await desk.send("no no, no la canceles", IntentName.CANCEL_BOOKING, language="es")
    assert outcome.step is Step.IDLE and (await desk.stored(booking.reference)).status == "confirmed"


async def test_confirm_cancel_a_request_to_change_it_instead_is_a_new_request(desk: Desk) -> None:
    booking = await _asked_to_cancel(desk)
    outcome = await desk.send("actually can I change the dates instead?", IntentName.MODIFY_BOOKING)
    # The booking was verified for the cancellation: the change starts without asking again.
    assert outcome.step is Step.MODIFY_WHAT and (await desk.stored(booking.reference)).status == "confirmed"


# --- modify_what and confirm_modify -------------------------------------------------------------


async def _asked_what_to_change(desk: Desk) -> StoredBooking:
    booking = await desk.booked()
    await desk.send(
        f"change {booking.reference} ana@example.com",
        IntentName.MODIFY_BOOKING,
        booking_ref=booking.reference,
        email="ana@example.com",
    )
    assert desk.step is Step.MODIFY_WHAT
    return booking


async def test_modify_what_a_bare_number_is_the_new_party(desk: Desk) -> None:
    await _asked_what_to_change(desk)
    outcome = await desk.send("1")
    assert outcome.step is Step.CONFIRM_MODIFY and outcome.slots.adults == 1


async def test_confirm_modify_yes_with_words_changes_it(desk: Desk) -> None:
    booking = await _asked_what_to_change(desk)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("yes change it", IntentName.MODIFY_BOOKING)
    assert outcome.step is Step.IDLE
    assert (await desk.stored(booking.reference)).check_in == date(2030, 6, 20)


async def test_confirm_modify_no_with_other_dates_is_another_change(desk: Desk) -> None:
    booking = await _asked_what_to_change(desk)
    await desk.send("June 20", check_in=date(2030, 6, 20))
    outcome = await desk.send("no, better June 21", IntentName.DENY, check_in=date(2030, 6, 21))
    assert outcome.step is Step.CONFIRM_MODIFY and outcome.slots.check_in == "2030-06-21"
    assert (await desk.stored(booking.reference)).check_in == ARRIVAL
