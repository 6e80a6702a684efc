"""``/admin/outbox``: durable jobs — see what is stuck or dead, and send a dead job again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy import select

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.deps import SessionDep
from agente.api.openapi import error_responses
from agente.ops import audit
from agente.storage.models import OutboxJob
from agente.storage.repositories.audit.sql import SqlAudit

# The largest id a database integer column holds: a larger one is no job, not a server error.
MAX_ID = 2**63 - 1

router = APIRouter(prefix="/admin/outbox", tags=["admin"], dependencies=[Depends(require_admin)])


def _view(job: OutboxJob) -> dict[str, Any]:
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
    session: SessionDep,
    status: Annotated[Literal["pending", "running", "done", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Jobs, newest first, optionally of one status (``?status=dead``)."""
    query = select(OutboxJob).order_by(OutboxJob.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxJob.status == status)
    if before_id is not None:
        query = query.where(OutboxJob.id < before_id)
    jobs = list((await session.execute(query)).scalars())
    return {"jobs": [_view(j) for j in jobs], "next_before_id": jobs[-1].id if len(jobs) == limit else None}


@router.post("/{job_id}/retry", responses=error_responses(404, 409))
async def retry_job(
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, actor: AdminDep
) -> dict[str, Any]:
    """Queue a dead job again with a fresh set of attempts."""
    job = await session.get(OutboxJob, job_id)
    if job is None:
        raise HTTPException(404, f"No outbox job {job_id}.")
    if job.status != "dead":
        raise HTTPException(409, f"Job {job_id} is {job.status}; only dead jobs are retried.")
    before = _view(job)
    job.status, job.attempts, job.next_attempt_at, job.locked_until = "pending", 0, datetime.now(UTC), None
    await session.flush()
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="outbox.retry",
        target=str(job_id),
        before={"status": before["status"], "attempts": before["attempts"]},
        after={"status": "pending"},
    )
    return _view(job)
