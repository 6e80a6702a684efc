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

from agente.conversation.dialogue.state import Goal, QuotedRoom, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off
from agente.conversation.nlu.types import IntentName
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


def merge_entities(msg: Message, slots: Slots) -> tuple[Slots, bool, bool]:
    """The slots with what the guest just said; and whether (the stay or party, the room) changed."""
    e, s = msg.entities, slots
    check_in, check_out = s.check_in, s.check_out
    if e.check_in:
        check_in = e.check_in.isoformat()
        if not e.check_out and not e.nights:
            # "Actually the 14th": a new arrival keeps the length of the stay already discussed.
            previous = s.stay
            check_out = (e.check_in + (previous[1] - previous[0])).isoformat() if previous else None
    if e.check_out:
        check_out = e.check_out.isoformat()
    elif e.nights and (e.check_in or s.check_in):
        start = e.check_in or date.fromisoformat(s.check_in or "")
        check_out = (start + timedelta(days=e.nights)).isoformat()
    merged = replace(
        s,
        check_in=check_in,
        check_out=check_out,
        adults=e.adults if e.adults is not None else s.adults,
        children=e.children if e.children is not None else s.children,
        rooms=e.rooms if e.rooms is not None else s.rooms,
        room_type_id=(
            e.room_type.room_type_id
            if e.room_type is not None and e.room_type.room_type_id is not None
            else s.room_type_id
        ),
        # A name is only taken when it was asked for, or in a short message: long messages
        # ramble, and "soy mucho de escribir" is not a name.
        guest_name=e.guest_name
        if e.guest_name and (msg.step is Step.ASK_GUEST or len(msg.text) <= 200)
        else s.guest_name,
        email=e.email or s.email,
        phone=e.phone or s.phone,
    )
    stay = (s.check_in, s.check_out, s.adults, s.children, s.rooms)
    new_stay = (merged.check_in, merged.check_out, merged.adults, merged.children, merged.rooms)
    return merged, stay != new_stay, s.room_type_id != merged.room_type_id


