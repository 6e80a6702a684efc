"""The audit trail's rows: who changed what, with the value before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AuditChange:
    actor: str
    action: str
    target: str | None
    before: Any
    after: Any
    request_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedChange(AuditChange):
    """A change as the trail holds it: ids grow with each change recorded."""

    id: int
    created_at: datetime


class AuditRepository(Protocol):
    async def add(self, change: AuditChange) -> None:
        """Record ``change`` in this unit of work."""
        ...

    async def page(self, *, limit: int, before_id: int | None = None) -> list[RecordedChange]:
        """Up to ``limit`` changes, newest (highest id) first; with ``before_id``, only those
        recorded before that one (pass the last id of a page for the next page)."""
        ...
