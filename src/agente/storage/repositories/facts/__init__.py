"""The hotel's facts: one answer per FAQ topic, in Spanish and English.

``details`` holds the structured values behind an answer (times, prices, names). Topics are
unique; which topics exist is the conversation's business (``conversation.facts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Fact:
    topic: str
    answer_es: str
    answer_en: str
    details: dict[str, Any] | None
    updated_by: str
    updated_at: datetime

    def answer(self, language: str) -> str:
        return self.answer_es if language == "es" else self.answer_en

    def as_dict(self) -> dict[str, Any]:
        """The fact as JSON (the admin API's and the audit log's form)."""
        return {
            "topic": self.topic,
            "answer_es": self.answer_es,
            "answer_en": self.answer_en,
            "details": self.details,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
        }


class FactsRepository(Protocol):
    async def exists(self) -> bool:
        """False while the schema has no facts table (migrations have not run)."""
        ...

    async def all(self) -> list[Fact]:
        """Every stored fact, in no particular order."""
        ...

    async def locked(self, topic: str) -> Fact | None:
        """The fact for ``topic``, locked against other writers until this unit of work ends."""
        ...

    async def put(self, fact: Fact) -> None:
        """Insert the fact, or replace the stored one with its topic."""
        ...

    async def seed(self, facts: Sequence[Fact]) -> int:
        """Insert ``facts`` if no fact is stored; returns how many were inserted (0 when the
        table had rows, or another writer seeded it at the same time)."""
        ...
