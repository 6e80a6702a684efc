"""What each step does with a message: one handler per :class:`~.state.Step`, in :data:`STEPS`.

A handler reads the message as the answer to its step's question and returns an
:class:`~.turn.Outcome`; one that cannot use the message says so (``not_understood``) and
the engine asks again. The steps of the booking flow first take corrections ("mejor 3
adultos", another room, "no") whatever their question was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from agente.conversation.dialogue import booking, guest, manage
from agente.conversation.dialogue.state import Goal, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off, not_understood
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_day, format_stay

Handler = Callable[[Message, Slots, Deps], Awaitable[Outcome]]

BOOKING_INTENTS = (IntentName.CHECK_AVAILABILITY, IntentName.BOOK_ROOM)


def _has_stay_details(msg: Message) -> bool:
    e = msg.entities
    return any(v is not None for v in (e.check_in, e.check_out, e.nights, e.adults, e.children, e.rooms)) or (
        e.room_type is not None or _dates_told_back(msg)
    )


def _dates_told_back(msg: Message) -> bool:
    """The message says dates that cannot be taken as said (see :func:`booking.told_back`)."""
    return msg.entities.no_such_day is not None or msg.entities.reversed_stay is not None


async def idle(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    s, _, _ = booking.merge_entities(msg, slots)
    # Dates in the message are a request for a stay, whatever the classifier made of a long
    # or unusual message — unless it was sure the guest wants something else.
    dated = (msg.entities.check_in is not None or _dates_told_back(msg)) and (
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


_DETAIL_STEPS = (Step.ASK_GUEST, Step.CONFIRM_BOOKING)


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
        if s.proposed_check_in is not None and msg.means(IntentName.AFFIRM, IntentName.DENY):
            return await _answer_to_offered_stay(msg, s, deps)
        # "No, my email is …" corrects a detail; it does not drop the booking.
        if msg.means(IntentName.DENY) and not (msg.step in _DETAIL_STEPS and guest.gives_details(msg)):
            return manage.declined(msg, s)
        return await handler(msg, s, deps)

    return handle


async def _answer_to_offered_stay(msg: Message, s: Slots, deps: Deps) -> Outcome:
    """Yes or no to "did you mean 3 to 5 January?" (a departure said before the arrival)."""
    if msg.means(IntentName.AFFIRM):
        return await booking.ask_or_quote(msg, booking.offered_stay(s), deps)
    cleared = replace(s, check_in=None, check_out=None, proposed_check_in=None, proposed_check_out=None)
    return answer(Step.ASK_STAY, cleared, msg.say("ask_dates"))


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
    s, problem, gave = guest.take(msg, slots)
    if problem is not None:
        return answer(Step.ASK_GUEST, s, msg.say(problem))
    if gave:
        return booking.ask_guest(msg, s)
    return not_understood(msg, s)


@_corrections_first
async def confirm_booking(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if guest.gives_details(msg):
        # A detail corrected at the summary ("the phone is +44 …"): summarised again.
        s, problem, _ = guest.take(msg, slots)
        return answer(Step.ASK_GUEST, s, msg.say(problem)) if problem else booking.ask_guest(msg, s)
    if msg.means(IntentName.AFFIRM):
        return await booking.book(msg, slots, deps)
    return not_understood(msg, slots)


async def verify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY):
        return manage.declined(msg, slots)
    return await manage.verify(msg, slots, deps)


async def modify_what(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if slots.proposed_check_in is not None and msg.means(IntentName.AFFIRM):
        return await manage.propose_change(msg, booking.offered_stay(slots), deps)
    if slots.proposed_check_in is not None and msg.means(IntentName.DENY):
        cleared = replace(slots, proposed_check_in=None, proposed_check_out=None)
        return answer(Step.MODIFY_WHAT, cleared, msg.say("modify_what", reference=slots.booking_ref))
    if msg.means(IntentName.DENY):
        return manage.declined(msg, slots)
    changed = manage.changed_stay(msg, slots)
    if changed is not None:
        return await manage.propose_change(msg, changed, deps)
    return manage.ask_what_to_change(msg, slots) or not_understood(msg, slots)


async def confirm_modify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    # "No, mejor del 5 al 8" is another change, not a refusal; so is "one more night".
    s, changed, _ = booking.merge_entities(msg, slots)
    if changed:
        return await manage.propose_change(msg, s, deps)
    moved = manage.changed_stay(msg, slots)
    if moved is not None:
        return await manage.propose_change(msg, moved, deps)
    if msg.means(IntentName.DENY) or manage.keeps(msg):
        return manage.declined(msg, slots)
    if msg.means(IntentName.AFFIRM) or manage.confirms(msg, Goal.MODIFY):
        return await manage.modify(msg, s, deps)
    return not_understood(msg, slots)


async def confirm_cancel(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    if msg.means(IntentName.DENY) or manage.keeps(msg):
        return manage.declined(msg, slots)
    if msg.means(IntentName.AFFIRM) or manage.confirms(msg, Goal.CANCEL):
        return await manage.cancel(msg, slots, deps)
    return not_understood(msg, slots)


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
        if s.proposed_check_in and s.proposed_check_out:
            offered = date.fromisoformat(s.proposed_check_in), date.fromisoformat(s.proposed_check_out)
            return msg.say("reversed_stay", stay=format_stay(*offered, msg.language, msg.today))
        if s.check_in and not s.check_out:
            arrival = format_day(date.fromisoformat(s.check_in), msg.language, msg.today)
            return msg.say("ask_check_out", check_in=arrival)
        return msg.say("ask_dates" if not s.check_in else "ask_party")
    if step is Step.CHOOSE_ROOM:
        return msg.say("choose_again", count=len(s.quote))
    if step is Step.ASK_GUEST:
        if s.phone and not guest.placed(s.phone):
            return msg.say("ask_phone_country", phone=s.phone)
        room = s.chosen()
        for value, key in ((s.guest_name, "ask_name"), (s.email, "ask_email"), (s.phone, "ask_phone")):
            if not value:
                return msg.say(key, room=room.name if room else "")
    if step is Step.VERIFY:
        return msg.say("ask_reference")
    if step is Step.MODIFY_WHAT:
        return msg.say("modify_what", reference=s.booking_ref)
    return msg.say("confirm_yes_no")


def clarify(msg: Message, slots: Slots) -> tuple[str, ...]:
    """What to say when the step could not use the message: what this step can take."""
    s, step = slots, msg.step
    if step is Step.ASK_STAY:
        if not s.check_in:
            return (msg.say("clarify_dates"),)
        if not s.check_out:
            return (msg.say("clarify_check_out"),)
        return (msg.say("clarify_party"),)
    if step is Step.CHOOSE_ROOM and s.quote:
        names = ", ".join(q.name for q in s.quote)
        return (msg.say("clarify_room", count=len(s.quote), names=names),)
    if step in (Step.CONFIRM_BOOKING, Step.CONFIRM_CANCEL, Step.CONFIRM_MODIFY):
        return (msg.say("clarify_yes_no"),)
    if step is Step.MODIFY_WHAT:
        return (msg.say("clarify_modify", reference=s.booking_ref),)
    return msg.say("clarify"), pending_question(msg, s)
