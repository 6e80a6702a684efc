"""Managing an existing booking: status, cancellation and changes.

Nothing is shown or changed until the guest proves the booking is theirs: the reference
plus the email or the phone it was made with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from agente.conversation.dialogue import cancellation
from agente.conversation.dialogue.booking import fees_note, merge_entities, stay_query, told_back
from agente.conversation.dialogue.state import Goal, QuotedRoom, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off
from agente.conversation.nlu.entities.text import fold, normalise
from agente.conversation.nlu.types import IntentName
from agente.conversation.replies.format import format_money, format_stay, party_text
from agente.conversation.replies.render import status_name
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import BookingChange
from agente.storage.repositories.bookings import StoredBooking

# After this many references that match no booking of the guest, a person takes over.
MAX_FAILED_VERIFICATIONS = 3

# The options the change flow offers, in the guest's words: what to change ("the dates",
# "somos uno más") and a shift of the stay it already has ("one more night", "llegamos un
# día más tarde", "we leave a day earlier"). Matched on the normalised text.
_COUNT = r"(\d{1,2}|una?|an?|one|another|otra)"
_UNIT = r"(?:noches?|nights?|dias?|days?)"
_MORE_NIGHTS = re.compile(
    rf"\b{_COUNT}\s+(?:more|extra)\s+{_UNIT}\b|\b{_COUNT}\s+{_UNIT}\s+(?:mas|more|extra)\b|"
    rf"\b(?:add|adding|anadir|anade|agregar|agrega|sumar|suma|extend\w*|alarg\w*)\s+(?:it\s+|la\s+)?(?:by\s+)?"
    rf"{_COUNT}\s+{_UNIT}\b|\b(another|otra)\s+{_UNIT}\b"
)
_FEWER_NIGHTS = re.compile(
    rf"\b{_COUNT}\s+{_UNIT}\s+(?:menos|less|fewer|shorter)\b|"
    rf"\b(?:quitar|quita|restar|resta|remove|drop|cut|shorten\w*|acort\w*)\s+(?:it\s+|la\s+)?(?:by\s+)?"
    rf"{_COUNT}\s+{_UNIT}\b"
)
_ARRIVE = (
    r"(?:arriv\w*|get\s+there|get\s+in|checkin|come|coming|lleg(?:o|amos|are|aremos|ar|aria|ariamos)|"
    r"entr(?:o|amos|ar))"
)
_LEAVE = (
    r"(?:leav\w*|go|checkout|depart\w*|sal(?:go|imos|dre|dremos|ir)|me\s+voy|nos\s+vamos|irnos|irme|"
    r"dejar\s+la\s+habitacion)"
)
_SHIFT = rf"(?:\w+\s+){{0,3}}?{_COUNT}\s+{_UNIT}\s+(mas\s+tarde|despues|later|antes|earlier|mas\s+pronto|sooner)\b"
_SHIFT_ARRIVAL = re.compile(rf"\b{_ARRIVE}\s+{_SHIFT}")
_SHIFT_DEPARTURE = re.compile(rf"\b{_LEAVE}\s+{_SHIFT}")
_KEEP = re.compile(
    r"\b(?:keep|mantener|manten|conservar|conserva|leave|deja|dejar)\s+(?:la\s+|lo\s+|it\s+|me\s+la\s+)?"
    r"(?:as\s+(?:it\s+)?(?:is|was)|como\s+(?:esta|estaba))\b|"
    r"\b(?:keep|mantener|conservar)\s+(?:it|my\s+booking|the\s+booking|the\s+reservation|la\s+reserva|mi\s+reserva)\b|"
    r"\b(?:mantenla|mantenerla|conservala|conservarla|dejala|dejarla)\b|"
    r"\b(?:no|don'?t|do\s+not)\s+(?:la\s+|lo\s+|me\s+la\s+|it\s+)?(?:cancel|cambi|change)\w*"
)
_CANCEL_IT = re.compile(r"\b(?:cancel\w*|anul\w*)")
_CHANGE_IT = re.compile(r"\b(?:cambi\w*|change\w*|modif\w*|apply|aplica\w*|update|actualiza\w*)")
_ASK_DATES = re.compile(
    r"\b(?:fechas?|dates?|dias?|days?|noches?|nights?|llegada|salida|arrival|departure|checkin|checkout)\b"
)
_ASK_PARTY = re.compile(
    r"\b(?:personas?|people|persons|guests?|huespedes|adultos?|adults?|ninos?|ninas?|children|kids|party|"
    r"ocupantes|occupancy|cuantos\s+somos|how\s+many\s+of\s+us)\b"
)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else 1


def shifted(msg: Message, slots: Slots) -> Slots | None:
    """The booking's stay moved as the guest says ("one more night", "we arrive a day later"),
    or None when the message moves nothing."""
    stay = slots.stay
    if stay is None:
        return None
    text = normalise(msg.text, msg.language)
    check_in, check_out = stay
    if found := _MORE_NIGHTS.search(text):
        check_out += timedelta(days=_count(next(g for g in found.groups() if g)))
    elif found := _FEWER_NIGHTS.search(text):
        check_out -= timedelta(days=_count(next(g for g in found.groups() if g)))
    elif found := _SHIFT_ARRIVAL.search(text):
        check_in += _shift(found)
    elif found := _SHIFT_DEPARTURE.search(text):
        check_out += _shift(found)
    else:
        return None
    return replace(slots, check_in=check_in.isoformat(), check_out=check_out.isoformat())


def _shift(found: re.Match[str]) -> timedelta:
    days = _count(found.group(1))
    later = found.group(2) in ("mas tarde", "despues", "later")
    return timedelta(days=days if later else -days)


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _owns(record: StoredBooking, email: str | None, phone: str | None) -> bool:
    if email and email.strip().lower() == record.guest_email.lower():
        return True
    wanted, known = _digits(phone), _digits(record.guest_phone)
    # The last nine digits: the same number written with or without its country code.
    return len(wanted) >= 9 and wanted[-9:] == known[-9:]


async def _room_name(deps: Deps, room_type_id: int) -> str:
    try:
        room_types = await deps.pms.room_types()
    except PmsUnavailableError:
        return f"#{room_type_id}"
    return next((rt.name for rt in room_types if rt.id == room_type_id), f"#{room_type_id}")


async def _fits(deps: Deps, room_type_id: int, adults: int, children: int) -> bool:
    """Whether one room of the type takes this party (true when the catalog cannot be read)."""
    try:
        room_types = await deps.pms.room_types()
    except PmsUnavailableError:
        return True
    room_type = next((rt for rt in room_types if rt.id == room_type_id), None)
    return room_type is None or room_type.fits(adults, children)


async def start(msg: Message, slots: Slots, deps: Deps, goal: Goal) -> Outcome:
    """Start checking, cancelling or changing a booking.

    The booking is the one named, else the one already under discussion, else the only one
    this session has proved to be the guest's: a guest who checked a booking and then asks
    to cancel it is not asked for it again."""
    proved = slots.verified_refs[0] if len(slots.verified_refs) == 1 else None
    reference = msg.entities.booking_ref or slots.booking_ref or proved
    return await verify(msg, replace(slots, goal=goal, booking_ref=reference), deps)


async def verify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Collect reference and email/phone; on a match, carry on with the goal.

    A booking is verified once per session: one proved earlier, or made in this session,
    needs no email or phone again. An email or phone given before the reference is kept
    for it."""
    e = msg.entities
    s = replace(
        slots,
        booking_ref=e.booking_ref or slots.booking_ref,
        email=e.email or slots.email,
        phone=e.phone or slots.phone,
    )
    if not s.booking_ref:
        key = "ask_reference_only" if e.email or e.phone else "ask_reference"
        return answer(Step.VERIFY, s, msg.say(key))
    trusted = s.verified or s.booking_ref == s.last_reference
    if not trusted and not (e.email or e.phone) and (msg.step is not Step.VERIFY or not (s.email or s.phone)):
        return answer(Step.VERIFY, s, msg.say("ask_verification"))
    record = await deps.reservations.by_reference(s.booking_ref)
    if record is None or not (trusted or _owns(record, s.email, s.phone)):
        failures = s.failed_verifications + 1
        if failures >= MAX_FAILED_VERIFICATIONS:
            forgotten = replace(s, booking_ref=None, failed_verifications=0).without_booking()
            return hand_off(msg, forgotten, "verification_failed")
        s = replace(s, booking_ref=None, failed_verifications=failures)
        return answer(Step.VERIFY, s, msg.say("verification_failed"))
    proved = s.verified_refs if record.reference in s.verified_refs else [*s.verified_refs, record.reference]
    s = replace(s, verified_refs=proved, failed_verifications=0, booking_ref=record.reference)
    return await _after_verification(msg, s, deps, record)


