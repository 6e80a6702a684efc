"""The hotel's facts: what the agent tells guests who ask a frequent question.

One answer per FAQ topic (:data:`~agente.conversation.nlu.types.TOPICS`) in Spanish and
English, kept in ``hotel_facts``. The table starts from ``conversation/data/hotel_facts.yaml``
(:meth:`HotelFacts.seed_if_empty`, run when the API starts) and operators edit it through
``PUT /admin/hotel-facts/{topic}`` (:meth:`HotelFacts.put`, audited). The facts are read
and written through :class:`~agente.storage.unit_of_work.Storage` (``uow.facts``).

Facts are never invented: a topic without a row has no answer, and the dialogue offers a
person instead. Each process reads the whole table at most every ``ttl_seconds`` (default
5), so an edit reaches every replica within that time and at once in the process that made
it. If the database stops answering, the last table read stays in force.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import structlog
import yaml

from agente.conversation.nlu.types import LANGUAGES, TOPICS
from agente.errors import DependencyUnavailableError, InvalidControlError
from agente.ops import audit
from agente.storage.repositories.facts import Fact
from agente.storage.unit_of_work import Storage

log = structlog.stdlib.get_logger("agente.facts")

SEED_ACTOR = "seed"


def check_topic(topic: str) -> None:
    """Raise :class:`InvalidControlError` unless ``topic`` is one of the FAQ topics."""
    if topic not in TOPICS:
        raise InvalidControlError(f"unknown topic {topic!r}; known topics: {', '.join(TOPICS)}")


def load_seed() -> dict[str, dict[str, Any]]:
    """The packaged seed file, checked: every topic once, both answers non-empty."""
    text = resources.files("agente.conversation").joinpath("data/hotel_facts.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != set(TOPICS):
        raise ValueError(f"hotel_facts.yaml must have exactly the topics {', '.join(TOPICS)}")
    for topic, entry in data.items():
        answers = [entry.get(f"answer_{language}") for language in LANGUAGES]
        if not all(isinstance(answer, str) and answer.strip() for answer in answers):
            raise ValueError(f"hotel_facts.yaml: {topic} needs a non-empty answer in {', '.join(LANGUAGES)}")
    return data


class HotelFacts:
    """Answers per topic and language, cached for ``ttl_seconds``; edits are audited.

    ``answer`` raises :class:`~agente.errors.DatabaseUnavailableError` only when the table
    could never be read; afterwards a database outage leaves the last read in force.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        ttl_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._facts: dict[str, Fact] = {}
        self._loaded = False
        self._read_at = float("-inf")
        # Bumped by every invalidation: a read that started before it is not cached.
        self._generation = 0
        self._lock = asyncio.Lock()

    async def answer(self, topic: str, language: str) -> str | None:
        """The answer to ``topic`` in ``language`` (``es``/``en``); None when there is no fact."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        fact = await self.fact(topic)
        return fact.answer(language) if fact else None

    async def fact(self, topic: str) -> Fact | None:
        """The fact for ``topic`` as last read (both answers and its details); None when there is none."""
        return (await self._current()).get(topic)

    async def all(self) -> list[Fact]:
        """Every stored fact, read now, in the order of ``TOPICS``."""
        facts = await self._read()
        return [facts[topic] for topic in TOPICS if topic in facts]

    async def get(self, topic: str) -> Fact | None:
        """The stored fact for a known ``topic``, read now; raises for an unknown topic."""
        check_topic(topic)
        return (await self._read()).get(topic)

    async def put(
        self, topic: str, answer_es: str, answer_en: str, details: dict[str, Any] | None, actor: str
    ) -> tuple[Fact | None, Fact]:
        """Insert or replace the fact, with its audit entry, in one unit of work.

        Returns (before, after); ``before`` is None for a new fact. Raises
        :class:`InvalidControlError` for an unknown topic or an empty answer. The new answer
        is in force in this process as soon as this returns.
        """
        check_topic(topic)
        answer_es, answer_en = answer_es.strip(), answer_en.strip()
        if not answer_es or not answer_en:
            raise InvalidControlError(f"{topic}: both answers (answer_es, answer_en) must be non-empty")
        try:
            async with self.storage.begin() as uow:
                before = await uow.facts.locked(topic)
                after = Fact(topic, answer_es, answer_en, details, actor, datetime.now(UTC))
                await uow.facts.put(after)
                await audit.record(
                    uow.audit,
                    actor=actor,
                    action="hotel_fact.put",
                    target=topic,
                    before=before.as_dict() if before else None,
                    after=after.as_dict(),
                )
        finally:
            # Reads made while the unit of work was open saw the old row (or none): drop them,
            # also when it rolled back after the table was read.
            self._invalidate()
        return before, after

    async def seed_if_empty(self) -> int:
        """Load the packaged seed file into an empty table; returns the rows inserted.

        Does nothing (returns 0) when the table has rows, when another process seeded it
        first, or when the schema has no ``hotel_facts`` table yet (``agente db upgrade``
        has not run). Raises :class:`~agente.errors.DatabaseUnavailableError`.
        """
        seed = await asyncio.to_thread(load_seed)
        now = datetime.now(UTC)
        facts = [
            Fact(topic, entry["answer_es"].strip(), entry["answer_en"].strip(), entry.get("details"), SEED_ACTOR, now)
            for topic, entry in seed.items()
        ]
        async with self.storage.begin() as uow:
            if not await uow.facts.exists():
                # Info, not a warning: readiness already reports the schema behind, and the
                # ``logs`` table a warning would be copied into is missing too.
                log.info("hotel facts not seeded: no hotel_facts table (run `agente db upgrade`)")
                return 0
            inserted = await uow.facts.seed(facts)
        if not inserted:
            return 0
        self._invalidate()
        log.info("hotel facts seeded", count=inserted)
        return inserted

    async def _current(self) -> dict[str, Fact]:
        if self._fresh():
            return self._facts
        async with self._lock:
            if self._fresh():
                return self._facts
            try:
                return await self._read()
            except DependencyUnavailableError as exc:
                if not self._loaded:
                    raise
                log.warning("hotel facts: database unavailable, answering from the last read", error=str(exc))
                self._read_at = self._clock()
                return self._facts

    async def _read(self) -> dict[str, Fact]:
        generation = self._generation
        async with self.storage.begin() as uow:
            rows = await uow.facts.all()
        facts = {fact.topic: fact for fact in rows}
        if generation == self._generation:
            self._facts, self._loaded, self._read_at = facts, True, self._clock()
        return facts

    def _fresh(self) -> bool:
        return self._loaded and self._clock() - self._read_at < self.ttl_seconds

    def _invalidate(self) -> None:
        self._generation += 1
        self._read_at = float("-inf")
