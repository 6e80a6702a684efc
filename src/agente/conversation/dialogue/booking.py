"""The booking flow: stay → quote → room → guest details → confirmation → booking.

Prices come only from the PMS; the quote keeps the PMS's figures as text and the summary
repeats them. A correction at any step ("mejor 3 adultos", "actually the 14th") updates
the slots and quotes again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from agente.conversation.dialogue.state import QuotedRoom, Slots, Step
from agente.conversation.dialogue.turn import Deps, Turn
from agente.conversation.nlu.types import Intent
from agente.conversation.replies.format import format_day, format_money, format_stay, party_text
from agente.conversation.replies.render import render
from agente.observability import tracing
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import Availability, BookingRequest, GuestDetails, StayQuery
from agente.reservations.errors import BookingsDisabledError

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_CHOICE = re.compile(r"^\D*(\d)\D*$")
_ORDINALS = {
    "primera": 1,
    "primero": 1,
    "first": 1,
    "segunda": 2,
    "segundo": 2,
    "second": 2,
    "tercera": 3,
    "tercero": 3,
    "third": 3,
    "cuarta": 4,
    "cuarto": 4,
    "fourth": 4,
}


def valid_phone(phone: str) -> bool:
    return 9 <= len(re.sub(r"\D", "", phone)) <= 15


def merge_entities(turn: Turn) -> tuple[bool, bool]:
    """Copy what the guest just said into the slots; say whether (the stay or party, the room) changed."""
    e, s = turn.parse.entities, turn.slots
    before = (s.check_in, s.check_out, s.adults, s.children, s.rooms)
    room_before = s.room_type_id
    if e.check_in:
        previous = s.stay
        s.check_in = e.check_in.isoformat()
        if not e.check_out and not e.nights:
            # "Actually the 14th": a new arrival keeps the length of the stay already discussed.
            s.check_out = (e.check_in + (previous[1] - previous[0])).isoformat() if previous else None
    if e.check_out:
        s.check_out = e.check_out.isoformat()
    elif e.nights and (e.check_in or s.check_in):
        start = e.check_in or date.fromisoformat(s.check_in or "")
        s.check_out = (start + timedelta(days=e.nights)).isoformat()
    if e.adults is not None:
        s.adults = e.adults
    if e.children is not None:
        s.children = e.children
    if e.rooms is not None:
        s.rooms = e.rooms
    if e.room_type is not None and e.room_type.room_type_id is not None:
        s.room_type_id = e.room_type.room_type_id
    # A name is only taken when it was asked for, or in a short message: long messages
    # ramble, and "soy mucho de escribir" is not a name.
    if e.guest_name and (turn.step is Step.ASK_GUEST or len(turn.message) <= 200):
        s.guest_name = e.guest_name
    if e.email:
        s.email = e.email
    if e.phone:
        s.phone = e.phone
    return before != (s.check_in, s.check_out, s.adults, s.children, s.rooms), room_before != s.room_type_id


async def ask_or_quote(turn: Turn, deps: Deps) -> None:
    """Ask for what the stay still lacks, or quote it."""
    s = turn.slots
    if turn.parse.entities.dates_in_past:
        s.check_in = s.check_out = None
        turn.say("dates_in_past")
        turn.step = Step.ASK_STAY
        return
    if not s.check_in:
        turn.say("ask_dates")
        turn.step = Step.ASK_STAY
        return
    if not s.check_out:
        turn.say("ask_check_out", check_in=format_day(date.fromisoformat(s.check_in), turn.language))
        turn.step = Step.ASK_STAY
        return
    check_in, check_out = date.fromisoformat(s.check_in), date.fromisoformat(s.check_out)
    if check_in < turn.today or check_out <= check_in:
        s.check_in = s.check_out = None
        turn.say("dates_in_past" if check_in < turn.today else "ask_dates")
        turn.step = Step.ASK_STAY
        return
    if (check_out - check_in).days > deps.max_nights:
        turn.hand_off("long_stay", "too_long", max_nights=deps.max_nights)
        return
    if s.adults is None:
        turn.say("ask_party")
        turn.step = Step.ASK_STAY
        return
    await quote(turn, deps)


def stay_query(s: Slots) -> StayQuery:
    """The PMS query for the slots. The guest counts the whole party; the PMS counts people per
    room, so the party is spread over the rooms (the fullest room decides what fits)."""
    stay = s.stay
    assert stay is not None and s.adults is not None
    rooms = max(1, s.rooms or 1)
    return StayQuery(
        stay[0], stay[1], adults=max(1, -(-s.adults // rooms)), children=-(-(s.children or 0) // rooms), rooms=rooms
    )


@tracing.traced("conversation.quote")
async def quote(turn: Turn, deps: Deps) -> None:
    query = stay_query(turn.slots)
    try:
        answer = await deps.pms.availability(query)
    except PmsUnavailableError:
        turn.hand_off("pms_unavailable", "handoff_pms")
        return
    except PmsRejectedError:
        turn.say("ask_dates")
        turn.step = Step.ASK_STAY
        return
    deps.metrics.quotes.labels("stale" if answer.stale else "live").inc()
    show_quote(turn, answer)


def show_quote(turn: Turn, answer: Availability) -> None:
    s, lang = turn.slots, turn.language
    q = answer.query
    stay_text = format_stay(q.check_in, q.check_out, lang)
    party = party_text(s.adults or q.adults, s.children or 0, q.rooms, lang)
    if not answer.offers:
        turn.say("no_availability", stay=stay_text, party=party)
        s.quote = []
        turn.step = Step.ASK_STAY
        s.check_in = s.check_out = None
        return
    s.quote = [
        QuotedRoom(
            room_type_id=o.room_type_id,
            name=o.name,
            nightly=str(o.nightly_price),
            total=str(o.total_price),
            available=o.available_rooms,
            fees=[{"name": f.name, "amount": str(f.amount), "per": f.per} for f in o.fees],
        )
        for o in answer.offers
    ]
    s.quote_currency, s.quote_stale = answer.currency, answer.stale
    turn.say("quote_header_stale" if answer.stale else "quote_header", stay=stay_text, party=party)
    for n, o in enumerate(answer.offers, start=1):
        turn.say(
            "quote_line",
            n=n,
            name=o.name,
            nightly=format_money(o.nightly_price, o.currency, lang),
            total=format_money(o.total_price, o.currency, lang),
        )
        for fee in o.fees:
            turn.say("quote_fee", fee=fee.name, amount=format_money(fee.amount, o.currency, lang))
    if s.room_type_id is not None and s.chosen() is not None and s.goal == "book":
        ask_guest(turn)
        return
    turn.say("quote_footer")
    turn.step = Step.CHOOSE_ROOM


def pick_room(turn: Turn) -> bool:
    """The room the guest chose from the quote, by number, ordinal or name."""
    s = turn.slots
    mention = turn.parse.entities.room_type
    if mention is not None and mention.room_type_id is not None and s.chosen() is not None:
        return True
    text = turn.message.lower()
    number = None
    match = _CHOICE.match(text.strip())
    if match and turn.parse.entities.adults is None:
        number = int(match.group(1))
    for word, n in _ORDINALS.items():
        if re.search(rf"\b{word}\b", text):
            number = n
    if number is not None and 1 <= number <= len(s.quote):
        s.room_type_id = s.quote[number - 1].room_type_id
        _understood_as_choice(turn)
        return True
    # A word of a quoted room's name ("general", "la ejecutiva") names it when only one matches.
    words = set(re.findall(r"[a-záéíóúñ]{4,}", text))
    named = [q for q in s.quote if words & {w.lower().rstrip("s") for w in q.name.split()}]
    if len(named) == 1:
        s.room_type_id = named[0].room_type_id
        _understood_as_choice(turn)
        return True
    return False


def _understood_as_choice(turn: Turn) -> None:
    """Record that a message the classifier could not place was, in context, a room choice."""
    intent = turn.parse.intent
    if intent.name in ("out_of_scope", "human_handoff"):
        turn.parse = replace(turn.parse, intent=Intent("inform", intent.confidence))


def ask_guest(turn: Turn) -> None:
    """Ask for the first missing guest detail, or summarise and ask for confirmation."""
    s, lang = turn.slots, turn.language
    room = s.chosen()
    assert room is not None
    s.goal = "book"
    if s.email and not _EMAIL.match(s.email):
        s.email = None
        turn.say("invalid_email")
        turn.step = Step.ASK_GUEST
        return
    if s.phone and not valid_phone(s.phone):
        s.phone = None
        turn.say("invalid_phone")
        turn.step = Step.ASK_GUEST
        return
    for slot, key in (("guest_name", "ask_name"), ("email", "ask_email"), ("phone", "ask_phone")):
        if not getattr(s, slot):
            turn.say(key, room=room.name)
            turn.step = Step.ASK_GUEST
            return
    stay = s.stay
    assert stay is not None and s.adults is not None and s.quote_currency is not None
    turn.say(
        "confirm_booking",
        room=room.name,
        stay=format_stay(stay[0], stay[1], lang),
        party=party_text(s.adults, s.children or 0, s.rooms or 1, lang),
        total=format_money(Decimal(room.total), s.quote_currency, lang),
        stale_note=render("stale_note", lang) if s.quote_stale else "",
        name=s.guest_name,
        email=s.email,
        phone=s.phone,
    )
    turn.step = Step.CONFIRM_BOOKING


async def book(turn: Turn, deps: Deps) -> None:
    s, lang = turn.slots, turn.language
    room, stay = s.chosen(), s.stay
    assert room is not None and stay is not None and s.adults is not None
    first, _, last = (s.guest_name or "").partition(" ")
    request = BookingRequest(
        stay=stay_query(s),
        room_type_id=room.room_type_id,
        guest=GuestDetails(first or "-", last or "-", s.email or "", s.phone or ""),
        # One key per guest session, attempt and stay: a repeated "yes" never books twice.
        idempotency_key=f"{turn.session_id}:{s.attempt}:{room.room_type_id}:{stay[0]}:{stay[1]}",
        quoted_total=Decimal(room.total),
    )
    try:
        record = await deps.reservations.reserve(request, session_id=turn.session_id, party=(s.adults, s.children or 0))
    except BookingsDisabledError:
        turn.hand_off("bookings_disabled", "handoff_bookings_off")
        return
    except RoomsNotAvailableError:
        turn.say("rooms_gone")
        s.room_type_id = None
        await quote(turn, deps)
        return
    except PmsRejectedError as exc:
        turn.say("booking_refused", reason=str(exc))
        turn.step = Step.IDLE
        return
    except PmsUnavailableError:
        turn.hand_off("pms_unavailable", "handoff_pms")
        return
    s.last_reference = record.reference
    total = record.total_price or Decimal(room.total)
    if record.status == "pending":
        turn.say("booked_pending", reference=record.reference)
    else:
        turn.say(
            "booked",
            reference=record.reference,
            room=room.name,
            stay=format_stay(stay[0], stay[1], lang),
            total=format_money(total, record.currency or s.quote_currency or "", lang),
        )
    s.forget_booking()
    s.attempt += 1
    turn.step = Step.IDLE
