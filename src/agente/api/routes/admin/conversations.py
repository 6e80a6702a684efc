"""``/admin/conversations``: conversations staff own (handoff), replying, and giving them back."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import EmailDep, SessionDep
from agente.api.openapi import error_responses
from agente.channels.email.jobs import CHANNEL as EMAIL
from agente.channels.storable import StorableText
from agente.channels.whatsapp.relay import CHANNEL, SEND_JOB, send_ordering_key
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.replies.render import render
from agente.ops import audit
from agente.storage.models import ConversationSession, Guest, Message
from agente.storage.repositories.audit.sql import SqlAudit
from agente.storage.repositories.outbox.sql import SqlOutbox

# Messages a summary shows, the most recent.
RECENT = 10

router = APIRouter(prefix="/admin/conversations", tags=["admin"], dependencies=[Depends(require_admin)])


class StaffReply(BaseModel):
    text: StorableText = Field(min_length=1, max_length=4000)


def _summary(convo: ConversationSession, guest: Guest, messages: list[Message]) -> dict[str, Any]:
    slots = Slots.from_json(convo.slots)
    return {
        "id": str(convo.id),
        "status": convo.status,
        "channel": convo.channel,
        "guest": {"id": guest.external_id, "name": slots.guest_name, "email": slots.email, "phone": slots.phone},
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


async def _load(session: SessionDep, conversation_id: uuid.UUID) -> tuple[ConversationSession, Guest]:
    convo = await session.get(ConversationSession, conversation_id)
    if convo is None:
        raise HTTPException(404, f"No conversation {conversation_id}.")
    guest = await session.get(Guest, convo.guest_id)
    assert guest is not None
    return convo, guest


async def _deliver(session: SessionDep, email: EmailDep, convo: ConversationSession, guest: Guest, text: str) -> None:
    """Store an outbound message; on WhatsApp and email, queue it for sending (the web chat reads it)."""
    queued = convo.channel in (CHANNEL, EMAIL)
    message = Message(
        session_id=convo.id,
        direction="out",
        channel=convo.channel,
        text=text,
        language=convo.language,
        status="queued" if queued else "sent",
    )
    session.add(message)
    await session.flush()
    if convo.channel == CHANNEL:
        await SqlOutbox(session).enqueue(
            SEND_JOB,
            {"message_id": str(message.id), "to": guest.external_id},
            dedup_key=f"{SEND_JOB}:staff:{message.id}",
            ordering_key=send_ordering_key(guest.external_id),
            max_attempts=12,
        )
    elif convo.channel == EMAIL:
        await email.queue_staff_message(
            session,
            session_id=convo.id,
            to=guest.external_id,
            outbound_id=message.id,
            language=message.language or "es",
        )


async def _recent_messages(session: SessionDep, conversation_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Message]]:
    """The last :data:`RECENT` messages of each conversation, oldest first, in one query
    (a list of 50 conversations is one round trip, not 50); every id is a key of the result."""
    if not conversation_ids:
        return {}
    # The id breaks ties between messages stored in the same instant, so the window and the
    # final order agree on which ten are the last.
    newest_first = func.row_number().over(
        partition_by=Message.session_id, order_by=(Message.created_at.desc(), Message.id.desc())
    )
    ranked = select(Message, newest_first.label("rank")).where(Message.session_id.in_(conversation_ids)).subquery()
    recent = aliased(Message, ranked)
    rows = await session.execute(
        select(recent).where(ranked.c.rank <= RECENT).order_by(ranked.c.created_at, ranked.c.id)
    )
    found: dict[uuid.UUID, list[Message]] = {conversation_id: [] for conversation_id in conversation_ids}
    for message in rows.scalars():
        found[message.session_id].append(message)
    return found


async def _messages(session: SessionDep, conversation_id: uuid.UUID) -> list[Message]:
    """One conversation's last :data:`RECENT` messages, oldest first."""
    return (await _recent_messages(session, [conversation_id]))[conversation_id]


@router.get("")
async def list_conversations(
    session: SessionDep,
    status: Annotated[Literal["bot", "handoff"], Query()] = "handoff",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Conversations in that status (default: those waiting for staff), most recent first, summarised."""
    rows = await session.execute(
        select(ConversationSession, Guest)
        .join(Guest, Guest.id == ConversationSession.guest_id)
        .where(ConversationSession.status == status)
        .order_by(ConversationSession.updated_at.desc())
        .limit(limit)
    )
    listed = rows.all()
    recent = await _recent_messages(session, [convo.id for convo, _ in listed])
    return {"conversations": [_summary(convo, guest, recent[convo.id]) for convo, guest in listed]}


@router.get("/{conversation_id}", responses=error_responses(404))
async def get_conversation(conversation_id: uuid.UUID, session: SessionDep) -> dict[str, Any]:
    convo, guest = await _load(session, conversation_id)
    return _summary(convo, guest, await _messages(session, convo.id))


@router.post("/{conversation_id}/reply", responses=error_responses(404))
async def reply(
    conversation_id: uuid.UUID,
    body: Annotated[StaffReply, Depends(json_body(StaffReply))],
    session: SessionDep,
    email: EmailDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """A member of staff answers the guest; the message is stored and sent on the guest's channel."""
    convo, guest = await _load(session, conversation_id)
    await _deliver(session, email, convo, guest, body.text)
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="conversation.reply",
        target=str(convo.id),
        before=None,
        after={"length": len(body.text)},
    )
    await session.flush()
    return _summary(convo, guest, await _messages(session, convo.id))


@router.post("/{conversation_id}/release", responses=error_responses(404, 409))
async def release(conversation_id: uuid.UUID, session: SessionDep, email: EmailDep, actor: AdminDep) -> dict[str, Any]:
    """Give the conversation back to the agent, which greets the guest again."""
    convo, guest = await _load(session, conversation_id)
    if convo.status != "handoff":
        raise HTTPException(409, f"Conversation {conversation_id} is not with staff.")
    slots = Slots.from_json(convo.slots)
    slots.handoff_reason, slots.misunderstood = None, 0
    convo.status, convo.state, convo.slots = "bot", Step.IDLE.value, slots.to_json()
    convo.version += 1
    await _deliver(session, email, convo, guest, render("released", convo.language or "es"))
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="conversation.release",
        target=str(convo.id),
        before={"status": "handoff"},
        after={"status": "bot"},
    )
    await session.flush()
    return _summary(convo, guest, await _messages(session, convo.id))
