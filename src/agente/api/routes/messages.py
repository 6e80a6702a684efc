"""``POST /api/messages``: the synchronous conversation API (the web chat uses it)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from agente.api.deps import ConversationsDep
from agente.api.openapi import error_responses
from agente.channels.storable import StorableText
from agente.conversation.nlu.types import Entities

router = APIRouter(prefix="/api", tags=["conversation"])


class MessageIn(BaseModel):
    guest_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@+-]+$")
    text: StorableText = Field(min_length=1, max_length=4000)
    channel: Literal["web", "api"] = "web"
    language: Literal["es", "en"] | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class ReplyOut(BaseModel):
    text: str
    language: str


class IntentOut(BaseModel):
    name: str
    confidence: float


class MessageOut(BaseModel):
    session_id: str
    reply: ReplyOut
    intent: IntentOut
    entities: dict[str, Any]
    state: str
    status: Literal["bot", "handoff", "closed"]


def entities_json(entities: Entities) -> dict[str, Any]:
    """Entities as JSON: ISO dates, the room type as mention and PMS id; absent ones left out."""
    out: dict[str, Any] = {}
    for key, value in asdict(entities).items():
        if value is None or value is False:
            continue
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


@router.post("/messages", response_model=MessageOut, responses=error_responses(503))
async def post_message(body: MessageIn, conversations: ConversationsDep) -> MessageOut:
    """Answer one guest message. While staff own the conversation, ``reply.text`` is empty."""
    reply = await conversations.handle(
        channel=body.channel, external_id=body.guest_id, text=body.text, language=body.language
    )
    return MessageOut(
        session_id=str(reply.session_id),
        reply=ReplyOut(text=reply.text, language=reply.language),
        intent=IntentOut(name=reply.parse.intent.name, confidence=round(reply.parse.intent.confidence, 4)),
        entities=entities_json(reply.parse.entities),
        state=reply.state,
        status=reply.status,
    )
