"""``/admin/rate-limits``: the limits in force, and changing them for every process."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, model_validator

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.bounds import InRange
from agente.api.deps import LimiterDep, StorageDep
from agente.api.openapi import error_responses
from agente.ops import bounds, changes

router = APIRouter(prefix="/admin/rate-limits", tags=["admin"], dependencies=[Depends(require_admin)])


class LimitChange(BaseModel):
    max_requests: Annotated[int, InRange(bounds.MAX_REQUESTS)] | None = None
    window_seconds: Annotated[int, InRange(bounds.WINDOW_SECONDS)] | None = None
    strict_mode: bool | None = None
    penalty_seconds: Annotated[int, InRange(bounds.PENALTY_SECONDS)] | None = None

    @model_validator(mode="after")
    def _something(self) -> LimitChange:
        if all(v is None for v in self.model_dump().values()):
            raise ValueError("give at least one of max_requests, window_seconds, strict_mode, penalty_seconds")
        return self


@router.get("")
async def show_limits(limiter: LimiterDep) -> dict[str, Any]:
    """What is in force now, the defaults from settings, and where counts are kept."""
    policy = await limiter.policy(force=True)
    return {**asdict(policy), "defaults": asdict(limiter.defaults), "backend": limiter.backend}


@router.post("", responses=error_responses(400))
async def change_limits(
    change: Annotated[LimitChange, Depends(json_body(LimitChange))],
    limiter: LimiterDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Change limits for every process; counts already made carry on, new values apply from the next window."""
    before, after = await changes.set_limits(limiter, storage, actor, **change.model_dump())
    return {**asdict(after), "previous": asdict(before)}
