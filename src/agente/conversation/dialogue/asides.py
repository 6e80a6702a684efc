"""Questions asked beside the flow, at any step: the total, the hotel's facts, what the agent
does not do. :func:`answer_aside` answers them all in one reply and asks the pending
question again; what the guest was doing does not change.

* **The total** ("how much altogether?", "¿cuánto sale todo?") is read from what is under
  discussion: the chosen room of the quote (or the room named), else every offer of the
  quote, else the booking being managed or the one just made. It is always the PMS's own
  figure, as quoted; with nothing quoted the agent says it needs the stay first.
* **Facts**: every topic asked is answered ("parking y wifi?"). A topic with no fact, or a
  particular thing its fact does not mention (a spa, when the amenities are a pool and a
  gym), is said to be unknown, and a person is offered.
* **Off topic** (the weather, places nearby, booking a taxi): said honestly, with what the
  agent can do.
"""

from __future__ import annotations

from dataclasses import replace

from agente.conversation.dialogue.booking import fees_note, quoted_fees
from agente.conversation.dialogue.state import Goal, QuotedRoom, Slots, Step
from agente.conversation.dialogue.steps import pending_question
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer
from agente.conversation.nlu.entities.topic import covers, item_topic
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_money, format_stay, party_text
from agente.conversation.replies.render import render

# Topics an off-topic question mentions in passing: "restaurants nearby" is not a question
# about the hotel's restaurant or its address, "book me a taxi" not one about the way there.
_SHADOWED = {"nearby": {"amenities", "location"}, "arrange": {"location"}, "weather": set()}


def _stay_given(msg: Message) -> bool:
    e = msg.entities
    return any(v is not None for v in (e.check_in, e.check_out, e.nights, e.adults, e.children, e.rooms))


def asked_topics(msg: Message, intent: IntentName | None) -> tuple[str, ...]:
    """The FAQ topics the message asks about, when it is a question about the hotel (``intent``
    is None when the step could not read the message otherwise: its topics are then asked)."""
    e = msg.entities
    if intent is not None and (intent != IntentName.FAQ or not msg.confident):
        return ()
    topics = e.topics or ((e.topic,) if e.topic else ())
    shadowed = _SHADOWED.get(e.off_topic or "", set())
    return tuple(topic for topic in topics if topic not in shadowed)


async def answer_aside(msg: Message, slots: Slots, deps: Deps, intent: IntentName | None) -> Outcome | None:
    """The reply to the questions beside the flow in ``msg``, or None when it asks none.

    ``intent`` is the intent read in context (the shared rules' reading), or None for a
    message the step could not use. A message that gives dates or a party is the flow's
    business: its quote shows the totals."""
    e, s = msg.entities, slots
    topics = asked_topics(msg, intent)
    total = e.asks_total and not _stay_given(msg)
    # "¿Va a llover el finde?" names days, but is no request for a stay.
    booking = intent in (IntentName.CHECK_AVAILABILITY, IntentName.BOOK_ROOM, IntentName.INFORM) and msg.confident
    off_topic = e.off_topic if not (_stay_given(msg) and booking) else None
    if not (total or topics or off_topic):
        return None
    replies: list[str] = []
    step = msg.step
    if total:
        said, s, step = await _total(msg, s, deps)
        replies.extend(said)
    missing: list[str] = []
    for topic in topics:
        answered, unknown = await _fact(msg, deps, topic)
        replies.extend(answered)
        missing.extend(unknown)
    if off_topic:
        replies.extend((msg.say(f"off_topic_{off_topic}"), msg.say("can_do")))
    idle = step is Step.IDLE
    started = msg.step is Step.IDLE and step is not Step.IDLE
    if missing:
        things = _joined([_item_name(item, msg.language) for item in missing if item], msg.language)
        if idle:
            replies.append(msg.say("faq_missing_item", item=things) if things else msg.say("faq_missing"))
            step = Step.OFFER_PERSON
        else:
            key = "faq_missing_item_in_flow" if things else "faq_missing_in_flow"
            replies.append(msg.say(key, item=things))
    if started:
        replies.append(pending_question(replace(msg, step=step), s))
    elif not idle:
        replies.append(msg.say("resume", question=pending_question(msg, s)))
    return answer(step, s, *replies)


async def _fact(msg: Message, deps: Deps, topic: str) -> tuple[list[str], list[str]]:
    """The fact's answer, and what was asked that it does not answer ("" for the whole topic)."""
    fact = await deps.facts.fact(topic)
    if fact is None:
        return [], [""]
    text = " ".join((fact.answer_es, fact.answer_en, " ".join(_flatten(fact.details))))
    asked = [item for item in msg.entities.topic_items if item_topic(item) == topic]
    unknown = [item for item in asked if not covers(text, item)]
    if asked and len(unknown) == len(asked):
        # Nothing asked is in the fact: its answer would be about something else.
        return [], unknown
    return [fact.answer(msg.language)], unknown


def _flatten(value: object) -> list[str]:
    if isinstance(value, dict):
        return [part for key, item in value.items() for part in (str(key), *_flatten(item))]
    if isinstance(value, list | tuple):
        return [part for item in value for part in _flatten(item)]
    return [] if value is None else [str(value)]


def _item_name(item: str, language: str) -> str:
    names = dict(entry.split("=", 1) for entry in render("item_names", language).split(";"))
    return names.get(item, item)


def _joined(names: list[str], language: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {'y' if language == 'es' else 'and'} {names[-1]}"


async def _total(msg: Message, slots: Slots, deps: Deps) -> tuple[list[str], Slots, Step]:
    """What the stay under discussion costs altogether, as the PMS quoted it."""
    s, lang = slots, msg.language
    stay = s.stay
    if s.quote and s.quote_currency and stay is not None and s.adults is not None:
        currency = s.quote_currency
        named = msg.entities.room_type.room_type_id if msg.entities.room_type else None
        room = next((q for q in s.quote if q.room_type_id == named), None) or s.chosen()
        stay_text = format_stay(stay[0], stay[1], lang, msg.today)
        party = party_text(s.adults, s.children or 0, s.rooms or 1, lang)
        if room is not None:
            stale = render("stale_note", lang) if s.quote_stale else ""
            said = msg.say(
                "total_room",
                room=room.name,
                stay=stay_text,
                party=party,
                total=_charged(msg, room, currency),
                stale_note=stale,
            )
            return [said], s, msg.step
        lines = [msg.say("total_header", stay=stay_text, party=party)]
        for n, offer in enumerate(s.quote, start=1):
            lines.append(msg.say("total_line", n=n, name=offer.name, total=_charged(msg, offer, currency)))
        return lines, s, msg.step
    reference = s.booking_ref if s.verified else (s.last_reference if s.goal is None else None)
    record = await deps.reservations.by_reference(reference) if reference else None
    if record is not None and record.total_price is not None and record.currency:
        total = format_money(record.total_price, record.currency, lang)
        return [msg.say("total_booking", reference=record.reference, total=total)], s, msg.step
    if msg.step is Step.IDLE:
        # A price asked before any stay: the stay is what to ask for next.
        return [msg.say("total_unknown")], replace(s, goal=s.goal or Goal.QUOTE), Step.ASK_STAY
    return [msg.say("total_unknown")], s, msg.step


def _charged(msg: Message, room: QuotedRoom, currency: str) -> str:
    """The total the PMS charges for ``room`` (its fees included, and named)."""
    return format_money(room.charged(), currency, msg.language) + fees_note(msg, quoted_fees(room), currency)
