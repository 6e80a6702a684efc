"""The booking flow: stay → quote → room → guest details → confirmation → booking.

Prices come only from the PMS; the quote keeps the PMS's figures as text and the summary
repeats them. Every total told is what the PMS charges: the rooms plus the fees it adds
(such as QloApps' automatic "Internet Handling Charges"), each fee named beside it. A
correction at any step ("mejor 3 adultos", "actually the 14th") updates the slots and
quotes again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from agente.conversation.dialogue import guest
from agente.conversation.dialogue.state import Goal, QuotedRoom, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off
from agente.conversation.nlu.entities.room_choice import RoomChoice, extract_room_choice
from agente.conversation.nlu.types import Entities, IntentName
from agente.conversation.replies.format import format_calendar_day, format_day, format_money, format_stay, party_text
from agente.conversation.replies.render import render
from agente.observability import tracing
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import Availability, BookingRequest, Fee, GuestDetails, StayQuery
from agente.reservations.errors import BookingsDisabledError


def _merged_dates(e: Entities, s: Slots, step: Step) -> tuple[str | None, str | None]:
    if e.no_such_day is not None:
        # Only what the message said validly stays; the day that does not exist is asked again.
        return (e.check_in.isoformat() if e.check_in else None, e.check_out.isoformat() if e.check_out else None)
    check_in, check_out = s.check_in, s.check_out
    if step is Step.ASK_STAY and s.check_in and not s.check_out and e.check_in and not (e.check_out or e.nights):
        # "Arriving the 14th: until which day?" - "the 17th": a day after the arrival answers it.
        if e.check_in > date.fromisoformat(s.check_in):
            return check_in, e.check_in.isoformat()
    if e.check_in:
        check_in = e.check_in.isoformat()
        if not e.check_out and not e.nights:
            # "Actually the 14th": a new arrival keeps the length of the stay already discussed;
            # an arrival given after the departure alone ("el 28") keeps that departure.
            previous = s.stay
            if previous:
                check_out = (e.check_in + (previous[1] - previous[0])).isoformat()
            elif not (s.check_out and date.fromisoformat(s.check_out) > e.check_in):
                check_out = None
    if e.check_out:
        check_out = e.check_out.isoformat()
    elif e.nights and (e.check_in or s.check_in):
        start = e.check_in or date.fromisoformat(s.check_in or "")
        check_out = (start + timedelta(days=e.nights)).isoformat()
    return check_in, check_out


def merge_entities(msg: Message, slots: Slots) -> tuple[Slots, bool, bool]:
    """The slots with what the guest just said; and whether (the stay or party, the room) changed."""
    e, s = msg.entities, slots
    check_in, check_out = _merged_dates(e, s, msg.step)
    said_dates = e.check_in or e.check_out or e.nights or e.no_such_day or e.reversed_stay
    merged = replace(
        s,
        check_in=check_in,
        check_out=check_out,
        # New dates, or none: an offer of the stay the other way round does not outlive them.
        proposed_check_in=None if said_dates else s.proposed_check_in,
        proposed_check_out=None if said_dates else s.proposed_check_out,
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
    # Dates told back (a day that does not exist, a departure before the arrival) are news too.
    told_back = e.no_such_day is not None or e.reversed_stay is not None
    return merged, stay != new_stay or told_back, s.room_type_id != merged.room_type_id


def told_back(msg: Message, slots: Slots, step: Step) -> Outcome | None:
    """Dates that cannot be taken as said, named back and asked again at ``step``: a day the
    calendar does not have ("30 de febrero"), or a departure before the arrival, offered the
    likely way round ("del 5 al 3 de enero" -> "¿quieres decir del 3 al 5 de enero?"); None
    when the message's dates are fine."""
    e, lang = msg.entities, msg.language
    if e.no_such_day is not None:
        missing = e.no_such_day
        day = format_calendar_day(missing.day, missing.month, missing.year, lang)
        if slots.check_out and not slots.check_in:
            question = msg.say(
                "ask_check_in", check_out=format_day(date.fromisoformat(slots.check_out), lang, msg.today)
            )
        elif slots.check_in and not slots.check_out:
            question = msg.say(
                "ask_check_out", check_in=format_day(date.fromisoformat(slots.check_in), lang, msg.today)
            )
        else:
            question = msg.say("ask_dates")
        return answer(step, slots, msg.say("no_such_day", day=day), question)
    if e.reversed_stay is not None:
        check_in, check_out = e.reversed_stay
        offered = replace(slots, proposed_check_in=check_in.isoformat(), proposed_check_out=check_out.isoformat())
        return answer(step, offered, msg.say("reversed_stay", stay=format_stay(check_in, check_out, lang, msg.today)))
    return None


