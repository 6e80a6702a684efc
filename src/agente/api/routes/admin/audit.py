"""``/admin/audit-log``: who changed what, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from agente.api.admin_auth import require_admin
from agente.api.deps import StorageDep
from agente.api.routes.admin.outbox import MAX_ID
from agente.ops import audit

router = APIRouter(prefix="/admin/audit-log", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("")
async def audit_log(
    storage: StorageDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Cursor: the last id of the previous page")
    ] = None,
) -> dict[str, Any]:
    entries = await audit.page(storage, limit=limit, before_id=before_id)
    return {
        "entries": [
            {
                "id": e.id,
                "created_at": e.created_at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "before": e.before,
                "after": e.after,
                "request_id": e.request_id,
            }
            for e in entries
        ],
        "next_before_id": entries[-1].id if len(entries) == limit else None,
    }
