"""Facts in memory, for unit tests."""

from __future__ import annotations

from collections.abc import Sequence

from agente.storage.repositories.facts import Fact


class FactsTable:
    def __init__(self) -> None:
        self.rows: dict[str, Fact] = {}


class MemoryFacts:
    def __init__(self, table: FactsTable) -> None:
        self._table = table

    async def exists(self) -> bool:
        return True

    async def all(self) -> list[Fact]:
        return list(self._table.rows.values())

    async def locked(self, topic: str) -> Fact | None:
        # Units of work in memory run one at a time: reading is locking.
        return self._table.rows.get(topic)

    async def put(self, fact: Fact) -> None:
        self._table.rows[fact.topic] = fact

    async def seed(self, facts: Sequence[Fact]) -> int:
        if self._table.rows:
            return 0
        self._table.rows.update((fact.topic, fact) for fact in facts)
        return len(self._table.rows)
