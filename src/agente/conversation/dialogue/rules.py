"""The rules every step shares, tried in order before the step's own handler (:data:`RULES`).

A complaint or a request for a person hands the guest to staff; a question beside the flow
(the total, the hotel's facts, what the agent cannot do: :mod:`.asides`) is answered and
the pending question asked again; thanks and goodbye are answered where no
question is pending; a request to check, change or cancel a booking starts it from any step.
A rule returns None when the message is not its business.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

from agente.conversation.dialogue import asides, manage
from agente.conversation.dialogue.state import Goal, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off
from agente.conversation.nlu.types import IntentName

Rule = Callable[[Message, Slots, Deps], Awaitable[Outcome | None]]

_COMPLAINT = re.compile(
    r"queja|reclamaci[oó]n|verg[uü]enza|inaceptable|fatal|horrible|complain|unacceptable|disgusting|terrible",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"persona|humano|human|person|someone|alguien|agente|agent|staff|manager|encargad|recepcionista|operador",
    re.IGNORECASE,
)
_MANAGE = {
    IntentName.MODIFY_BOOKING: Goal.MODIFY,
    IntentName.CANCEL_BOOKING: Goal.CANCEL,
    IntentName.BOOKING_STATUS: Goal.STATUS,
}
# The steps of a request already under way: its own intent there answers its question.
_MANAGING = (Step.MODIFY_WHAT, Step.CONFIRM_MODIFY, Step.CONFIRM_CANCEL)


def answering_details(msg: Message) -> bool:
    """The guest is giving the contact details asked for ("+1 415 555 0111"), whatever it sounds like."""
    e = msg.entities
    return msg.step in (Step.ASK_GUEST, Step.CONFIRM_BOOKING) and bool(e.email or e.phone or e.guest_name)


def asked(msg: Message) -> IntentName:
    """The intent the shared rules act on: the classifier's, read in context."""
    if answering_details(msg):
        return IntentName.INFORM
    if msg.intent == IntentName.HUMAN_HANDOFF and msg.entities.topic and not _PERSON.search(msg.text):
        # "¿Me pasas el teléfono del hotel?" asks for a fact, not for a person.
        return IntentName.FAQ
    return msg.intent


async def complaint(msg: Message, slots: Slots, deps: Deps) -> Outcome | None:
    if answering_details(msg) or not _COMPLAINT.search(msg.text):
        return None
    return hand_off(msg, slots, "complaint", "handoff_complaint")


async def person(msg: Message, slots: Slots, deps: Deps) -> Outcome | None:
    if asked(msg) != IntentName.HUMAN_HANDOFF or not msg.confident:
        return None
    return hand_off(msg, slots, "requested")


async def aside(msg: Message, slots: Slots, deps: Deps) -> Outcome | None:
    """The total, the hotel's facts, what the agent cannot do: answered, then the pending question."""
    if answering_details(msg):
        return None
    return await asides.answer_aside(msg, slots, deps, asked(msg))


async def thanks_or_goodbye(msg: Message, slots: Slots, deps: Deps) -> Outcome | None:
    intent = asked(msg)
    if intent not in (IntentName.THANKS, IntentName.GOODBYE) or not msg.confident:
        return None
    if msg.step not in (Step.IDLE, Step.CHOOSE_ROOM):
        return None
    if intent == IntentName.GOODBYE:
        return answer(Step.IDLE, slots.without_booking(), msg.say(intent))
    return answer(msg.step, slots, msg.say(intent))


async def manage_booking(msg: Message, slots: Slots, deps: Deps) -> Outcome | None:
    goal = _MANAGE.get(msg.intent)
    if goal is None or not msg.confident or msg.step is Step.VERIFY or answering_details(msg):
        return None
    if goal == slots.goal and msg.step in _MANAGING and msg.entities.booking_ref in (None, slots.booking_ref):
        # "Sí, cancélala" at the cancellation's question answers it: the step reads it.
        return None
    # Starting over is understanding the guest: the misunderstandings so far are forgiven.
    return await manage.start(msg, replace(slots, misunderstood=0), deps, goal)


RULES: tuple[Rule, ...] = (complaint, person, aside, thanks_or_goodbye, manage_booking)
