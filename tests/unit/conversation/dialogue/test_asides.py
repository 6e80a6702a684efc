"""Questions beside the flow, at any step: the total, the hotel's facts, what the agent cannot do.

Each is answered and the step's question asked again, with the slots as they were.
"""

from __future__ import annotations

from datetime import date

from agente.conversation.dialogue.state import Goal, Step
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_stay, party_text
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en, room

STAY = format_stay(ARRIVAL, DEPARTURE, "en")
TWO_ADULTS = party_text(2, 0, 1, "en")


# --- the total --------------------------------------------------------------------------------


async def test_the_total_before_a_room_is_chosen_is_every_offers_total(desk: Desk) -> None:
    await desk.quoted()
    slots = desk.slots
    outcome = await desk.send("how much is it in total?", IntentName.CHECK_AVAILABILITY, asks_total=True)
    assert outcome.replies == (
        en("total_header", stay=STAY, party=TWO_ADULTS),
        "1. Standard Double: USD 300.00",
        "2. Family Room: USD 450.00",
        "3. Junior Suite: USD 660.00",
        en("resume", question=en("choose_again", count=3)),
    )
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots == slots


async def test_the_total_of_the_chosen_room_while_giving_details(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("2")
    outcome = await desk.send("y en total cuanto seria", IntentName.OUT_OF_SCOPE, asks_total=True)
    assert outcome.replies == (
        en("total_room", room="Family Room", stay=STAY, party=TWO_ADULTS, total="USD 450.00", stale_note=""),
        en("resume", question=en("ask_name", room="Family Room")),
    )
    assert outcome.step is Step.ASK_GUEST and outcome.slots.guest_name is None


async def test_the_total_at_the_summary_then_yes_books_it(desk: Desk) -> None:
    await desk.at_summary()
    outcome = await desk.send("total price pls", IntentName.CHECK_AVAILABILITY, confidence=0.3, asks_total=True)
    assert outcome.replies[0] == en(
        "total_room", room="Standard Double", stay=STAY, party=TWO_ADULTS, total="USD 300.00", stale_note=""
    )
    assert outcome.replies[1] == en("resume", question=en("confirm_yes_no"))
    assert outcome.step is Step.CONFIRM_BOOKING
    booked = await desk.send("yes", IntentName.AFFIRM)
    assert booked.slots.last_reference is not None


async def test_the_total_of_a_room_named_does_not_choose_it(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("how much is the suite altogether", room_type=room(3, "suite"), asks_total=True)
    assert outcome.replies[0] == en(
        "total_room", room="Junior Suite", stay=STAY, party=TWO_ADULTS, total="USD 660.00", stale_note=""
    )
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.room_type_id is None


async def test_the_total_of_a_stale_quote_is_to_be_confirmed(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    desk.slots.quote_stale = True
    outcome = await desk.send("how much altogether?", asks_total=True)
    assert outcome.replies[0] == en(
        "total_room",
        room="Standard Double",
        stay=STAY,
        party=TWO_ADULTS,
        total="USD 300.00",
        stale_note=en("stale_note"),
    )


async def test_the_total_with_new_dates_is_a_new_quote_not_an_aside(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send(
        "and in total for the 20th to the 23rd?",
        asks_total=True,
        check_in=date(2030, 6, 20),
        check_out=date(2030, 6, 23),
    )
    assert outcome.slots.check_in == "2030-06-20" and "total_header" not in str(outcome.replies)
    assert outcome.replies[0] == en(
        "quote_header", stay=format_stay(date(2030, 6, 20), date(2030, 6, 23), "en"), party=TWO_ADULTS
    )


async def test_the_total_before_any_stay_asks_for_the_stay(desk: Desk) -> None:
    outcome = await desk.send("cuanto sale todo?", IntentName.CHECK_AVAILABILITY, asks_total=True)
    assert outcome.replies == (en("total_unknown"), en("ask_dates"))
    assert outcome.step is Step.ASK_STAY and outcome.slots.goal == Goal.QUOTE


async def test_the_total_after_booking_is_the_bookings(desk: Desk) -> None:
    await desk.at_summary()
    reference = (await desk.send("yes", IntentName.AFFIRM)).slots.last_reference
    outcome = await desk.send("so how much was it in total?", asks_total=True)
    assert outcome.replies == (en("total_booking", reference=reference, total="USD 300.00"),)
    assert outcome.step is Step.IDLE


async def test_the_total_of_a_change_is_the_proposals(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send("change", IntentName.MODIFY_BOOKING, booking_ref=booking.reference, email="ana@example.com")
    outcome = await desk.send("how much in total?", asks_total=True)
    assert outcome.replies[0] == en("total_booking", reference=booking.reference, total="USD 300.00")
    await desk.send("one more night please")
    assert desk.step is Step.CONFIRM_MODIFY
    outcome = await desk.send("and the total?", asks_total=True)
    four_nights = format_stay(ARRIVAL, date(2030, 6, 14), "en")
    assert outcome.replies[0] == en(
        "total_room", room="Standard Double", stay=four_nights, party=TWO_ADULTS, total="USD 400.00", stale_note=""
    )
    assert outcome.step is Step.CONFIRM_MODIFY


# --- the hotel's facts --------------------------------------------------------------------------


async def test_two_topics_in_one_message_are_both_answered(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("parking y wifi?", IntentName.FAQ, topic="parking", topics=("parking", "wifi"))
    assert outcome.replies == (
        await desk.facts.answer("parking", "en"),
        await desk.facts.answer("wifi", "en"),
        en("resume", question=en("choose_again", count=3)),
    )


async def test_a_thing_the_facts_do_not_mention_is_said_to_be_unknown_and_a_person_offered(desk: Desk) -> None:
    outcome = await desk.send("do you have a spa?", IntentName.FAQ, topic="amenities", topic_items=("spa",))
    assert outcome.replies == (en("faq_missing_item", item="a spa"),)
    assert outcome.step is Step.OFFER_PERSON


async def test_yes_to_the_offer_of_a_person_hands_over(desk: Desk) -> None:
    await desk.send("do you have a spa?", IntentName.FAQ, topic="amenities", topic_items=("spa",))
    outcome = await desk.send("yes please", IntentName.AFFIRM)
    assert outcome.replies == (en("handoff"),) and outcome.handoff_reason == "requested"


async def test_no_to_the_offer_of_a_person(desk: Desk) -> None:
    await desk.send("do you have a spa?", IntentName.FAQ, topic="amenities", topic_items=("spa",))
    outcome = await desk.send("no thanks", IntentName.DENY)
    assert outcome.replies == (en("offer_declined"),) and outcome.step is Step.IDLE


async def test_something_else_after_the_offer_is_read_as_a_new_message(desk: Desk) -> None:
    await desk.send("do you have a spa?", IntentName.FAQ, topic="amenities", topic_items=("spa",))
    outcome = await desk.quoted()
    assert outcome.step is Step.CHOOSE_ROOM and outcome.handoff_reason is None


async def test_a_thing_the_facts_mention_gets_the_fact(desk: Desk) -> None:
    outcome = await desk.send("is there a pool?", IntentName.FAQ, topic="amenities", topic_items=("pool",))
    assert outcome.replies == (await desk.facts.answer("amenities", "en"),) and outcome.step is Step.IDLE


async def test_one_thing_known_and_one_not(desk: Desk) -> None:
    outcome = await desk.send("pool and sauna?", IntentName.FAQ, topic="amenities", topic_items=("pool", "sauna"))
    assert outcome.replies == (await desk.facts.answer("amenities", "en"), en("faq_missing_item", item="a sauna"))


async def test_a_topic_without_a_fact_mid_booking_says_so_and_asks_again() -> None:
    desk = Desk()  # no facts stored
    await desk.quoted()
    await desk.send("1")
    outcome = await desk.send("do you have parking?", IntentName.FAQ, topic="parking")
    assert outcome.replies == (
        en("faq_missing_in_flow"),
        en("resume", question=en("ask_name", room="Standard Double")),
    )
    assert outcome.step is Step.ASK_GUEST


async def test_an_unsure_question_the_step_cannot_use_is_answered(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("teneis parking?", IntentName.DENY, confidence=0.3, topic="parking", topics=("parking",))
    assert outcome.replies == (
        await desk.facts.answer("parking", "en"),
        en("resume", question=en("choose_again", count=3)),
    )
    assert outcome.slots.misunderstood == 0


# --- what the agent cannot do -------------------------------------------------------------------


async def test_the_weather_is_answered_honestly_with_what_the_agent_can_do(desk: Desk) -> None:
    outcome = await desk.send("what's the weather like?", IntentName.OUT_OF_SCOPE, off_topic="weather")
    assert outcome.replies == (en("off_topic_weather"), en("can_do")) and outcome.step is Step.IDLE


async def test_places_nearby_mid_booking_then_the_question_again(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send(
        "any good restaurants nearby?",
        IntentName.FAQ,
        topic="amenities",
        topics=("amenities", "location"),
        topic_items=("restaurant",),
        off_topic="nearby",
    )
    assert outcome.replies == (
        en("off_topic_nearby"),
        en("can_do"),
        en("resume", question=en("choose_again", count=3)),
    )


async def test_a_taxi_asked_for_is_not_a_booking(desk: Desk) -> None:
    outcome = await desk.send("book me a taxi", IntentName.BOOK_ROOM, off_topic="arrange", topics=("location",))
    assert outcome.replies == (en("off_topic_arrange"), en("can_do")) and outcome.step is Step.IDLE


# --- bookings switched off --------------------------------------------------------------------------


async def test_bookings_switched_off_are_told_when_a_room_is_chosen(desk: Desk) -> None:
    await desk.flags.set("bookings.enabled", False)
    quote = await desk.quoted()
    assert quote.step is Step.CHOOSE_ROOM  # prices can still be asked
    outcome = await desk.send("1")
    assert outcome.replies == (en("handoff_bookings_off"),)
    assert outcome.handoff_reason == "bookings_disabled" and outcome.slots.room_type_id == 1
