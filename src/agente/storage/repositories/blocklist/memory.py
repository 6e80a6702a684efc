"""The blocklist in memory, for unit tests: entries by network, ids in the order they were added."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from agente.storage.repositories.blocklist import BlockEntry


class BlocklistTable:
    def __init__(self) -> None:
        self.rows: dict[str, BlockEntry] = {}
        self.next_id = 1


class MemoryBlocklist:
    def __init__(self, table: BlocklistTable) -> None:
        self._table = table

    async def all(self) -> list[BlockEntry]:
        return sorted(self._table.rows.values(), key=lambda entry: entry.id)

    async def put(
        self, network: str, *, reason: str | None, created_by: str, expires_at: datetime | None
    ) -> BlockEntry:
        stored = self._table.rows.get(network)
        if stored is None:
            stored = BlockEntry(self._table.next_id, network, reason, created_by, datetime.now(UTC), expires_at)
            self._table.next_id += 1
        entry = replace(stored, reason=reason, created_by=created_by, expires_at=expires_at)
        self._table.rows[network] = entry
        return entry

    async def remove(self, network: str) -> BlockEntry | None:
        return self._table.rows.pop(network, None)

    async def purge_expired(self, now: datetime) -> None:
        for network, entry in list(self._table.rows.items()):
            if entry.expires_at is not None and entry.expires_at <= now:
                del self._table.rows[network]
