"""``/admin/rate-limits``: the limits in force, and changing them for every process."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import ContainerDep, SessionDep
from agente.api.openapi import error_responses
from agente.ops import changes

router = APIRouter(prefix="/admin/rate-limits", tags=["admin"], dependencies=[Depends(require_admin)])


class LimitChange(BaseModel):
    max_requests: int | None = Field(default=None, ge=1, le=1_000_000)
    window_seconds: int | None = Field(default=None, ge=1, le=86_400)
    strict_mode: bool | None = None
    penalty_seconds: int | None = Field(default=None, ge=1, le=86_400)

    @model_validator(mode="after")
    def _something(self) -> LimitChange:
        if all(v is None for v in self.model_dump().values()):
            raise ValueError("give at least one of max_requests, window_seconds, strict_mode, penalty_seconds")
        return self


@router.get("")
async def show_limits(container: ContainerDep) -> dict[str, Any]:
    """What is in force now, the defaults from settings, and where counts are kept."""
    policy = await container.limiter.policy(force=True)
    return {**asdict(policy), "defaults": asdict(container.limiter.defaults), "backend": container.limiter.backend}


@router.post("", responses=error_responses(400))
async def change_limits(
    change: Annotated[LimitChange, Depends(json_body(LimitChange))],
    container: ContainerDep,
    session: SessionDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Change limits for every process; counts already made carry on, new values apply from the next window."""
    before, after = await changes.set_limits(container, session, actor, **change.model_dump())
    return {**asdict(after), "previous": asdict(before)}
