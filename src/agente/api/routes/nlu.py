"""``POST /api/nlu/parse``: what the agent understands of a text, without a conversation."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from agente.api.deps import ConversationsDep, NluDep
from agente.api.routes.messages import IntentOut, entities_json

router = APIRouter(prefix="/api/nlu", tags=["conversation"])


class ParseIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    language: Literal["es", "en"] | None = None
    reference_date: date | None = Field(default=None, description="Resolve relative dates against it (default: today)")

    @field_validator("reference_date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # Only the documented "YYYY-MM-DD": pydantic would also read a number as a Unix time.
        if value is not None and not isinstance(value, str):
            raise ValueError("reference_date must be a date written YYYY-MM-DD")
        return value


class ParseOut(BaseModel):
    language: str
    intent: IntentOut
    entities: dict[str, Any]


@router.post("/parse", response_model=ParseOut)
async def parse(body: ParseIn, nlu: NluDep, conversations: ConversationsDep) -> ParseOut:
    today = body.reference_date or conversations.today()
    result = await nlu.parse(body.text, language=body.language, previous=None, today=today)
    return ParseOut(
        language=result.language,
        intent=IntentOut(name=result.intent.name, confidence=round(result.intent.confidence, 4)),
        entities=entities_json(result.entities),
    )
