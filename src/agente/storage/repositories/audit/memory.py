"""The audit trail in memory, for unit tests: changes in the order they were recorded."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from agente.storage.repositories.audit import AuditChange, RecordedChange


class AuditTable:
    def __init__(self) -> None:
        self.rows: list[RecordedChange] = []


class MemoryAudit:
    def __init__(self, table: AuditTable) -> None:
        self._table = table

    async def add(self, change: AuditChange) -> None:
        rows = self._table.rows
        rows.append(RecordedChange(**asdict(change), id=len(rows) + 1, created_at=datetime.now(UTC)))

    async def page(self, *, limit: int, before_id: int | None = None) -> list[RecordedChange]:
        newest_first = reversed(self._table.rows)
        return [row for row in newest_first if before_id is None or row.id < before_id][:limit]
