"""A message read first as the answer to the question its step asked (Rasa's ``requested_slot``).

The classifier reads every message alone: a bare "2" is nothing to it, "la más económica" is
noise and "sí, cancélala" is a new request to cancel. :func:`in_context` reads the message as
the answer the step is waiting for, before the shared rules and the step's handler see it:

* the party, asked after the dates: a bare number ("2", "dos", "somos 3") is the guests, and
  one joined to children ("2 y un niño de 3") is the adults;
* the room, asked with the quote: its number, ordinal, name or what it is ("the cheapest",
  "la más grande", "the one for 4") is the room chosen, also later as a change of room;
* a confirmation: yes or no with any words around it ("dale, confirma", "no mejor no").

What the message does not answer is left as the classifier read it, so a correction ("mejor
3 adultos"), a question or a new request still reach the rules and the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from agente.conversation.dialogue.booking import merge_entities, room_answered
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.turn import Message
from agente.conversation.nlu.entities.counts import extract_count_answer, extract_leading_adults
from agente.conversation.nlu.entities.polarity import extract_polarity
from agente.conversation.nlu.entities.room_choice import extract_room_choice
from agente.conversation.nlu.types import Entities, Intent, IntentName, RoomTypeMention

Reader = Callable[[Message, Slots], Message]

# Managing intents that, at a confirmation about something else, are a new request.
_OTHER_REQUESTS = {
    Step.CONFIRM_BOOKING: (IntentName.MODIFY_BOOKING, IntentName.BOOKING_STATUS),
    Step.CONFIRM_CANCEL: (IntentName.MODIFY_BOOKING, IntentName.BOOKING_STATUS),
    Step.CONFIRM_MODIFY: (IntentName.CANCEL_BOOKING, IntentName.BOOKING_STATUS),
}
_ACTIONS = {Step.CONFIRM_BOOKING: "book", Step.CONFIRM_CANCEL: "cancel", Step.CONFIRM_MODIFY: "modify"}
# Choices by what a room is: they change the room chosen at any later step too.
_BY_WHAT_IT_IS = ("cheapest", "priciest", "largest", "smallest", "fits")


def _as(msg: Message, intent: IntentName, entities: Entities) -> Message:
    """``msg`` read as ``intent`` with ``entities``, sure of it."""
    confidence = max(msg.parse.intent.confidence, 0.99)
    parse = replace(msg.parse, intent=Intent(intent, confidence), entities=entities)
    return replace(msg, parse=parse, confident=True)


def _asks_something_else(msg: Message) -> bool:
    """A question about the hotel or for a person: the rules answer it, whatever else it says."""
    question = msg.means(IntentName.FAQ) and msg.entities.topic is not None and "?" in msg.text
    return question or msg.means(IntentName.HUMAN_HANDOFF)


def _party(msg: Message, slots: Slots) -> Message:
    e = msg.entities
    if e.adults is not None:
        return msg
    if e.children is not None:
        # "2 y un niño de 3": the number the answer opens with is the adults.
        adults = extract_leading_adults(msg.text, msg.language)
        return msg if adults is None else _as(msg, IntentName.INFORM, replace(e, adults=adults))
    count = extract_count_answer(msg.text, msg.language)
    if count is None:
        return msg
    # The whole message is the number: it is no day of the month.
    counted = replace(e, adults=count, check_in=None, check_out=None, nights=None, dates_in_past=False)
    return _as(msg, IntentName.INFORM, counted)


def ask_stay(msg: Message, slots: Slots) -> Message:
    party_asked = bool(slots.check_in and slots.check_out) and slots.adults is None
    return _party(msg, slots) if party_asked else msg


def modify_what(msg: Message, slots: Slots) -> Message:
    # "The dates or the number of guests?": a bare number can only be the guests.
    return _party(msg, slots)


def _room(msg: Message, slots: Slots, *, kinds: tuple[str, ...] | None) -> Message | None:
    """``msg`` choosing a room of the quote, or None when it chooses none; ``kinds`` are the
    ways of choosing the step takes (None: every way, a word of the room's name too)."""
    e = msg.entities
    if not slots.quote or (e.room_type is not None and e.room_type.room_type_id is not None):
        return None
    choice = extract_room_choice(msg.text, msg.language)
    if kinds is not None and (choice is None or choice.kind not in kinds):
        return None
    chosen = room_answered(msg, slots)
    if chosen is None or chosen == slots.room_type_id or _asks_something_else(msg):
        return None
    entities = replace(e, room_type=RoomTypeMention(msg.text, chosen, 1.0))
    if choice is not None and choice.kind in ("number", "fits"):
        # "the one for 4", "la 2": the number was the room's, not the party's or a day.
        entities = replace(entities, adults=None, children=None, check_in=None, check_out=None, nights=None)
    return _as(msg, IntentName.INFORM, entities)


def choose_room(msg: Message, slots: Slots) -> Message:
    chosen = _room(msg, slots, kinds=None)
    if chosen is not None:
        return chosen
    if len(slots.quote) == 1 and extract_polarity(msg.text, msg.language) and not _asks_something_else(msg):
        # One room quoted: "yes" takes it.
        only = RoomTypeMention(msg.text, slots.quote[0].room_type_id, 1.0)
        return _as(msg, IntentName.INFORM, replace(msg.entities, room_type=only))
    return msg


def ask_guest(msg: Message, slots: Slots) -> Message:
    return _room(msg, slots, kinds=_BY_WHAT_IT_IS) or msg


def _yes_or_no(msg: Message, slots: Slots) -> Message:
    step = msg.step
    if _asks_something_else(msg) or msg.entities.booking_ref or msg.means(*_OTHER_REQUESTS.get(step, ())):
        return msg
    _, changed, room_changed = merge_entities(msg, slots)
    if changed or room_changed:
        return msg  # "no, mejor 3 adultos", "actually no, the luxury one": a correction, read as one
    said = extract_polarity(msg.text, msg.language, _ACTIONS.get(step))
    if said is None:
        return msg
    return _as(msg, IntentName.AFFIRM if said else IntentName.DENY, msg.entities)


def confirm_booking(msg: Message, slots: Slots) -> Message:
    # Another room, by what it is ("ok, the cheapest then") or by its place in the quote the
    # summary may show after a change ("la 2 entonces"), is a change before it is a yes. A
    # bare number is not: at a summary it could be anything.
    kinds = _BY_WHAT_IT_IS if msg.text.strip().isdigit() else (*_BY_WHAT_IT_IS, "number", "last")
    return _room(msg, slots, kinds=kinds) or _yes_or_no(msg, slots)


ANSWERS: dict[Step, Reader] = {
    Step.ASK_STAY: ask_stay,
    Step.CHOOSE_ROOM: choose_room,
    Step.ASK_GUEST: ask_guest,
    Step.CONFIRM_BOOKING: confirm_booking,
    Step.MODIFY_WHAT: modify_what,
    Step.CONFIRM_MODIFY: _yes_or_no,
    Step.CONFIRM_CANCEL: _yes_or_no,
}


def in_context(msg: Message, slots: Slots) -> Message:
    """``msg`` as the answer to its step's question when it is one; otherwise ``msg`` itself."""
    reader = ANSWERS.get(msg.step)
    return reader(msg, slots) if reader is not None else msg
