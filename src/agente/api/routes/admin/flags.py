"""``/admin/feature-flags``: read and flip feature flags (the same keys ``redis-cli`` sets)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import FlagsDep, StorageDep
from agente.api.openapi import error_responses
from agente.ops import changes

router = APIRouter(prefix="/admin/feature-flags", tags=["admin"], dependencies=[Depends(require_admin)])


class FlagChange(BaseModel):
    flag: str = Field(min_length=1, max_length=100)
    enabled: bool


@router.get("")
async def list_flags(flags: FlagsDep) -> dict[str, Any]:
    """Every known flag: value, default, description and where the value came from."""
    return {"flags": [asdict(state) for state in await flags.states()]}


@router.post("", responses=error_responses(400))
async def set_flag(
    change: Annotated[FlagChange, Depends(json_body(FlagChange))],
    flags: FlagsDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Set a flag for every process (in force within a second)."""
    before, after = await changes.set_flag(flags, storage, actor, change.flag, change.enabled)
    return {"flag": asdict(after), "previous": before.enabled}
