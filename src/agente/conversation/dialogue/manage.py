"""Managing an existing booking: status, cancellation and changes.

Nothing is shown or changed until the guest proves the booking is theirs: the reference
plus the email or the phone it was made with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from agente.conversation.dialogue.booking import stay_query
from agente.conversation.dialogue.state import Step
from agente.conversation.dialogue.turn import Deps, Turn
from agente.conversation.replies.format import format_money, format_stay, party_text
from agente.conversation.replies.render import render, status_name
from agente.pms.errors import PmsRejectedError, PmsUnavailableError, RoomsNotAvailableError
from agente.pms.types import BookingChange
from agente.storage.models import BookingRecord

# After this many references that match no booking of the guest, a person takes over.
MAX_FAILED_VERIFICATIONS = 3


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _owns(record: BookingRecord, email: str | None, phone: str | None) -> bool:
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


async def start(turn: Turn, deps: Deps, goal: str) -> None:
    s = turn.slots
    s.goal, s.verified = goal, False
    await verify(turn, deps)


async def verify(turn: Turn, deps: Deps) -> None:
    """Collect reference and email/phone; on a match, carry on with the goal."""
    s, e = turn.slots, turn.parse.entities
    s.booking_ref = e.booking_ref or s.booking_ref
    email, phone = e.email or s.email, e.phone or s.phone
    if not s.booking_ref:
        turn.say("ask_reference")
        turn.step = Step.VERIFY
        return
    if not (e.email or e.phone) and not s.verified and turn.step is not Step.VERIFY:
        turn.say("ask_verification")
        turn.step = Step.VERIFY
        return
    record = await deps.reservations.by_reference(s.booking_ref)
    if record is None or not _owns(record, email, phone):
        s.booking_ref = None
        s.failed_verifications += 1
        if s.failed_verifications >= MAX_FAILED_VERIFICATIONS:
            s.failed_verifications = 0
            s.forget_booking()
            turn.hand_off("verification_failed")
            return
        turn.say("verification_failed")
        turn.step = Step.VERIFY
        return
    s.verified, s.failed_verifications = True, 0
    s.booking_ref = record.reference
    await _after_verification(turn, deps, record)


async def _after_verification(turn: Turn, deps: Deps, record: BookingRecord) -> None:
    s, lang = turn.slots, turn.language
    room = await _room_name(deps, record.room_type_id)
    stay = format_stay(record.check_in, record.check_out, lang)
    if s.goal == "status":
        turn.say(
            "status",
            reference=record.reference,
            room=room,
            stay=stay,
            party=party_text(record.adults, record.children, record.rooms, lang),
            status=status_name(record.status, lang),
        )
        s.forget_booking()
        turn.step = Step.IDLE
    elif s.goal == "cancel":
        if record.status == "cancelled":
            turn.say("already_cancelled", reference=record.reference)
            s.forget_booking()
            turn.step = Step.IDLE
            return
        turn.say("confirm_cancel", reference=record.reference, room=room, stay=stay)
        turn.step = Step.CONFIRM_CANCEL
    else:
        s.check_in, s.check_out = record.check_in.isoformat(), record.check_out.isoformat()
        s.adults, s.children, s.rooms = record.adults, record.children, record.rooms
        s.room_type_id = record.room_type_id
        turn.say("modify_what", reference=record.reference)
        turn.step = Step.MODIFY_WHAT


async def cancel(turn: Turn, deps: Deps) -> None:
    s = turn.slots
    record = await deps.reservations.by_reference(s.booking_ref or "")
    if record is None:
        turn.say("verification_failed")
        turn.step = Step.IDLE
        return
    try:
        await deps.reservations.cancel(record.reference)
    except PmsUnavailableError:
        turn.hand_off("pms_unavailable", "handoff_pms")
        return
    policy = await deps.facts.answer("cancellation_policy", turn.language) or ""
    turn.say("cancelled", reference=record.reference, policy=policy)
    s.forget_booking()
    turn.step = Step.IDLE


async def propose_change(turn: Turn, deps: Deps) -> None:
    """Quote the booking with the new stay or party and ask for confirmation."""
    s, lang = turn.slots, turn.language
    stay = s.stay
    if stay is None or s.adults is None:
        turn.say("modify_what", reference=s.booking_ref)
        turn.step = Step.MODIFY_WHAT
        return
    query = replace(stay_query(s), room_type_id=s.room_type_id)
    try:
        answer = await deps.pms.availability(query)
    except PmsUnavailableError:
        turn.hand_off("pms_unavailable", "handoff_pms")
        return
    offer = next((o for o in answer.offers if o.room_type_id == s.room_type_id), None)
    record = await deps.reservations.by_reference(s.booking_ref or "")
    # The booking's own rooms are free for its own new dates only if they overlap; the PMS
    # decides for sure when the change is made, so a missing offer is not final here when
    # the stay overlaps the current one.
    if offer is None and not (record and record.check_in < stay[1] and stay[0] < record.check_out):
        turn.say("modify_unavailable")
        turn.step = Step.MODIFY_WHAT
        return
    total = offer.total_price if offer else (record.total_price if record and record.total_price else Decimal(0))
    currency = offer.currency if offer else (record.currency if record and record.currency else answer.currency)
    turn.say(
        "confirm_modify",
        room=await _room_name(deps, s.room_type_id or 0),
        stay=format_stay(stay[0], stay[1], lang),
        party=party_text(s.adults, s.children or 0, s.rooms or 1, lang),
        total=format_money(total, currency, lang),
    )
    turn.step = Step.CONFIRM_MODIFY


async def modify(turn: Turn, deps: Deps) -> None:
    s, lang = turn.slots, turn.language
    stay = s.stay
    assert stay is not None
    per_room = stay_query(s)  # the PMS counts people per room
    change = BookingChange(
        check_in=stay[0], check_out=stay[1], adults=per_room.adults, children=per_room.children, rooms=per_room.rooms
    )
    try:
        record = await deps.reservations.modify(s.booking_ref or "", change)
    except RoomsNotAvailableError:
        turn.say("modify_unavailable")
        turn.step = Step.MODIFY_WHAT
        return
    except PmsRejectedError as exc:
        turn.say("booking_refused", reason=str(exc))
        turn.step = Step.IDLE
        return
    except PmsUnavailableError:
        turn.hand_off("pms_unavailable", "handoff_pms")
        return
    turn.say(
        "modified",
        reference=record.reference,
        room=await _room_name(deps, record.room_type_id),
        stay=format_stay(record.check_in, record.check_out, lang),
        party=party_text(record.adults, record.children, record.rooms, lang),
        total=format_money(record.total_price or Decimal(0), record.currency or "", lang),
    )
    s.forget_booking()
    turn.step = Step.IDLE


def declined(turn: Turn) -> None:
    goal, reference = turn.slots.goal, turn.slots.booking_ref
    if goal in ("cancel", "modify") and reference:
        key = "cancel_dropped" if goal == "cancel" else "modify_dropped"
    elif goal in ("cancel", "modify", "status"):
        key = "ok_anything_else"  # nothing was found or verified: there is no booking to talk about
    else:
        key = "booking_dropped"
    turn.replies.append(render(key, turn.language, reference=reference))
    turn.slots.forget_booking()
    turn.step = Step.IDLE
