"""What each step does with a message: one handler per :class:`~.state.Step`, in :data:`STEPS`.

A handler reads the message as the answer to its step's question and returns an
:class:`~.turn.Outcome`; one that cannot use the message says so (``not_understood``) and
the engine asks again. The steps of the booking flow first take corrections ("mejor 3
adultos", another room, "no") whatever their question was.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

from agente.conversation.dialogue import booking, manage
from agente.conversation.dialogue.state import Goal, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off, not_understood
from agente.conversation.nlu.types import IntentName

Handler = Callable[[Message, Slots, Deps], Awaitable[Outcome]]

BOOKING_INTENTS = (IntentName.CHECK_AVAILABILITY, IntentName.BOOK_ROOM)


def _has_stay_details(msg: Message) -> bool:
    e = msg.entities
    return any(v is not None for v in (e.check_in, e.check_out, e.nights, e.adults, e.children, e.rooms)) or (
        e.room_type is not None
    )


async def idle(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    s, _, _ = booking.merge_entities(msg, slots)
    # Dates in the message are a request for a stay, whatever the classifier made of a long
    # or unusual message — unless it was sure the guest wants something else.
    dated = msg.entities.check_in is not None and (
        not msg.confident or msg.intent in (IntentName.INFORM, IntentName.FAQ)
    )
    if (
        msg.means(*BOOKING_INTENTS)
        or dated
        or (_has_stay_details(msg) and msg.intent in (IntentName.INFORM, *BOOKING_INTENTS))
    ):
        goal = Goal.BOOK if msg.intent == IntentName.BOOK_ROOM else s.goal or Goal.QUOTE
        if goal == Goal.BOOK and s.room_type_id is None:
            goal = Goal.QUOTE
        return await booking.ask_or_quote(msg, replace(s, goal=goal), deps)
    if msg.means(IntentName.GREET):
        return answer(Step.IDLE, s, msg.say("greet", hotel=msg.hotel_name))
    if msg.entities.booking_ref:
        # "Whats the status of AH…": a reference alone asks about its booking.
        return await manage.start(msg, s, deps, Goal.STATUS)
    if msg.means(IntentName.DENY) and s.last_reference is None:
        return answer(Step.IDLE, s, msg.say("booking_dropped"))
    return not_understood(msg, s)


def _corrections_first(handler: Handler) -> Handler:
    """A step of the booking flow: a new stay or party is quoted again, a room of the quote
    named is taken, and "no" drops the request, before the step's own question is answered."""

    async def handle(msg: Message, slots: Slots, deps: Deps) -> Outcome:
        s, changed, room_changed = booking.merge_entities(msg, slots)
        if room_changed and not changed and msg.step is not Step.ASK_STAY:
            if s.chosen() is not None:
                # A room of the quote, named: take it (later on: summarise again with its price).
                return booking.ask_guest(msg, s)
            s = replace(s, room_type_id=None)
        if changed:
            return await booking.ask_or_quote(msg, s, deps)
        if msg.means(IntentName.DENY):
            return manage.declined(msg, s)
        return await handler(msg, s, deps)

    return handle


@_corrections_first
async def ask_stay(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.GREET, *BOOKING_INTENTS):
        return await booking.ask_or_quote(msg, slots, deps)
    return not_understood(msg, slots)


@_corrections_first
async def choose_room(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    return booking.pick_room(msg, slots) or not_understood(msg, slots)


@_corrections_first
async def ask_guest(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    e = msg.entities
    filled = _free_text_detail(msg, slots)
    if e.guest_name or e.email or e.phone or filled is not None:
        return booking.ask_guest(msg, filled or slots)
    return not_understood(msg, slots)


@_corrections_first
async def confirm_booking(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.AFFIRM):
        return await booking.book(msg, slots, deps)
    return answer(msg.step, slots, msg.say("confirm_yes_no"))


async def verify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY):
        return manage.declined(msg, slots)
    return await manage.verify(msg, slots, deps)


async def modify_what(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY):
        return manage.declined(msg, slots)
    changed = manage.changed_stay(msg, slots)
    if changed is not None:
        return await manage.propose_change(msg, changed, deps)
    return manage.ask_what_to_change(msg, slots) or not_understood(msg, slots)


async def confirm_modify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY) or manage.keeps(msg):
        return manage.declined(msg, slots)
    changed = manage.changed_stay(msg, slots)
    if changed is not None:
        return await manage.propose_change(msg, changed, deps)
    if msg.means(IntentName.AFFIRM) or manage.confirms(msg, Goal.MODIFY):
        return await manage.modify(msg, slots, deps)
    return answer(msg.step, slots, msg.say("confirm_yes_no"))


