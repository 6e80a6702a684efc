from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.config import Settings
from agente.container import Container, build_container
from agente.conversation.facts import HotelFacts, load_seed
from agente.conversation.nlu.types import LANGUAGES, TOPICS
from agente.errors import DatabaseUnavailableError, InvalidControlError
from agente.storage import db
from agente.storage.models import AuditEntry, HotelFact
from agente.storage.repositories.audit import AuditChange
from agente.storage.repositories.audit.sql import SqlAudit
from agente.storage.repositories.facts import Fact
from agente.storage.repositories.facts.sql import SqlFacts
from agente.storage.unit_of_work import SqlStorage
from tests.conftest import free_port

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _demo_hotel() -> dict[str, Any]:
    text = resources.files("agente.pms.adapters").joinpath("demo_hotel.json").read_text("utf-8")
    hotel: dict[str, Any] = json.loads(text)["hotel"]
    return hotel


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _rows(container: Container) -> list[HotelFact]:
    async with db.session_scope(container.session_factory) as session:
        return list((await session.execute(select(HotelFact).order_by(HotelFact.topic))).scalars())


async def _put(facts: HotelFacts, topic: str, es: str, en: str) -> None:
    await facts.put(topic, es, en, None, "ops")


@pytest.fixture
async def dead_factory(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a PostgreSQL address where nothing listens."""
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=f"postgresql://agente@127.0.0.1:{free_port()}/agente_db",
        database_timeout=1,
    )
    engine = db.create_engine(settings)
    yield db.create_session_factory(engine)
    await engine.dispose()


def test_seed_file_covers_every_topic_in_both_languages() -> None:
    seed = load_seed()
    assert list(seed) == list(TOPICS)
    for topic, entry in seed.items():
        for language in LANGUAGES:
            answer = entry[f"answer_{language}"].strip()
            assert 1 <= len(SENTENCE_END.split(answer)) <= 3, (topic, language, answer)
            assert answer[-1] == "." and all(ord(char) < 0x2000 for char in answer), (topic, language)
        assert entry["answer_es"] != entry["answer_en"]


def test_seed_file_agrees_with_the_demo_hotel() -> None:
    seed, hotel = load_seed(), _demo_hotel()
    check = seed["check_in_out"]
    assert check["details"] == {
        "check_in_from": hotel["check_in_time"],
        "check_out_until": hotel["check_out_time"],
        "early_check_in": "on_request_subject_to_availability",
    }
    for language in LANGUAGES:
        assert hotel["check_in_time"] in check[f"answer_{language}"]
        assert hotel["check_out_time"] in check[f"answer_{language}"]
        assert hotel["phone"] in seed["contact"][f"answer_{language}"]
        assert hotel["email"] in seed["contact"][f"answer_{language}"]
        assert hotel["address"] in seed["location"][f"answer_{language}"]
        assert "48" in seed["cancellation_policy"][f"answer_{language}"]
    assert seed["cancellation_policy"]["answer_en"].startswith(hotel["policies"].rstrip("."))
    assert seed["contact"]["details"] == {"phone": hotel["phone"], "email": hotel["email"]}
    assert seed["wifi"]["details"]["password"] == "given_at_check_in"


async def test_seeding_fills_every_topic_once(container: Container) -> None:
    assert await container.facts.seed_if_empty() == len(TOPICS)
    assert await container.facts.seed_if_empty() == 0
    rows = await _rows(container)
    assert sorted(row.topic for row in rows) == sorted(TOPICS)
    assert {row.updated_by for row in rows} == {"seed"}
    assert [fact.topic for fact in await container.facts.all()] == list(TOPICS)


async def test_seeding_leaves_a_table_with_rows_alone(container: Container) -> None:
    await _put(container.facts, "parking", "Sin parking.", "No parking.")
    assert await container.facts.seed_if_empty() == 0
    assert [row.topic for row in await _rows(container)] == ["parking"]


async def test_seeding_without_the_table_does_nothing(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path / "var", worker_in_process=False)
    async with build_container(settings) as container:
        assert await container.facts.seed_if_empty() == 0


async def test_answers_in_each_language(container: Container) -> None:
    await container.facts.seed_if_empty()
    es = await container.facts.answer("breakfast", "es")
    en = await container.facts.answer("breakfast", "en")
    assert es is not None and "desayuno" in es and "7:00" in es and "10:30" in es
    assert en is not None and "breakfast" in en and "USD 20" in en
    parking = await container.facts.answer("parking", "en")
    assert parking is not None and "USD 25" in parking


async def test_no_fact_means_no_answer(container: Container) -> None:
    assert await container.facts.answer("pets", "es") is None
    await container.facts.seed_if_empty()
    assert await container.facts.answer("spa", "en") is None
    with pytest.raises(ValueError):
        await container.facts.answer("pets", "fr")


async def test_put_is_answered_at_once_in_this_process(container: Container) -> None:
    clock = Clock()
    facts = HotelFacts(container.storage, clock=clock)
    await facts.seed_if_empty()
    assert await facts.answer("parking", "en") == load_seed()["parking"]["answer_en"].strip()
    await _put(facts, "parking", "  Garaje a 30 USD por noche.  ", "Garage at 30 USD per night.")
    assert await facts.answer("parking", "es") == "Garaje a 30 USD por noche."
    assert await facts.answer("parking", "en") == "Garage at 30 USD per night."


async def test_a_read_before_the_commit_is_not_kept(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = HotelFacts(container.storage, clock=Clock())
    await facts.seed_if_empty()
    seen: list[str | None] = []
    write = SqlFacts.put

    async def write_then_read(self: SqlFacts, fact: Fact) -> None:
        await write(self, fact)
        # Another request reads (and caches) the committed row while this unit of work is open.
        seen.append(await facts.answer("contact", "en"))

    monkeypatch.setattr(SqlFacts, "put", write_then_read)
    await facts.put("contact", "Llámenos.", "Call us.", None, "ops")
    assert seen == [load_seed()["contact"]["answer_en"].strip()]
    assert await facts.answer("contact", "en") == "Call us."


async def test_a_change_from_another_process_is_seen_after_the_ttl(container: Container) -> None:
    clock = Clock()
    facts = HotelFacts(container.storage, ttl_seconds=5, clock=clock)
    await facts.seed_if_empty()
    before = await facts.answer("wifi", "en")
    async with db.session_scope(container.session_factory) as session:
        await session.execute(update(HotelFact).where(HotelFact.topic == "wifi").values(answer_en="Wi-Fi is free."))
    clock.now = 4.9
    assert await facts.answer("wifi", "en") == before
    clock.now = 5.1
    assert await facts.answer("wifi", "en") == "Wi-Fi is free."


async def test_a_rolled_back_put_is_not_answered(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = HotelFacts(container.storage, clock=Clock())
    await facts.seed_if_empty()
    await facts.answer("pets", "en")

    async def fail(self: SqlAudit, change: AuditChange) -> None:
        raise RuntimeError("the audit entry could not be written")

    monkeypatch.setattr(SqlAudit, "add", fail)
    with pytest.raises(RuntimeError):
        await facts.put("pets", "No se admiten.", "Not allowed.", None, "ops")
    answer = await facts.answer("pets", "en")
    assert answer is not None and "10 kg" in answer


async def test_put_inserts_replaces_and_audits(container: Container) -> None:
    before, after = await container.facts.put(
        "pets", "Mascotas hasta 10 kg.", "Pets up to 10 kg.", {"max_weight_kg": 10}, "ops"
    )
    assert before is None and after.updated_by == "ops" and after.details == {"max_weight_kg": 10}
    before, after = await container.facts.put("pets", "Sin mascotas.", "No pets.", None, "oncall")
    assert before is not None and before.answer_en == "Pets up to 10 kg."
    assert after.answer_en == "No pets." and after.details is None and after.updated_by == "oncall"
    rows = await _rows(container)
    assert len(rows) == 1 and rows[0].answer_es == "Sin mascotas."
    async with db.session_scope(container.session_factory) as session:
        entries = list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())
    assert [(e.action, e.target, e.actor) for e in entries] == [
        ("hotel_fact.put", "pets", "ops"),
        ("hotel_fact.put", "pets", "oncall"),
    ]
    assert entries[0].before is None and entries[0].after["answer_en"] == "Pets up to 10 kg."
    assert entries[1].before["answer_en"] == "Pets up to 10 kg." and entries[1].after["answer_en"] == "No pets."


@pytest.mark.parametrize(
    ("topic", "es", "en"),
    [("spa", "Sí.", "Yes."), ("parking", "", "Garage."), ("parking", "Garaje.", "   ")],
)
async def test_put_refuses_unknown_topics_and_empty_answers(container: Container, topic: str, es: str, en: str) -> None:
    with pytest.raises(InvalidControlError):
        await _put(container.facts, topic, es, en)
    async with db.session_scope(container.session_factory) as session:
        assert (await session.execute(select(func.count()).select_from(HotelFact))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one() == 0


async def test_last_read_answers_while_the_database_is_down(
    container: Container, dead_factory: async_sessionmaker[AsyncSession]
) -> None:
    clock = Clock()
    facts = HotelFacts(container.storage, clock=clock)
    await facts.seed_if_empty()
    expected = await facts.answer("location", "es")
    facts.storage = SqlStorage(dead_factory)
    clock.now = 60
    assert await facts.answer("location", "es") == expected


async def test_no_read_yet_and_database_down_is_an_error(dead_factory: async_sessionmaker[AsyncSession]) -> None:
    facts = HotelFacts(SqlStorage(dead_factory))
    with pytest.raises(DatabaseUnavailableError):
        await facts.answer("location", "es")
    with pytest.raises(DatabaseUnavailableError):
        await facts.seed_if_empty()


async def test_a_deleted_fact_is_no_longer_answered(container: Container) -> None:
    facts = HotelFacts(container.storage, ttl_seconds=0)
    await facts.seed_if_empty()
    async with db.session_scope(container.session_factory) as session:
        await session.execute(delete(HotelFact).where(HotelFact.topic == "amenities"))
    assert await facts.answer("amenities", "en") is None
    assert [fact.topic for fact in await facts.all()] == [t for t in TOPICS if t != "amenities"]
