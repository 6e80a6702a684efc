"""``/admin/hotel-facts``: read and edit the answers the agent gives to frequent questions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import FactsDep
from agente.api.openapi import error_responses
from agente.channels.storable import check_storable, check_storable_json
from agente.conversation.facts import check_topic
from agente.conversation.nlu.types import TOPICS

router = APIRouter(prefix="/admin/hotel-facts", tags=["admin"], dependencies=[Depends(require_admin)])

Answer = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(check_storable)
]


class FactChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_es: Answer
    answer_en: Answer
    details: Annotated[dict[str, Any] | None, AfterValidator(check_storable_json)] = Field(
        default=None, description="Structured values behind the answers"
    )


async def known_topic(topic: str) -> str:
    check_topic(topic)
    return topic


TopicDep = Annotated[str, Depends(known_topic)]


@router.get("")
async def list_facts(facts: FactsDep) -> dict[str, Any]:
    """Every stored fact, and the topics that have none (the agent offers a person for those)."""
    stored_facts = await facts.all()
    stored = {fact.topic for fact in stored_facts}
    return {"facts": [fact.as_dict() for fact in stored_facts], "missing": [t for t in TOPICS if t not in stored]}


@router.get("/{topic}", responses=error_responses(400, 404))
async def get_fact(topic: TopicDep, facts: FactsDep) -> dict[str, Any]:
    fact = await facts.get(topic)
    if fact is None:
        raise HTTPException(404, f"No fact is stored for {topic}.")
    return fact.as_dict()


@router.put("/{topic}", responses=error_responses(400))
async def put_fact(
    topic: TopicDep,
    change: Annotated[FactChange, Depends(json_body(FactChange))],
    facts: FactsDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Replace the answers for ``topic`` (or add them); in force at once here, within 5 s everywhere."""
    before, after = await facts.put(topic, change.answer_es, change.answer_en, change.details, actor)
    return {"fact": after.as_dict(), "previous": before.as_dict() if before else None}
