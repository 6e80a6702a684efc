"""``/admin/outbox``: durable jobs — see what is stuck or dead, and send a dead job again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.deps import StorageDep
from agente.api.openapi import error_responses
from agente.ops import audit
from agente.storage.repositories.outbox import StoredJob

# The largest id a database integer column holds: a larger one is no job, not a server error.
MAX_ID = 2**63 - 1

router = APIRouter(prefix="/admin/outbox", tags=["admin"], dependencies=[Depends(require_admin)])


def _view(job: StoredJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "next_attempt_at": job.next_attempt_at.isoformat(),
        "last_error": job.last_error,
        "created_at": job.created_at.isoformat(),
        "result": job.result,
    }


@router.get("")
async def list_jobs(
    storage: StorageDep,
    status: Annotated[Literal["pending", "running", "done", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Jobs, newest first, optionally of one status (``?status=dead``)."""
    async with storage.begin() as uow:
        jobs = await uow.outbox.page(status=status, limit=limit, before_id=before_id)
    return {"jobs": [_view(j) for j in jobs], "next_before_id": jobs[-1].id if len(jobs) == limit else None}


@router.post("/{job_id}/retry", responses=error_responses(404, 409))
async def retry_job(
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)], storage: StorageDep, actor: AdminDep
) -> dict[str, Any]:
    """Queue a dead job again with a fresh set of attempts."""
    async with storage.begin() as uow:
        job = await uow.outbox.get(job_id)
        if job is None:
            raise HTTPException(404, f"No outbox job {job_id}.")
        if job.status != "dead":
            raise HTTPException(409, f"Job {job_id} is {job.status}; only dead jobs are retried.")
        revived = await uow.outbox.revive(job_id, now=datetime.now(UTC))
        if revived is None:  # another operator retried it a moment ago
            raise HTTPException(409, f"Job {job_id} was retried meanwhile; only dead jobs are retried.")
        await audit.record(
            uow.audit,
            actor=actor,
            action="outbox.retry",
            target=str(job_id),
            before={"status": job.status, "attempts": job.attempts},
            after={"status": "pending"},
        )
    return _view(revived)