async def ask_or_quote(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Ask for what the stay still lacks, or quote it."""
    s = slots
    if msg.entities.dates_in_past:
        return answer(Step.ASK_STAY, replace(s, check_in=None, check_out=None), msg.say("dates_in_past"))
    if not s.check_in:
        return answer(Step.ASK_STAY, s, msg.say("ask_dates"))
    if not s.check_out:
        arrival = format_day(date.fromisoformat(s.check_in), msg.language)
        return answer(Step.ASK_STAY, s, msg.say("ask_check_out", check_in=arrival))
    check_in, check_out = date.fromisoformat(s.check_in), date.fromisoformat(s.check_out)
    if check_in < msg.today or check_out <= check_in:
        key = "dates_in_past" if check_in < msg.today else "ask_dates"
        return answer(Step.ASK_STAY, replace(s, check_in=None, check_out=None), msg.say(key))
    if (check_out - check_in).days > deps.max_nights:
        return hand_off(msg, s, "long_stay", "too_long", max_nights=deps.max_nights)
    if s.adults is None:
        return answer(Step.ASK_STAY, s, msg.say("ask_party"))
    return await quote(msg, s, deps)


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
async def quote(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    try:
        availability = await deps.pms.availability(stay_query(slots))
    except PmsUnavailableError:
        return hand_off(msg, slots, "pms_unavailable", "handoff_pms")
    except PmsRejectedError:
        return answer(Step.ASK_STAY, slots, msg.say("ask_dates"))
    deps.metrics.quotes.labels("stale" if availability.stale else "live").inc()
    return show_quote(msg, slots, availability)


def show_quote(msg: Message, slots: Slots, availability: Availability) -> Outcome:
    s, lang = slots, msg.language
    q = availability.query
    stay_text = format_stay(q.check_in, q.check_out, lang)
    party = party_text(s.adults or q.adults, s.children or 0, q.rooms, lang)
    if not availability.offers:
        emptied = replace(s, quote=[], check_in=None, check_out=None)
        return answer(Step.ASK_STAY, emptied, msg.say("no_availability", stay=stay_text, party=party))
    s = replace(
        s,
        quote=[
            QuotedRoom(
                room_type_id=o.room_type_id,
                name=o.name,
                nightly=str(o.nightly_price),
                total=str(o.total_price),
                available=o.available_rooms,
                fees=[{"name": f.name, "amount": str(f.amount), "per": f.per} for f in o.fees],
            )
            for o in availability.offers
        ],
        quote_currency=availability.currency,
        quote_stale=availability.stale,
    )
    header = "quote_header_stale" if availability.stale else "quote_header"
    replies = [msg.say(header, stay=stay_text, party=party)]
    for n, o in enumerate(availability.offers, start=1):
        nightly, total = format_money(o.nightly_price, o.currency, lang), format_money(o.total_price, o.currency, lang)
        replies.append(msg.say("quote_line", n=n, name=o.name, nightly=nightly, total=total))
        replies.extend(
            msg.say("quote_fee", fee=fee.name, amount=format_money(fee.amount, o.currency, lang)) for fee in o.fees
        )
    if s.room_type_id is not None and s.chosen() is not None and s.goal == Goal.BOOK:
        return ask_guest(msg, s).after(*replies)
    return answer(Step.CHOOSE_ROOM, s, *replies, msg.say("quote_footer"))


def pick_room(msg: Message, slots: Slots) -> Outcome | None:
    """The room the guest chose from the quote, by number, ordinal or name, asked about; None
    when the message chooses none."""
    s = slots
    mention = msg.entities.room_type
    if mention is not None and mention.room_type_id is not None and s.chosen() is not None:
        return ask_guest(msg, s)
    text = msg.text.lower()
    number = None
    match = _CHOICE.match(text.strip())
    if match and msg.entities.adults is None:
        number = int(match.group(1))
    for word, n in _ORDINALS.items():
        if re.search(rf"\b{word}\b", text):
            number = n
    chosen: int | None = None
    if number is not None and 1 <= number <= len(s.quote):
        chosen = s.quote[number - 1].room_type_id
    else:
        # A word of a quoted room's name ("general", "la ejecutiva") names it when only one matches.
        words = set(re.findall(r"[a-záéíóúñ]{4,}", text))
        named = [q for q in s.quote if words & {w.lower().rstrip("s") for w in q.name.split()}]
        if len(named) == 1:
            chosen = named[0].room_type_id
    if chosen is None:
        return None
    outcome = ask_guest(msg, replace(s, room_type_id=chosen))
    # A message the classifier could not place was, in context, a room choice.
    if msg.intent in (IntentName.OUT_OF_SCOPE, IntentName.HUMAN_HANDOFF):
        return replace(outcome, intent=IntentName.INFORM)
    return outcome


def ask_guest(msg: Message, slots: Slots) -> Outcome:
    """Ask for the first missing guest detail, or summarise and ask for confirmation."""
    lang = msg.language
    room = slots.chosen()
    assert room is not None
    s = replace(slots, goal=Goal.BOOK)
    if not msg.bookings_open:
        # Told as the booking starts, before the guest gives every detail for nothing.
        return hand_off(msg, s, "bookings_disabled", "handoff_bookings_off")
    if s.email and not _EMAIL.match(s.email):
        return answer(Step.ASK_GUEST, replace(s, email=None), msg.say("invalid_email"))
    if s.phone and not valid_phone(s.phone):
        return answer(Step.ASK_GUEST, replace(s, phone=None), msg.say("invalid_phone"))
    for value, key in ((s.guest_name, "ask_name"), (s.email, "ask_email"), (s.phone, "ask_phone")):
        if not value:
            return answer(Step.ASK_GUEST, s, msg.say(key, room=room.name))
    stay = s.stay
    assert stay is not None and s.adults is not None and s.quote_currency is not None
    summary = msg.say(
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
    return answer(Step.CONFIRM_BOOKING, s, summary)


async def book(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    s, lang = slots, msg.language
    room, stay = s.chosen(), s.stay
    assert room is not None and stay is not None and s.adults is not None
    first, _, last = (s.guest_name or "").partition(" ")
    request = BookingRequest(
        stay=stay_query(s),
        room_type_id=room.room_type_id,
        guest=GuestDetails(first or "-", last or "-", s.email or "", s.phone or ""),
        # One key per guest session, attempt and stay: a repeated "yes" never books twice.
        idempotency_key=f"{msg.session_id}:{s.attempt}:{room.room_type_id}:{stay[0]}:{stay[1]}",
        quoted_total=Decimal(room.total),
    )
    try:
        record = await deps.reservations.reserve(request, session_id=msg.session_id, party=(s.adults, s.children or 0))
    except BookingsDisabledError:
        return hand_off(msg, s, "bookings_disabled", "handoff_bookings_off")
    except RoomsNotAvailableError:
        return (await quote(msg, replace(s, room_type_id=None), deps)).after(msg.say("rooms_gone"))
    except PmsRejectedError as exc:
        return answer(Step.IDLE, s, msg.say("booking_refused", reason=str(exc)))
    except PmsUnavailableError:
        return hand_off(msg, s, "pms_unavailable", "handoff_pms")
    if record.status == "pending":
        said = msg.say("booked_pending", reference=record.reference)
    else:
        said = msg.say(
            "booked",
            reference=record.reference,
            room=room.name,
            stay=format_stay(stay[0], stay[1], lang),
            total=format_money(
                record.total_price or Decimal(room.total), record.currency or s.quote_currency or "", lang
            ),
        )
    done = replace(s.without_booking(), last_reference=record.reference, attempt=s.attempt + 1)
    return answer(Step.IDLE, done, said)
