"""One dialogue turn: decide what to do with an understood message, given the session's step.

Global intents come first (a person, a question about the hotel, thanks, goodbye), then the
step's own handling. A question asked mid-flow is answered and the pending question asked
again. Below the confidence threshold the agent asks instead of guessing; after
``MAX_MISUNDERSTOOD`` misunderstandings in a row, a person takes over.
"""

from __future__ import annotations

import re

from agente.conversation.dialogue import booking, manage
from agente.conversation.dialogue.state import Step
from agente.conversation.dialogue.turn import Deps, Turn
from agente.conversation.replies.render import render

MAX_MISUNDERSTOOD = 3
_COMPLAINT = re.compile(
    r"queja|reclamaci[oó]n|verg[uü]enza|inaceptable|fatal|horrible|complain|unacceptable|disgusting|terrible",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"persona|humano|human|person|someone|alguien|agente|agent|staff|manager|encargad|recepcionista|operador",
    re.IGNORECASE,
)
_BOOKING_INTENTS = {"check_availability", "book_room"}
_MANAGE = {"modify_booking": "modify", "cancel_booking": "cancel", "booking_status": "status"}


def _has_stay_details(turn: Turn) -> bool:
    e = turn.parse.entities
    return any(v is not None for v in (e.check_in, e.check_out, e.nights, e.adults, e.children, e.rooms)) or (
        e.room_type is not None
    )


async def respond(turn: Turn, deps: Deps, threshold: float) -> None:
    """Fill ``turn.replies``, ``turn.step`` and ``turn.slots`` for this message."""
    intent, s = turn.intent, turn.slots
    confident = turn.parse.intent.confidence >= threshold
    topic, e = turn.parse.entities.topic, turn.parse.entities
    if turn.step is Step.ASK_GUEST and (e.email or e.phone or e.guest_name):
        # The guest is answering the question asked ("+1 415 555 0111"), whatever it sounds like.
        intent = "inform"
    elif _COMPLAINT.search(turn.message):
        turn.hand_off("complaint", "handoff_complaint")
        return
    if intent == "human_handoff" and topic and not _PERSON.search(turn.message):
        # "¿Me pasas el teléfono del hotel?" asks for a fact, not for a person.
        intent = "faq"
    if intent == "human_handoff" and confident:
        turn.hand_off("requested")
        return
    if intent == "faq" and confident and topic:
        await _answer_faq(turn, deps)
        return
    if intent in ("thanks", "goodbye") and confident and turn.step in (Step.IDLE, Step.CHOOSE_ROOM):
        turn.say(intent)
        if intent == "goodbye":
            s.forget_booking()
            turn.step = Step.IDLE
        return
    handled = await _by_step(turn, deps, confident)
    if handled:
        s.misunderstood = 0
        return
    s.misunderstood += 1
    if s.misunderstood >= MAX_MISUNDERSTOOD:
        s.misunderstood = 0
        turn.hand_off("misunderstanding")
        return
    if turn.step is Step.IDLE:
        turn.say("out_of_scope" if intent == "out_of_scope" and confident else "clarify")
    else:
        turn.say("clarify")
        turn.replies.append(pending_question(turn))


async def _answer_faq(turn: Turn, deps: Deps) -> None:
    topic = turn.parse.entities.topic
    assert topic is not None
    answer = await deps.facts.answer(topic, turn.language)
    turn.replies.append(answer or render("faq_missing", turn.language))
    if turn.step is not Step.IDLE:
        turn.say("resume", question=pending_question(turn))


def pending_question(turn: Turn) -> str:
    """The question the current step is waiting on, to ask again after an aside."""
    lang, s = turn.language, turn.slots
    if turn.step is Step.ASK_STAY:
        return render("ask_dates" if not s.check_in else "ask_party", lang)
    if turn.step is Step.CHOOSE_ROOM:
        return render("choose_again", lang, count=len(s.quote))
    if turn.step is Step.ASK_GUEST:
        room = s.chosen()
        for slot, key in (("guest_name", "ask_name"), ("email", "ask_email"), ("phone", "ask_phone")):
            if not getattr(s, slot):
                return render(key, lang, room=room.name if room else "")
    if turn.step is Step.VERIFY:
        return render("ask_reference", lang)
    if turn.step is Step.MODIFY_WHAT:
        return render("modify_what", lang, reference=s.booking_ref)
    return render("confirm_yes_no", lang)


