"""``/admin/blocklist``: block and unblock client addresses and CIDR ranges."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.bounds import InRange
from agente.api.deps import BlocklistDep, StorageDep
from agente.api.openapi import error_responses
from agente.channels.storable import StorableText
from agente.ops import bounds, changes

router = APIRouter(prefix="/admin/blocklist", tags=["admin"], dependencies=[Depends(require_admin)])


class BlockRequest(BaseModel):
    address: str = Field(min_length=1, max_length=64, description="An IP address or a CIDR range")
    reason: StorableText | None = Field(default=None, max_length=500)
    expires_in_seconds: Annotated[int, InRange(bounds.BLOCK_SECONDS)] | None = None


@router.get("")
async def list_blocks(blocklist: BlocklistDep) -> dict[str, Any]:
    return {"entries": [changes.blocked_view(e) for e in await blocklist.entries()]}


@router.post("", status_code=201, responses=error_responses(400))
async def add_block(
    block: Annotated[BlockRequest, Depends(json_body(BlockRequest))],
    blocklist: BlocklistDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Block an address or range (replacing an entry for the same range); in force within 2 s everywhere."""
    ttl = timedelta(seconds=block.expires_in_seconds) if block.expires_in_seconds else None
    entry = await changes.block(blocklist, storage, actor, address=block.address, reason=block.reason, ttl=ttl)
    return changes.blocked_view(entry)


@router.delete("", responses=error_responses(400, 404))
async def remove_block(
    address: Annotated[str, Query(min_length=1, max_length=64)],
    blocklist: BlocklistDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Unblock ``?address=`` (the same address or range that was blocked)."""
    entry = await changes.unblock(blocklist, storage, actor, address)
    if entry is None:
        raise HTTPException(404, f"{address} is not on the blocklist.")
    return {"removed": changes.blocked_view(entry)}
