"""The audit trail of operator changes.

Every change made through the admin API or the ``agente`` command writes one
``audit_log`` row — who (the token's *name*, never the token), what, the value before and
after, the request id — in the same transaction as the change when the change is in the
database, and a log line ``admin change``.
"""

from __future__ import annotations

from typing import Any

import structlog

from agente.storage.repositories.audit import AuditChange, AuditRepository, RecordedChange
from agente.storage.unit_of_work import Storage

log = structlog.stdlib.get_logger("agente.audit")


async def record(
    trail: AuditRepository, *, actor: str, action: str, target: str | None, before: Any, after: Any
) -> None:
    """Add the entry to ``trail`` (the caller's unit of work commits it) and log the change."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await trail.add(AuditChange(actor, action, target, before, after, request_id))
    log.info("admin change", actor=actor, action=action, target=target, before=before, after=after)


async def page(storage: Storage, *, limit: int, before_id: int | None = None) -> list[RecordedChange]:
    """Entries newest first; pass the last id of a page as ``before_id`` for the next one."""
    async with storage.begin() as uow:
        return await uow.audit.page(limit=limit, before_id=before_id)