async def _by_step(turn: Turn, deps: Deps, confident: bool) -> bool:  # noqa: C901 - one branch per step
    intent, step, s = turn.intent, turn.step, turn.slots
    affirm = intent == "affirm" and confident
    deny = intent == "deny" and confident
    if intent in _MANAGE and confident and step not in (Step.VERIFY,):
        await manage.start(turn, deps, _MANAGE[intent])
        return True
    if step is Step.VERIFY:
        if deny:
            manage.declined(turn)
            return True
        await manage.verify(turn, deps)
        return True
    if step in (Step.CONFIRM_CANCEL, Step.CONFIRM_MODIFY):
        if deny:
            manage.declined(turn)
            return True
        if step is Step.CONFIRM_MODIFY and booking.merge_entities(turn)[0]:
            await manage.propose_change(turn, deps)
            return True
        if affirm:
            await (manage.cancel(turn, deps) if step is Step.CONFIRM_CANCEL else manage.modify(turn, deps))
            return True
        turn.say("confirm_yes_no")
        return True
    if step is Step.MODIFY_WHAT:
        if deny:
            manage.declined(turn)
            return True
        if booking.merge_entities(turn)[0]:
            await manage.propose_change(turn, deps)
            return True
        return False
    changed, room_changed = booking.merge_entities(turn)
    if step is Step.IDLE:
        # Dates in the message are a request for a stay, whatever the classifier made of a
        # long or unusual message — unless it was sure the guest wants something else.
        dated = turn.parse.entities.check_in is not None and (not confident or intent in ("inform", "faq"))
        if (
            (intent in _BOOKING_INTENTS and confident)
            or dated
            or (_has_stay_details(turn) and intent in ("inform", *_BOOKING_INTENTS))
        ):
            s.goal = "book" if intent == "book_room" else s.goal or "quote"
            if s.goal == "book" and s.room_type_id is None:
                s.goal = "quote"
            await booking.ask_or_quote(turn, deps)
            return True
        if intent == "greet" and confident:
            turn.say("greet", hotel=turn.hotel_name)
            return True
        if deny and s.last_reference is None:
            turn.say("booking_dropped")
            return True
        return False
    if room_changed and not changed and step in (Step.CHOOSE_ROOM, Step.ASK_GUEST, Step.CONFIRM_BOOKING):
        if s.chosen() is not None:
            # A room of the quote, named: take it (later on: summarise again with its price).
            booking.ask_guest(turn)
            return True
        s.room_type_id = None
    if changed and step in (Step.ASK_STAY, Step.CHOOSE_ROOM, Step.ASK_GUEST, Step.CONFIRM_BOOKING):
        await booking.ask_or_quote(turn, deps)
        return True
    if deny and step in (Step.ASK_STAY, Step.CHOOSE_ROOM, Step.ASK_GUEST, Step.CONFIRM_BOOKING):
        manage.declined(turn)
        return True
    if step is Step.ASK_STAY:
        if intent in ("greet", *_BOOKING_INTENTS) and confident:
            await booking.ask_or_quote(turn, deps)
            return True
        return False
    if step is Step.CHOOSE_ROOM:
        if booking.pick_room(turn):
            booking.ask_guest(turn)
            return True
        return False
    if step is Step.ASK_GUEST:
        e = turn.parse.entities
        free = _free_text_detail(turn, confident)
        if e.guest_name or e.email or e.phone or free:
            booking.ask_guest(turn)
            return True
        return False
    if step is Step.CONFIRM_BOOKING:
        if affirm:
            await booking.book(turn, deps)
            return True
        turn.say("confirm_yes_no")
        return True
    return False


_NOT_A_NAME = re.compile(
    r"^(ok|okay|vale|va|si|sí|yes|yeah|yep|no|nope|perfecto|perfect|gracias|thanks|thank you|hola|hello|hi|"
    r"un momento|momento|espera|espérame|wait|hold on|one sec|one moment|sure|claro|bueno|genial|great|"
    r"de acuerdo|listo|done)$",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^\W\d_]{2,}(?:[ '-][^\W\d_]+){0,3}")


def _free_text_detail(turn: Turn, confident: bool) -> bool:
    """A bare answer to the question just asked ("Ana García", "ana@x.com") fills that slot.

    A name is the leading part of the answer ("Sophie Martin, sophie@…, +33…") when it looks
    like one and is not a chat word ("ok", "un momento") or a clear yes/no/thanks."""
    s, text = turn.slots, turn.message.strip()
    if not text or len(text) > 120:
        return False
    if not s.guest_name:
        e = turn.parse.entities
        # With an email or a phone in the message, the name is its first part; otherwise the
        # whole answer must look like a name ("asdf;lkj 8u9" is not one).
        head = re.split(r"[,;\n]", text)[0].strip().rstrip(".!") if (e.email or e.phone) else text.rstrip(".!")
        chatty = confident and turn.intent in ("affirm", "deny", "thanks", "greet", "goodbye", "human_handoff")
        if _NAME.fullmatch(head) and not _NOT_A_NAME.match(head) and not chatty:
            s.guest_name = head.title()
            return True
    if s.guest_name and not s.email and "@" in text:
        s.email = text
        return True
    if s.guest_name and s.email and not s.phone and re.search(r"\d", text):
        s.phone = text
        return True
    return False
