from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import delete, func, select

from agente.config import Settings
from agente.conversation.facts import load_seed
from agente.conversation.nlu.types import TOPICS
from agente.main import create_app
from agente.storage import db
from agente.storage.models import HotelFact
from tests.conftest import Running, client_for, free_port, lifespan, running

ADMIN = {"Authorization": "Bearer test-token"}
CURL_FORM = {**ADMIN, "Content-Type": "application/x-www-form-urlencoded"}  # what curl -d sends


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


async def _count(svc: Running) -> int:
    async with db.session_scope(svc.container.session_factory) as session:
        return int((await session.execute(select(func.count()).select_from(HotelFact))).scalar_one())


async def _latest_audit(svc: Running) -> dict[str, Any]:
    entries = (await svc.client.get("/admin/audit-log", headers=ADMIN)).json()["entries"]
    entry: dict[str, Any] = entries[0]
    return entry


async def test_start_up_seeds_every_topic_once(settings: Settings) -> None:
    async with running(settings) as first:
        listed = (await first.client.get("/admin/hotel-facts", headers=ADMIN)).json()
    async with running(settings) as second:
        assert await _count(second) == len(TOPICS)
    assert [fact["topic"] for fact in listed["facts"]] == list(TOPICS)
    assert listed["missing"] == []
    seed = load_seed()
    for fact in listed["facts"]:
        assert fact["answer_es"] == seed[fact["topic"]]["answer_es"].strip()
        assert fact["answer_en"] == seed[fact["topic"]]["answer_en"].strip()
        assert fact["details"] == seed[fact["topic"]]["details"]
        assert fact["updated_by"] == "seed"


async def test_one_fact_is_read_by_topic(service: Running) -> None:
    response = await service.client.get("/admin/hotel-facts/check_in_out", headers=ADMIN)
    assert response.status_code == 200
    body = response.json()
    assert body["topic"] == "check_in_out"
    assert "14:00" in body["answer_es"] and "12:00" in body["answer_en"]
    assert body["details"]["check_in_from"] == "14:00"


async def test_put_replaces_the_answer_everywhere_and_audits(service: Running) -> None:
    before = (await service.client.get("/admin/hotel-facts/parking", headers=ADMIN)).json()
    assert await service.container.facts.answer("parking", "en") == before["answer_en"]
    response = await service.client.put(
        "/admin/hotel-facts/parking",
        content=(
            b'{"answer_es": "Garaje propio a 28 USD por noche, sin reserva.",'
            b' "answer_en": "On-site garage at 28 USD per night, no reservation needed.",'
            b' "details": {"price_per_night": 28, "currency": "USD"}}'
        ),
        headers=CURL_FORM,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["previous"]["answer_en"] == before["answer_en"]
    assert body["fact"]["updated_by"] == "ops"
    assert body["fact"]["details"] == {"price_per_night": 28, "currency": "USD"}

    assert await service.container.facts.answer("parking", "es") == "Garaje propio a 28 USD por noche, sin reserva."
    assert await service.container.facts.answer("parking", "en") == (
        "On-site garage at 28 USD per night, no reservation needed."
    )
    stored = (await service.client.get("/admin/hotel-facts/parking", headers=ADMIN)).json()
    assert stored == body["fact"]
    assert await _count(service) == len(TOPICS)

    audit = await _latest_audit(service)
    assert (audit["action"], audit["target"], audit["actor"]) == ("hotel_fact.put", "parking", "ops")
    assert audit["before"]["answer_en"] == before["answer_en"]
    assert audit["after"]["answer_en"] == "On-site garage at 28 USD per night, no reservation needed."
    assert "test-token" not in str(audit)


async def test_put_restores_a_missing_fact(service: Running) -> None:
    async with db.session_scope(service.container.session_factory) as session:
        await session.execute(delete(HotelFact).where(HotelFact.topic == "pets"))
    missing = await service.client.get("/admin/hotel-facts/pets", headers=ADMIN)
    listed = (await service.client.get("/admin/hotel-facts", headers=ADMIN)).json()
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert listed["missing"] == ["pets"]

    response = await service.client.put(
        "/admin/hotel-facts/pets",
        json={"answer_es": "No se admiten mascotas.", "answer_en": "Pets are not allowed."},
        headers=ADMIN,
    )
    assert response.status_code == 200
    assert response.json()["previous"] is None and response.json()["fact"]["details"] is None
    assert await service.container.facts.answer("pets", "en") == "Pets are not allowed."
    assert (await _latest_audit(service))["before"] is None


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_unknown_topic_is_400(service: Running, method: str) -> None:
    response = await service.client.request(
        method, "/admin/hotel-facts/spa", json={"answer_es": "Sí.", "answer_en": "Yes."}, headers=ADMIN
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_value"
    assert "check_in_out" in response.json()["error"]["message"]
    assert await _count(service) == len(TOPICS)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"answer_es": "", "answer_en": "Garage."}',
        b'{"answer_es": "Garaje.", "answer_en": "   "}',
        b'{"answer_es": "Garaje."}',
        b'{"answer_es": "Garaje.", "answer_en": "Garage.", "details": ["25 USD"]}',
        b'{"answer_es": "Garaje.", "answer_en": "Garage.", "answer_fr": "Garage."}',
        # What the database cannot store (U+0000), in an answer or anywhere in the details.
        b'{"answer_es": "Garaje\\u0000.", "answer_en": "Garage."}',
        b'{"answer_es": "Garaje.", "answer_en": "Garage.", "details": {"price\\u0000": 25}}',
        b'{"answer_es": "Garaje.", "answer_en": "Garage.", "details": {"price": [{"note": "a\\u0000"}]}}',
    ],
)
async def test_empty_answers_and_bad_bodies_are_422(service: Running, body: bytes) -> None:
    before = await service.container.facts.answer("parking", "en")
    response = await service.client.put("/admin/hotel-facts/parking", content=body, headers=CURL_FORM)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert await service.container.facts.answer("parking", "en") == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/admin/hotel-facts"), ("GET", "/admin/hotel-facts/wifi"), ("PUT", "/admin/hotel-facts/wifi")],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}])
async def test_admin_token_is_required(service: Running, method: str, path: str, headers: dict[str, str]) -> None:
    response = await service.client.request(
        method, path, json={"answer_es": "Wifi de pago.", "answer_en": "Paid Wi-Fi."}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    answer = await service.container.facts.answer("wifi", "en")
    assert answer is not None and "free" in answer


async def test_start_up_goes_on_when_the_database_is_down(tmp_path: Path) -> None:
    dead = f"postgresql://agente@127.0.0.1:{free_port()}/agente_db"
    settings = Settings(
        env="test", data_dir=tmp_path, database_url=dead, database_timeout=1, admin_token=SecretStr("ops:t")
    )
    async with lifespan(create_app(settings)) as manager, await client_for(manager.app) as client:
        live = await client.get("/health/live")
        facts = await client.get("/admin/hotel-facts", headers={"Authorization": "Bearer t"})
    assert live.status_code == 200
    assert facts.status_code == 503
    assert facts.json()["error"]["code"] == "postgres_unavailable"
