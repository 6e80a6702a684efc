"""The audit trail in memory, for unit tests: changes in the order they were recorded."""

from __future__ import annotations

from agente.storage.repositories.audit import AuditChange


class AuditTable:
    def __init__(self) -> None:
        self.rows: list[AuditChange] = []


class MemoryAudit:
    def __init__(self, table: AuditTable) -> None:
        self._table = table

    async def add(self, change: AuditChange) -> None:
        self._table.rows.append(change)
