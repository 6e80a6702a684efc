"""``/admin/conversations``: conversations staff own (handoff), replying, and giving them back."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import EmailDep, StorageDep
from agente.api.openapi import error_responses
from agente.channels.email.jobs import CHANNEL as EMAIL
from agente.channels.email.relay import EmailRelay
from agente.channels.storable import StorableText
from agente.channels.whatsapp.relay import CHANNEL, SEND_JOB, send_ordering_key
from agente.conversation.dialogue.state import SessionStatus, Slots, Step
from agente.conversation.replies.render import render
from agente.ops import audit
from agente.storage.repositories.messages import MessageRecord
from agente.storage.repositories.sessions import SessionRecord
from agente.storage.unit_of_work import UnitOfWork

# Messages a summary shows, the most recent.
RECENT = 10

router = APIRouter(prefix="/admin/conversations", tags=["admin"], dependencies=[Depends(require_admin)])


class StaffReply(BaseModel):
    text: StorableText = Field(min_length=1, max_length=4000)


def _summary(convo: SessionRecord, messages: list[MessageRecord]) -> dict[str, Any]:
    slots = Slots.from_json(convo.slots)
    return {
        "id": str(convo.id),
        "status": convo.status,
        "channel": convo.channel,
        "guest": {"id": convo.external_id, "name": slots.guest_name, "email": slots.email, "phone": slots.phone},
        "language": convo.language,
        "handoff_reason": slots.handoff_reason,
        "wants": slots.goal or next((m.intent for m in reversed(messages) if m.direction == "in" and m.intent), None),
        "stay": {
            "check_in": slots.check_in,
            "check_out": slots.check_out,
            "adults": slots.adults,
            "children": slots.children,
            "rooms": slots.rooms,
            "room_type_id": slots.room_type_id,
        },
        "last_quote": {
            "currency": slots.quote_currency,
            "stale": slots.quote_stale,
            "rooms": [
                {"room_type_id": q.room_type_id, "name": q.name, "nightly": q.nightly, "total": q.total}
                for q in slots.quote
            ],
        },
        "booking_ref": slots.booking_ref or slots.last_reference,
        "updated_at": convo.updated_at.isoformat(),
        "recent_messages": [
            {"direction": m.direction, "text": m.text, "at": m.created_at.isoformat()} for m in messages
        ],
    }


async def _load(uow: UnitOfWork, conversation_id: uuid.UUID) -> SessionRecord:
    convo = await uow.sessions.get(conversation_id)
    if convo is None:
        raise HTTPException(404, f"No conversation {conversation_id}.")
    return convo


async def _deliver(uow: UnitOfWork, email: EmailRelay, convo: SessionRecord, text: str) -> None:
    """Store an outbound message; on WhatsApp and email, queue it for sending (the web chat reads it)."""
    queued = convo.channel in (CHANNEL, EMAIL)
    message = await uow.messages.add_outbound(
        convo.id, channel=convo.channel, text=text, language=convo.language, status="queued" if queued else "sent"
    )
    if convo.channel == CHANNEL:
        await uow.outbox.enqueue(
            SEND_JOB,
            {"message_id": str(message.id), "to": convo.external_id},
            dedup_key=f"{SEND_JOB}:staff:{message.id}",
            ordering_key=send_ordering_key(convo.external_id),
            max_attempts=12,
        )
    elif convo.channel == EMAIL:
        await email.queue_staff_message(
            uow,
            session_id=convo.id,
            to=convo.external_id,
            outbound_id=message.id,
            language=message.language or "es",
        )


async def _summarised(uow: UnitOfWork, convo: SessionRecord) -> dict[str, Any]:
    recent = await uow.messages.recent([convo.id], per_session=RECENT)
    return _summary(convo, recent[convo.id])


@router.get("")
async def list_conversations(
    storage: StorageDep,
    status: Annotated[Literal["bot", "handoff"], Query()] = "handoff",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Conversations in that status (default: those waiting for staff), most recent first, summarised."""
    async with storage.begin() as uow:
        listed = await uow.sessions.with_status(status, limit=limit)
        # One read of the messages for the whole list (50 conversations: one round trip, not 50).
        recent = await uow.messages.recent([convo.id for convo in listed], per_session=RECENT)
    return {"conversations": [_summary(convo, recent[convo.id]) for convo in listed]}


@router.get("/{conversation_id}", responses=error_responses(404))
async def get_conversation(conversation_id: uuid.UUID, storage: StorageDep) -> dict[str, Any]:
    async with storage.begin() as uow:
        return await _summarised(uow, await _load(uow, conversation_id))


@router.post("/{conversation_id}/reply", responses=error_responses(404))
async def reply(
    conversation_id: uuid.UUID,
    body: Annotated[StaffReply, Depends(json_body(StaffReply))],
    storage: StorageDep,
    email: EmailDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """A member of staff answers the guest; the message is stored and sent on the guest's channel."""
    async with storage.begin() as uow:
        convo = await _load(uow, conversation_id)
        await _deliver(uow, email, convo, body.text)
        await audit.record(
            uow.audit,
            actor=actor,
            action="conversation.reply",
            target=str(convo.id),
            before=None,
            after={"length": len(body.text)},
        )
        return await _summarised(uow, convo)


@router.post("/{conversation_id}/release", responses=error_responses(404, 409))
async def release(conversation_id: uuid.UUID, storage: StorageDep, email: EmailDep, actor: AdminDep) -> dict[str, Any]:
    """Give the conversation back to the agent, which greets the guest again."""
    async with storage.begin() as uow:
        convo = await _load(uow, conversation_id)
        if convo.status != SessionStatus.HANDOFF:
            raise HTTPException(409, f"Conversation {conversation_id} is not with staff.")
        slots = Slots.from_json(convo.slots)
        slots.handoff_reason, slots.misunderstood = None, 0
        released = await uow.sessions.set_status(
            convo.id, status=SessionStatus.BOT, slots=slots.to_json(), step=Step.IDLE.value
        )
        if released is None:  # deleted since it was read
            raise HTTPException(404, f"No conversation {conversation_id}.")
        await _deliver(uow, email, released, render("released", released.language or "es"))
        await audit.record(
            uow.audit,
            actor=actor,
            action="conversation.release",
            target=str(convo.id),
            before={"status": "handoff"},
            after={"status": "bot"},
        )
        return await _summarised(uow, released)
