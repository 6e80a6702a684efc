"""One dialogue turn: decide what to do with an understood message, given the session's step.

The message is first read as the answer to the step's question (:func:`~.answers.in_context`:
a bare "2" after "how many?", "the cheapest" at the quote, "sí, cancélala" at a confirmation).
The shared rules come next (:data:`~.rules.RULES`: a person, a complaint, a question about
the hotel, thanks, goodbye, managing a booking), then the step's own handler
(:data:`~.steps.STEPS`). Below the confidence threshold the agent asks instead of guessing;
after ``MAX_MISUNDERSTOOD`` misunderstandings in a row, a person takes over. When new
bookings are switched off, a guest is told (and passed to staff) as a booking starts.
"""

from __future__ import annotations

from dataclasses import replace

from agente.conversation.dialogue import asides
from agente.conversation.dialogue.answers import in_context
from agente.conversation.dialogue.rules import RULES, asked
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.steps import STEPS, clarify
from agente.conversation.dialogue.turn import Deps, Message, Outcome, Turn, answer, hand_off
from agente.conversation.nlu.types import Intent, IntentName

MAX_MISUNDERSTOOD = 3

# The steps from which a booking can start (a room chosen): whether new bookings are
# switched off is read there, so the guest is told before giving any detail.
_BOOKING_STARTS = (Step.IDLE, Step.ASK_STAY, Step.CHOOSE_ROOM)


async def respond(turn: Turn, deps: Deps, threshold: float) -> None:
    """Answer ``turn``: add its replies, and set its step, slots, handoff reason and (when the
    dialogue read the message otherwise in context) its intent."""
    msg = Message(
        session_id=turn.session_id,
        text=turn.message,
        language=turn.language,
        parse=turn.parse,
        today=turn.today,
        step=turn.step,
        hotel_name=turn.hotel_name,
        confident=turn.parse.intent.confidence >= threshold,
    )
    outcome = await decide(msg, turn.slots, deps)
    turn.replies.extend(outcome.replies)
    turn.step, turn.slots, turn.handoff_reason = outcome.step, outcome.slots, outcome.handoff_reason
    if outcome.intent is not None:
        turn.parse = replace(turn.parse, intent=Intent(outcome.intent, turn.parse.intent.confidence))


async def decide(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """What to say and what changes, for ``msg`` arriving with ``slots``."""
    read = in_context(msg, slots)
    if read.step is Step.OFFER_PERSON and not read.means(IntentName.AFFIRM, IntentName.DENY):
        # The offer of a person was not taken up: the message is read as a new one.
        read = replace(read, step=Step.IDLE)
    outcome = await _decide(read, slots, deps)
    if outcome.understood and outcome.intent is None and read.intent != msg.intent:
        return replace(outcome, intent=read.intent)
    return outcome


async def _decide(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    for rule in RULES:
        outcome = await rule(msg, slots, deps)
        if outcome is not None:
            return outcome
    if msg.step in _BOOKING_STARTS:
        msg = replace(msg, bookings_open=await deps.reservations.accepting_bookings())
    outcome = await STEPS[msg.step](msg, slots, deps)
    if outcome.understood:
        return replace(outcome, slots=replace(outcome.slots, misunderstood=0))
    # Not an answer to the step, and a question the classifier was unsure of ("¿tenéis spa o
    # sauna?"): its topic is answered rather than the guest being told they were not understood.
    aside = await asides.answer_aside(msg, outcome.slots, deps, None)
    if aside is not None:
        return aside
    return _misunderstood(msg, outcome.slots)


def _misunderstood(msg: Message, slots: Slots) -> Outcome:
    count = slots.misunderstood + 1
    if count >= MAX_MISUNDERSTOOD:
        return replace(hand_off(msg, replace(slots, misunderstood=0), "misunderstanding"), understood=False)
    slots = replace(slots, misunderstood=count)
    if msg.step is Step.IDLE:
        key = "out_of_scope" if asked(msg) == IntentName.OUT_OF_SCOPE and msg.confident else "clarify"
        outcome = answer(Step.IDLE, slots, msg.say(key))
    else:
        outcome = answer(msg.step, slots, *clarify(msg, slots))
    return replace(outcome, understood=False)