async def confirm_cancel(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY) or manage.keeps(msg):
        return manage.declined(msg, slots)
    if msg.means(IntentName.AFFIRM) or manage.confirms(msg, Goal.CANCEL):
        return await manage.cancel(msg, slots, deps)
    return answer(msg.step, slots, msg.say("confirm_yes_no"))


async def offer_person(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """The answer to "shall I pass you to reception?" (anything else is read at idle: the engine)."""
    if msg.means(IntentName.AFFIRM):
        return hand_off(msg, slots, "requested")
    return answer(Step.IDLE, slots, msg.say("offer_declined"))


STEPS: dict[Step, Handler] = {
    Step.IDLE: idle,
    Step.ASK_STAY: ask_stay,
    Step.CHOOSE_ROOM: choose_room,
    Step.ASK_GUEST: ask_guest,
    Step.CONFIRM_BOOKING: confirm_booking,
    Step.VERIFY: verify,
    Step.MODIFY_WHAT: modify_what,
    Step.CONFIRM_MODIFY: confirm_modify,
    Step.CONFIRM_CANCEL: confirm_cancel,
    Step.OFFER_PERSON: offer_person,
}


def pending_question(msg: Message, slots: Slots) -> str:
    """The question the current step is waiting on, to ask again after an aside."""
    s, step = slots, msg.step
    if step is Step.ASK_STAY:
        return msg.say("ask_dates" if not s.check_in else "ask_party")
    if step is Step.CHOOSE_ROOM:
        return msg.say("choose_again", count=len(s.quote))
    if step is Step.ASK_GUEST:
        room = s.chosen()
        for value, key in ((s.guest_name, "ask_name"), (s.email, "ask_email"), (s.phone, "ask_phone")):
            if not value:
                return msg.say(key, room=room.name if room else "")
    if step is Step.VERIFY:
        return msg.say("ask_reference")
    if step is Step.MODIFY_WHAT:
        return msg.say("modify_what", reference=s.booking_ref)
    return msg.say("confirm_yes_no")


_NOT_A_NAME = re.compile(
    r"^(ok|okay|vale|va|si|sí|yes|yeah|yep|no|nope|perfecto|perfect|gracias|thanks|thank you|hola|hello|hi|"
    r"un momento|momento|espera|espérame|wait|hold on|one sec|one moment|sure|claro|bueno|genial|great|"
    r"de acuerdo|listo|done)$",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^\W\d_]{2,}(?:[ '-][^\W\d_]+){0,3}")
_CHATTY = (
    IntentName.AFFIRM,
    IntentName.DENY,
    IntentName.THANKS,
    IntentName.GREET,
    IntentName.GOODBYE,
    IntentName.HUMAN_HANDOFF,
)


def _free_text_detail(msg: Message, slots: Slots) -> Slots | None:
    """A bare answer to the question just asked ("Ana García", "ana@x.com") fills that slot.

    A name is the leading part of the answer ("Sophie Martin, sophie@…, +33…") when it looks
    like one and is not a chat word ("ok", "un momento") or a clear yes/no/thanks. Returns
    the slots with the detail, or None when the message is no such answer."""
    s, text = slots, msg.text.strip()
    if not text or len(text) > 120:
        return None
    if not s.guest_name:
        e = msg.entities
        # With an email or a phone in the message, the name is its first part; otherwise the
        # whole answer must look like a name ("asdf;lkj 8u9" is not one).
        head = re.split(r"[,;\n]", text)[0].strip().rstrip(".!") if (e.email or e.phone) else text.rstrip(".!")
        if _NAME.fullmatch(head) and not _NOT_A_NAME.match(head) and not msg.means(*_CHATTY):
            return replace(s, guest_name=head.title())
    if s.guest_name and not s.email and "@" in text:
        return replace(s, email=text)
    if s.guest_name and s.email and not s.phone and re.search(r"\d", text):
        return replace(s, phone=text)
    return None
