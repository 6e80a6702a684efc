"""Managing an existing booking: status, cancellation and changes.

Nothing is shown or changed until the guest proves the booking is theirs: the reference
plus the email or the phone it was made with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from agente.conversation.dialogue.booking import fees_note, stay_query, told_back
from agente.conversation.dialogue.state import Goal, Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome, answer, hand_off
from agente.conversation.replies.format import format_money, format_stay, party_text
from agente.conversation.replies.render import status_name
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import BookingChange
from agente.storage.repositories.bookings import StoredBooking

# After this many references that match no booking of the guest, a person takes over.
MAX_FAILED_VERIFICATIONS = 3


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


async def start(msg: Message, slots: Slots, deps: Deps, goal: Goal) -> Outcome:
    return await verify(msg, replace(slots, goal=goal, verified=False), deps)


async def verify(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Collect reference and email/phone; on a match, carry on with the goal."""
    e = msg.entities
    s = replace(slots, booking_ref=e.booking_ref or slots.booking_ref)
    email, phone = e.email or s.email, e.phone or s.phone
    if not s.booking_ref:
        return answer(Step.VERIFY, s, msg.say("ask_reference"))
    if not (e.email or e.phone) and not s.verified and msg.step is not Step.VERIFY:
        return answer(Step.VERIFY, s, msg.say("ask_verification"))
    record = await deps.reservations.by_reference(s.booking_ref)
    if record is None or not _owns(record, email, phone):
        failures = s.failed_verifications + 1
        if failures >= MAX_FAILED_VERIFICATIONS:
            forgotten = replace(s, booking_ref=None, failed_verifications=0).without_booking()
            return hand_off(msg, forgotten, "verification_failed")
        s = replace(s, booking_ref=None, failed_verifications=failures)
        return answer(Step.VERIFY, s, msg.say("verification_failed"))
    s = replace(s, verified=True, failed_verifications=0, booking_ref=record.reference)
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
        return answer(
            Step.CONFIRM_CANCEL, s, msg.say("confirm_cancel", reference=record.reference, room=room, stay=stay)
        )
    s = replace(
        s,
        check_in=record.check_in.isoformat(),
        check_out=record.check_out.isoformat(),
        adults=record.adults,
        children=record.children,
        rooms=record.rooms,
        room_type_id=record.room_type_id,
    )
    return answer(Step.MODIFY_WHAT, s, msg.say("modify_what", reference=record.reference))


async def cancel(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    record = await deps.reservations.by_reference(slots.booking_ref or "")
    if record is None:
        return answer(Step.IDLE, slots, msg.say("verification_failed"))
    try:
        await deps.reservations.cancel(record.reference)
    except PmsUnavailableError:
        return hand_off(msg, slots, "pms_unavailable", "handoff_pms")
    policy = await deps.facts.answer("cancellation_policy", msg.language) or ""
    return answer(Step.IDLE, slots.without_booking(), msg.say("cancelled", reference=record.reference, policy=policy))


async def propose_change(msg: Message, slots: Slots, deps: Deps) -> Outcome:
    """Quote the booking with the new stay or party and ask for confirmation."""
    s, lang = slots, msg.language
    told = told_back(msg, s, Step.MODIFY_WHAT)
    if told is not None:
        return told
    stay = s.stay
    if stay is None or s.adults is None:
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_what", reference=s.booking_ref))
    query = replace(stay_query(s), room_type_id=s.room_type_id)
    try:
        availability = await deps.pms.availability(query)
    except PmsUnavailableError:
        return hand_off(msg, s, "pms_unavailable", "handoff_pms")
    offer = next((o for o in availability.offers if o.room_type_id == s.room_type_id), None)
    record = await deps.reservations.by_reference(s.booking_ref or "")
    # The booking's own rooms are free for its own new dates only if they overlap; the PMS
    # decides for sure when the change is made, so a missing offer is not final here when
    # the stay overlaps the current one.
    if offer is None and not (record and record.check_in < stay[1] and stay[0] < record.check_out):
        return answer(Step.MODIFY_WHAT, s, msg.say("modify_unavailable"))
    # What the PMS would charge for the changed booking: the rooms and the fees it adds.
    total = offer.charged_total if offer else (record.total_price if record and record.total_price else Decimal(0))
    currency = offer.currency if offer else (record.currency if record and record.currency else availability.currency)
    said = msg.say(
        "confirm_modify",
        room=await _room_name(deps, s.room_type_id or 0),
        stay=format_stay(stay[0], stay[1], lang, msg.today),
        party=party_text(s.adults, s.children or 0, s.rooms or 1, lang),
        total=format_money(total, currency, lang),
        fees_note=fees_note(msg, offer.fees, currency) if offer else "",
    )
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
