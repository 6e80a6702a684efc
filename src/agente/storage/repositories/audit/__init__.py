"""The audit trail's rows: who changed what, with the value before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AuditChange:
    actor: str
    action: str
    target: str | None
    before: Any
    after: Any
    request_id: str | None = None


class AuditRepository(Protocol):
    async def add(self, change: AuditChange) -> None:
        """Record ``change`` in this unit of work."""
        ...