async def _after_verification(msg: Message, s: Slots, deps: Deps, record: StoredBooking) -> Outcome:
    lang = msg.language
    room = await _room_name(deps, record.room_type_id)
    stay = format_stay(record.check_in, record.check_out, lang, msg.today)
    if s.goal == Goal.STATUS:
        said = msg.say(
            "status",
            reference=record.reference,
            room=room,
            stay=stay,
            party=party_text(record.adults, record.children, record.rooms, lang),
            status=status_name(record.status, lang),
        )
        return answer(Step.IDLE, s.without_booking(), said)
    if s.goal == Goal.CANCEL:
        if record.status == "cancelled":
            return answer(Step.IDLE, s.without_booking(), msg.say("already_cancelled", reference=record.reference))
        fee = await cancellation.fee_note(msg, deps, record.check_in)
        said = msg.say("confirm_cancel", reference=record.reference, room=room, stay=stay, fee=fee)
        return answer(Step.CONFIRM_CANCEL, s, said)
    s = replace(
        s,
        check_in=record.check_in.isoformat(),
        check_out=record.check_out.isoformat(),
        adults=record.adults,
        children=record.children,
        rooms=record.rooms,
        room_type_id=record.room_type_id,
    )
    changed = changed_stay(msg, s)
    if changed is not None:
        # "Can I change AH… to the 15th-18th?", "we need one more night": said with the request.
        return await propose_change(msg, changed, deps)
    asked = ask_what_to_change(msg, s)  # "can I change the dates of AH…?"
    return asked or answer(Step.MODIFY_WHAT, s, msg.say("modify_what", reference=record.reference))


