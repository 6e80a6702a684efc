"""``/admin/blocklist``: block and unblock client addresses and CIDR ranges."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import ContainerDep, SessionDep
from agente.ops import audit
from agente.storage.models import BlockedClient

router = APIRouter(prefix="/admin/blocklist", tags=["admin"], dependencies=[Depends(require_admin)])


class BlockRequest(BaseModel):
    address: str = Field(min_length=1, max_length=64, description="An IP address or a CIDR range")
    reason: str | None = Field(default=None, max_length=500)
    expires_in_seconds: int | None = Field(default=None, ge=1, le=365 * 86_400)


def _view(entry: BlockedClient) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": entry.id,
        "address": entry.network,
        "reason": entry.reason,
        "created_by": entry.created_by,
        "created_at": iso(entry.created_at),
        "expires_at": iso(entry.expires_at),
    }


@router.get("")
async def list_blocks(container: ContainerDep, session: SessionDep) -> dict[str, Any]:
    return {"entries": [_view(e) for e in await container.blocklist.entries(session)]}


@router.post("", status_code=201)
async def add_block(
    block: Annotated[BlockRequest, Depends(json_body(BlockRequest))],
    container: ContainerDep,
    session: SessionDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Block an address or range (replacing an entry for the same range); in force within 2 s everywhere."""
    ttl = timedelta(seconds=block.expires_in_seconds) if block.expires_in_seconds else None
    entry = await container.blocklist.add(
        session, address=block.address, reason=block.reason, created_by=actor, ttl=ttl
    )
    view = _view(entry)
    await audit.record(session, actor=actor, action="blocklist.add", target=entry.network, before=None, after=view)
    return view


@router.delete("")
async def remove_block(
    address: Annotated[str, Query(min_length=1, max_length=64)],
    container: ContainerDep,
    session: SessionDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Unblock ``?address=`` (the same address or range that was blocked)."""
    entry = await container.blocklist.remove(session, address)
    if entry is None:
        raise HTTPException(404, f"{address} is not on the blocklist.")
    view = _view(entry)
    await audit.record(session, actor=actor, action="blocklist.remove", target=entry.network, before=view, after=None)
    return {"removed": view}
