"""The rules every step shares, and what happens when a message is not understood."""

from __future__ import annotations

import uuid
from dataclasses import replace

from agente.conversation.dialogue.engine import MAX_MISUNDERSTOOD, respond
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.turn import Turn
from agente.conversation.nlu.types import Entities, Intent, IntentName, ParseResult
from agente.conversation.replies.render import render
from tests.unit.conversation.dialogue.desk import THRESHOLD, TODAY, Desk, en

# --- complaint, person ----------------------------------------------------------------------


async def test_a_complaint_goes_to_staff_from_any_step(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("this is unacceptable", IntentName.OUT_OF_SCOPE)
    assert outcome.replies == (en("handoff_complaint"),)
    assert outcome.handoff_reason == "complaint" and outcome.step is Step.IDLE
    assert len(outcome.slots.quote) == 3  # staff see what the guest was after


async def test_a_person_asked_for_takes_over(desk: Desk) -> None:
    outcome = await desk.send("I want to talk to a person", IntentName.HUMAN_HANDOFF)
    assert outcome.replies == (en("handoff"),) and outcome.handoff_reason == "requested"


async def test_a_doubtful_request_for_a_person_is_not_acted_on(desk: Desk) -> None:
    outcome = await desk.send("person?", IntentName.HUMAN_HANDOFF, confidence=0.3)
    assert outcome.handoff_reason is None and outcome.replies == (en("clarify"),)


async def test_asking_for_the_hotels_phone_is_a_question_not_a_person(desk: Desk) -> None:
    outcome = await desk.send("can you give me the hotel's phone?", IntentName.HUMAN_HANDOFF, topic="contact")
    assert outcome.replies == (await desk.facts.answer("contact", "en"),) and outcome.handoff_reason is None


# --- faq ------------------------------------------------------------------------------------


async def test_a_question_is_answered_from_the_facts(desk: Desk) -> None:
    outcome = await desk.send("is there parking?", IntentName.FAQ, topic="parking")
    assert outcome.replies == (await desk.facts.answer("parking", "en"),) and outcome.step is Step.IDLE


async def test_a_question_mid_booking_is_answered_and_the_pending_question_asked_again(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    slots = desk.slots
    outcome = await desk.send("is breakfast included?", IntentName.FAQ, topic="breakfast")
    assert outcome.replies == (
        await desk.facts.answer("breakfast", "en"),
        en("resume", question=en("ask_name", room="Standard Double")),
    )
    assert outcome.step is Step.ASK_GUEST and outcome.slots == slots


async def test_a_question_without_a_fact_offers_a_person() -> None:
    desk = Desk()  # no facts stored
    outcome = await desk.send("do you have a spa?", IntentName.FAQ, topic="amenities")
    assert outcome.replies == (en("faq_missing"),)


# --- thanks, goodbye --------------------------------------------------------------------------


async def test_goodbye_forgets_the_quote(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("bye", IntentName.GOODBYE)
    assert outcome.replies == (en("goodbye"),)
    assert outcome.step is Step.IDLE and outcome.slots.quote == [] and outcome.slots.check_in is None


async def test_thanks_while_a_question_is_pending_is_not_an_answer(desk: Desk) -> None:
    await desk.send("from June 10", IntentName.CHECK_AVAILABILITY, check_in=TODAY.replace(month=6, day=10))
    outcome = await desk.send("thanks", IntentName.THANKS)
    assert outcome.replies == (en("clarify_check_out"),) and outcome.step is Step.ASK_STAY


# --- managing a booking -----------------------------------------------------------------------


async def test_managing_a_booking_starts_from_any_step_and_forgives_misunderstandings(desk: Desk) -> None:
    await desk.quoted()
    await desk.send("1")
    desk.slots = replace(desk.slots, misunderstood=2)
    outcome = await desk.send("I want to change my booking", IntentName.MODIFY_BOOKING)
    assert outcome.replies == (en("ask_reference"),)
    assert outcome.step is Step.VERIFY and outcome.slots.misunderstood == 0


# --- misunderstandings --------------------------------------------------------------------------


async def test_out_of_scope_is_said_so(desk: Desk) -> None:
    outcome = await desk.send("what's the weather?", IntentName.OUT_OF_SCOPE)
    assert outcome.replies == (en("out_of_scope"),) and outcome.slots.misunderstood == 1


async def test_misunderstandings_in_a_row_end_with_a_person(desk: Desk) -> None:
    for count in range(1, MAX_MISUNDERSTOOD):
        outcome = await desk.send("asdf", IntentName.OUT_OF_SCOPE, confidence=0.1)
        assert outcome.replies == (en("clarify"),) and outcome.slots.misunderstood == count
    outcome = await desk.send("asdf", IntentName.OUT_OF_SCOPE, confidence=0.1)
    assert outcome.replies == (en("handoff"),) and outcome.handoff_reason == "misunderstanding"
    assert outcome.slots.misunderstood == 0


async def test_an_understood_message_clears_the_misunderstandings(desk: Desk) -> None:
    await desk.send("asdf", IntentName.OUT_OF_SCOPE, confidence=0.1)
    outcome = await desk.send("hi", IntentName.GREET)
    assert outcome.slots.misunderstood == 0


# --- respond: the entry the conversation service calls -------------------------------------------


def _turn(desk: Desk, text: str, intent: IntentName, step: Step, slots: Slots, language: str = "es") -> Turn:
    parse = ParseResult(language, Intent(intent, 0.4), Entities())
    return Turn(uuid.uuid4(), text, language, parse, TODAY, step, slots, "Hotel Prueba")


async def test_respond_fills_the_turn_and_leaves_the_slots_it_was_given(desk: Desk) -> None:
    await desk.quoted()
    given = desk.slots
    turn = _turn(desk, "la suite", IntentName.OUT_OF_SCOPE, Step.CHOOSE_ROOM, given)
    await respond(turn, desk.deps, THRESHOLD)
    assert turn.replies == [render("ask_name", "es", room="Junior Suite")]
    assert turn.step is Step.ASK_GUEST and turn.slots.room_type_id == 3 and turn.handoff_reason is None
    # The intent as read in context is what the service stores and counts.
    assert turn.parse.intent == Intent(IntentName.INFORM, 0.4)
    assert given.room_type_id is None and given == desk.slots


async def test_respond_reports_a_handoff(desk: Desk) -> None:
    turn = _turn(desk, "quiero poner una queja", IntentName.OUT_OF_SCOPE, Step.IDLE, Slots())
    await respond(turn, desk.deps, THRESHOLD)
    assert turn.text == render("handoff_complaint", "es")
    assert turn.handoff_reason == "complaint" and turn.slots.handoff_reason == "complaint"