async def cancel(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    record = await deps.reservations.by_reference(slots.booking_ref or "")
    if record is None:
        return answer(Step.IDLE, slots, msg.say("verification_failed"))
    try:
        await deps.reservations.cancel(record.reference)
    except PmsUnavailableError:
        return hand_off(msg, slots, "pms_unavailable", "handoff_pms")
    # Whether this booking is charged, not the policy again (nor an offer to cancel it).
    fee = await cancellation.fee_note(msg, deps, record.check_in)
    return answer(Step.IDLE, slots.without_booking(), msg.say("cancelled", reference=record.reference, fee=fee))


def changed_stay(msg: Message, slots: Slots) -> Slots | None:
    """The booking's stay or party as the guest now wants it, or None when the message changes neither."""
    moved = shifted(msg, slots)
    if moved is not None:
        return moved
    merged, changed, _ = merge_entities(msg, slots)
    return merged if changed else None


def ask_what_to_change(msg: Message, slots: Slots) -> Outcome | None:
    """ "The dates" or "the number of guests", answering what to change: ask for the new ones."""
    text = normalise(msg.text, msg.language)
    if _ASK_DATES.search(text):
        return answer(Step.MODIFY_WHAT, slots, msg.say("modify_ask_dates"))
    if _ASK_PARTY.search(text):
        return answer(Step.MODIFY_WHAT, slots, msg.say("modify_ask_party"))
    return None


def keeps(msg: Message) -> bool:
    """The guest keeps the booking as it is ("keep it", "no la canceles", "déjala como está")."""
    return _KEEP.search(fold(msg.text)) is not None


def confirms(msg: Message, goal: Goal) -> bool:
    """The guest answers the cancellation's or the change's question with its own words
    ("sí, cancélala", "go ahead and cancel it", "cámbiala"): the goal's verb, not negated."""
    words = _CANCEL_IT if goal == Goal.CANCEL else _CHANGE_IT
    asked = msg.means(IntentName.CANCEL_BOOKING if goal == Goal.CANCEL else IntentName.MODIFY_BOOKING)
    return not keeps(msg) and (asked or words.search(fold(msg.text)) is not None)


async def propose_change(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Quote the booking with the new stay or party and ask for confirmation."""
    s, lang = slots, msg.language
    told = told_back(msg, s, Step.MODIFY_WHAT)
    if told is not None:
        return told
    stay = s.stay
    if stay is None or s.adults is None:
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_what", reference=s.booking_ref))
    if stay[1] <= stay[0] or stay[0] < msg.today:
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_ask_dates"))
    query = replace(stay_query(s), room_type_id=s.room_type_id)
    try:
        availability = await deps.pms.availability(query)
    except PmsUnavailableError:
        return hand_off(msg, s, "pms_unavailable", "handoff_pms")
    offer = next((o for o in availability.offers if o.room_type_id == s.room_type_id), None)
    if offer is None and not await _fits(deps, s.room_type_id or 0, query.adults, query.children):
        room = await _room_name(deps, s.room_type_id or 0)
        party = party_text(s.adults, s.children or 0, s.rooms or 1, lang)
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_party_does_not_fit", room=room, party=party))
    record = await deps.reservations.by_reference(s.booking_ref or "")
    # The booking's own rooms are free for its own new dates only if they overlap; the PMS
    # decides for sure when the change is made, so a missing offer is not final here when
    # the stay overlaps the current one.
    if offer is None and not (record and record.check_in < stay[1] and stay[0] < record.check_out):
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_unavailable"))
    # What the PMS would charge for the changed booking: the rooms and the fees it adds.
    total = offer.charged_total if offer else (record.total_price if record and record.total_price else Decimal(0))
    currency = offer.currency if offer else (record.currency if record and record.currency else availability.currency)
    room = await _room_name(deps, s.room_type_id or 0)
    said = msg.say(
        "confirm_modify",
        room=room,
        stay=format_stay(stay[0], stay[1], lang, msg.today),
        party=party_text(s.adults, s.children or 0, s.rooms or 1, lang),
        total=format_money(total, currency, lang),
        fees_note=fees_note(msg, offer.fees, currency) if offer else "",
    )
    if offer is not None:
        # The PMS's price for the change is the quote under discussion: "how much in total?" reads it.
        proposal = QuotedRoom(offer.room_type_id, room, str(offer.nightly_price), str(offer.total_price), None)
        s = replace(s, quote=[proposal], quote_currency=offer.currency, quote_stale=availability.stale)
    return answer(Step.CONFIRM_MODIFY, s, said)


async def modify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    s, lang = slots, msg.language
    stay = s.stay
    assert stay is not None
    per_room = stay_query(s)  # the PMS counts people per room
    change = BookingChange(
        check_in=stay[0], check_out=stay[1], adults=per_room.adults, children=per_room.children, rooms=per_room.rooms
    )
    try:
        record = await deps.reservations.modify(s.booking_ref or "", change)
    except RoomsNotAvailableError:
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_unavailable"))
    except PmsRejectedError as exc:
        return answer(Step.IDLE, s, msg.say("booking_refused", reason=str(exc)))
    except PmsUnavailableError:
        return hand_off(msg, s, "pms_unavailable", "handoff_pms")
    said = msg.say(
        "modified",
        reference=record.reference,
        room=await _room_name(deps, record.room_type_id),
        stay=format_stay(record.check_in, record.check_out, lang, msg.today),
        party=party_text(record.adults, record.children, record.rooms, lang),
        total=format_money(record.total_price or Decimal(0), record.currency or "", lang),
    )
    return answer(Step.IDLE, s.without_booking(), said)


def declined(msg: Message, slots: Slots) -> Outcome:
    """The guest said no: drop what was under way, and say what was dropped."""
    goal, reference = slots.goal, slots.booking_ref
    if goal in (Goal.CANCEL, Goal.MODIFY) and reference:
        key = "cancel_dropped" if goal == Goal.CANCEL else "modify_dropped"
    elif goal in (Goal.CANCEL, Goal.MODIFY, Goal.STATUS):
        key = "ok_anything_else"  # nothing was found or verified: there is no booking to talk about
    else:
        key = "booking_dropped"
    return answer(Step.IDLE, slots.without_booking(), msg.say(key, reference=reference))