def offered_stay(slots: Slots) -> Slots:
    """The slots with the stay offered back taken as the stay."""
    return replace(
        slots,
        check_in=slots.proposed_check_in,
        check_out=slots.proposed_check_out,
        proposed_check_in=None,
        proposed_check_out=None,
    )


async def ask_or_quote(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Ask for what the stay still lacks, or quote it."""
    s, e = slots, msg.entities
    told = told_back(msg, s, Step.ASK_STAY)
    if told is not None:
        return told
    if e.dates_in_past:
        past = e.check_in or e.check_out or msg.today
        said = msg.say("dates_in_past", day=format_day(past, msg.language, msg.today))
        return answer(Step.ASK_STAY, replace(s, check_in=None, check_out=None), said)
    if not s.check_in:
        if s.check_out:
            departure = format_day(date.fromisoformat(s.check_out), msg.language, msg.today)
            return answer(Step.ASK_STAY, s, msg.say("ask_check_in", check_out=departure))
        return answer(Step.ASK_STAY, s, msg.say("ask_dates"))
    if not s.check_out:
        arrival = format_day(date.fromisoformat(s.check_in), msg.language, msg.today)
        return answer(Step.ASK_STAY, s, msg.say("ask_check_out", check_in=arrival))
    check_in, check_out = date.fromisoformat(s.check_in), date.fromisoformat(s.check_out)
    if check_in < msg.today:
        said = msg.say("dates_in_past", day=format_day(check_in, msg.language, msg.today))
        return answer(Step.ASK_STAY, replace(s, check_in=None, check_out=None), said)
    if check_out <= check_in:
        return answer(Step.ASK_STAY, replace(s, check_in=None, check_out=None), msg.say("ask_dates"))
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
    stay_text = format_stay(q.check_in, q.check_out, lang, msg.today)
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
                max_adults=o.max_adults,
                max_children=o.max_children,
            )
            for o in availability.offers
        ],
        quote_currency=availability.currency,
        quote_stale=availability.stale,
    )
    header = "quote_header_stale" if availability.stale else "quote_header"
    replies = [msg.say(header, stay=stay_text, party=party)]
    for n, o in enumerate(availability.offers, start=1):
        nightly = format_money(o.nightly_price, o.currency, lang)
        total = format_money(o.charged_total, o.currency, lang)
        if o.fees:
            replies.append(
                msg.say(
                    "quote_line_fees",
                    n=n,
                    name=o.name,
                    nightly=nightly,
                    stay_total=format_money(o.total_price, o.currency, lang),
                    fees="".join(f" + {item}" for item in fee_items(msg, o.fees, o.currency)),
                    total=total,
                )
            )
        else:
            replies.append(msg.say("quote_line", n=n, name=o.name, nightly=nightly, total=total))
    if s.room_type_id is not None and s.chosen() is not None and s.goal == Goal.BOOK:
        return ask_guest(msg, s).after(*replies)
    return answer(Step.CHOOSE_ROOM, s, *replies, msg.say("quote_footer"))


def fee_items(msg: Message, fees: tuple[Fee, ...], currency: str) -> list[str]:
    """Each fee the PMS adds, named with its amount ("Internet Handling Charges USD 260.00")."""
    return [msg.say("fee_item", fee=fee.name, amount=format_money(fee.amount, currency, msg.language)) for fee in fees]


def fees_note(msg: Message, fees: tuple[Fee, ...], currency: str) -> str:
    """What a total told includes besides the rooms (" (including ...)"); empty without fees."""
    return msg.say("fees_included", fees=", ".join(fee_items(msg, fees, currency))) if fees else ""


def quoted_fees(room: QuotedRoom) -> tuple[Fee, ...]:
    return tuple(Fee(fee["name"], Decimal(fee["amount"]), fee["per"]) for fee in room.fees)


def quoted_room(choice: RoomChoice, quote: list[QuotedRoom]) -> QuotedRoom | None:
    """The room of ``quote`` that ``choice`` points at, or None when it points at none."""
    if not quote:
        return None
    if choice.kind == "number":
        n = choice.value or 0
        return quote[n - 1] if 1 <= n <= len(quote) else None
    if choice.kind == "last":
        return quote[-1]
    if choice.kind == "cheapest":
        return min(quote, key=lambda q: Decimal(q.total))
    if choice.kind == "priciest":
        return max(quote, key=lambda q: Decimal(q.total))
    if any(q.max_adults is None for q in quote):
        return None  # a quote kept without the rooms' sizes cannot be chosen by size
    if choice.kind == "fits":
        fitting = [q for q in quote if (q.max_adults or 0) >= (choice.value or 0)]
        # The smallest room that takes them; between equals, the cheaper.
        return min(fitting, key=lambda q: (q.max_adults or 0, Decimal(q.total)), default=None)

    def size(q: QuotedRoom) -> tuple[int, int]:
        return (q.max_adults or 0) + (q.max_children or 0), q.max_adults or 0

    if choice.kind == "largest":
        return max(quote, key=lambda q: (size(q), -Decimal(q.total)))
    return min(quote, key=lambda q: (size(q), Decimal(q.total)))


def room_answered(msg: Message, slots: Slots) -> int | None:
    """The room of the quote the message chooses: by number, ordinal, what it is ("the
    cheapest", "la más grande", "the one for 4") or a word of its name; None for none."""
    s = slots
    choice = extract_room_choice(msg.text, msg.language)
    if choice is not None and not (choice.kind == "number" and msg.entities.adults is not None):
        room = quoted_room(choice, s.quote)
        return room.room_type_id if room is not None else None
    # A word of a quoted room's name ("general", "la ejecutiva") names it when only one matches.
    words = set(re.findall(r"[a-záéíóúñ]{4,}", msg.text.lower()))
    named = [q for q in s.quote if words & {w.lower().rstrip("s") for w in q.name.split()}]
    return named[0].room_type_id if len(named) == 1 else None


def pick_room(msg: Message, slots: Slots) -> Outcome | None:
    """The room the guest chose from the quote, asked about; None when the message chooses none."""
    s = slots
    mention = msg.entities.room_type
    if mention is not None and mention.room_type_id is not None and s.chosen() is not None:
        return ask_guest(msg, s)
    chosen = room_answered(msg, s)
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
    s, ask_again = guest.check(msg, s)
    if ask_again is not None:
        return ask_again
    for value, key in ((s.guest_name, "ask_name"), (s.email, "ask_email"), (s.phone, "ask_phone")):
        if not value:
            return answer(Step.ASK_GUEST, s, msg.say(key, room=room.name))
    stay = s.stay
    assert stay is not None and s.adults is not None and s.quote_currency is not None
    summary = msg.say(
        "confirm_booking",
        room=room.name,
        stay=format_stay(stay[0], stay[1], lang, msg.today),
        party=party_text(s.adults, s.children or 0, s.rooms or 1, lang),
        total=format_money(room.charged(), s.quote_currency, lang),
        fees_note=fees_note(msg, quoted_fees(room), s.quote_currency),
        stale_note=render("stale_note", lang) if s.quote_stale else "",
        name=s.guest_name,
        email=s.email,
        phone=guest.display_phone(s.phone or ""),
    )
    return answer(Step.CONFIRM_BOOKING, s, summary)


async def book(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    s, lang = slots, msg.language
    room, stay = s.chosen(), s.stay
    assert room is not None and stay is not None and s.adults is not None
    first, last = guest.split_name(s.guest_name or "")
    request = BookingRequest(
        stay=stay_query(s),
        room_type_id=room.room_type_id,
        guest=GuestDetails(first or "-", last or "-", s.email or "", s.phone or ""),
        # One key per guest session, attempt and stay: a repeated "yes" never books twice.
        idempotency_key=f"{msg.session_id}:{s.attempt}:{room.room_type_id}:{stay[0]}:{stay[1]}",
        quoted_total=room.charged(),
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
            stay=format_stay(stay[0], stay[1], lang, msg.today),
            # The PMS's total for the booking it made; the quote's only if it gave none.
            total=format_money(record.total_price or room.charged(), record.currency or s.quote_currency or "", lang),
        )
    done = replace(s.without_booking(), last_reference=record.reference, attempt=s.attempt + 1)
    return answer(Step.IDLE, done, said)
