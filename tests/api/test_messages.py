from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import event, func, select

from agente.config import Settings
from agente.storage import db
from agente.storage.models import Message
from tests.conftest import Running

ADMIN = {"Authorization": "Bearer test-token"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


async def _say(service: Running, text: str, guest: str = "web-1", **extra: object) -> dict[str, object]:
    response = await service.client.post("/api/messages", json={"guest_id": guest, "text": text, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def _stored_messages(service: Running) -> int:
    async with db.session_scope(service.container.session_factory) as session:
        return int((await session.execute(select(func.count()).select_from(Message))).scalar_one())


async def test_a_message_gets_a_reply_in_the_guest_language(service: Running) -> None:
    body = await _say(service, "hello there!")
    assert body["intent"] == {"name": "greet", "confidence": pytest.approx(body["intent"]["confidence"])}  # type: ignore[index]
    assert body["reply"]["language"] == "en"  # type: ignore[index]
    assert "The Hotel Prime" in body["reply"]["text"]  # type: ignore[index]
    assert body["state"] == "idle" and body["status"] == "bot"
    again = await _say(service, "hola")
    assert again["session_id"] == body["session_id"]
    assert again["reply"]["language"] == "es"  # type: ignore[index]


async def test_availability_quotes_live_prices(service: Running) -> None:
    body = await _say(service, "do you have a room from december 1 to december 4 for 2 adults?")
    entities = body["entities"]
    assert entities["check_in"] == "2026-12-01" or entities["check_in"].endswith("-12-01")  # type: ignore[index]
    assert entities["adults"] == 2  # type: ignore[index]
    assert body["state"] == "choose_room"
    assert "USD 3,120.00" in body["reply"]["text"]  # type: ignore[index]


@pytest.mark.parametrize(
    "payload",
    [
        {"guest_id": "g", "text": ""},
        {"guest_id": "g", "text": "   "},
        {"guest_id": "g", "text": "x" * 10_000},
        {"guest_id": "", "text": "hola"},
        {"guest_id": "g h", "text": "hola"},
        {"guest_id": "g", "text": "hola", "channel": "whatsapp"},
        {"guest_id": "g", "text": "hola", "language": "fr"},
        {"text": "hola"},
    ],
)
async def test_bad_messages_are_422(service: Running, payload: dict[str, object]) -> None:
    response = await service.client.post("/api/messages", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_nlu_parse(service: Running) -> None:
    response = await service.client.post(
        "/api/nlu/parse",
        json={
            "text": "quiero reservar del 12 al 15 de diciembre, dos adultos y un niño",
            "reference_date": "2026-11-29",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "es"
    assert body["intent"]["name"] in {"book_room", "check_availability"}
    assert body["entities"]["check_in"] == "2026-12-12" and body["entities"]["check_out"] == "2026-12-15"
    assert body["entities"]["nights"] == 3
    assert (body["entities"]["adults"], body["entities"]["children"]) == (2, 1)
    bad = await service.client.post("/api/nlu/parse", json={"text": "hola", "reference_date": "mañana"})
    assert bad.status_code == 422


async def test_nlu_parse_reads_a_catalog_room_name_as_a_choice(service: Running) -> None:
    # "ejecutiva" is the demo hotel's Executive Rooms: a name the classifier never learned.
    response = await service.client.post("/api/nlu/parse", json={"text": "me quedo con la ejecutiva"})
    body = response.json()
    assert body["intent"]["name"] == "inform"
    assert body["entities"]["room_type"]["room_type_id"] == 3
    refusal = await service.client.post("/api/nlu/parse", json={"text": "no, gracias", "language": "es"})
    assert refusal.json()["intent"]["name"] == "deny"


async def test_handoff_silences_the_bot_until_staff_release_it(service: Running) -> None:
    await _say(service, "hola", guest="web-h")
    handed = await _say(service, "quiero hablar con una persona de recepción", guest="web-h")
    assert handed["status"] == "handoff"
    silent = await _say(service, "¿hola? ¿hay alguien?", guest="web-h")
    assert silent["reply"]["text"] == "" and silent["status"] == "handoff"  # type: ignore[index]

    listed = (await service.client.get("/admin/conversations", headers=ADMIN)).json()["conversations"]
    assert len(listed) == 1
    convo = listed[0]
    assert convo["handoff_reason"] == "requested" and convo["guest"]["id"] == "web-h"
    assert convo["recent_messages"][-1]["text"] == "¿hola? ¿hay alguien?"

    replied = await service.client.post(
        f"/admin/conversations/{convo['id']}/reply", json={"text": "Hola, soy Marta de recepción."}, headers=ADMIN
    )
    assert replied.status_code == 200
    assert replied.json()["recent_messages"][-1]["text"] == "Hola, soy Marta de recepción."
    released = await service.client.post(f"/admin/conversations/{convo['id']}/release", headers=ADMIN)
    assert released.status_code == 200 and released.json()["status"] == "bot"
    assert (await service.client.post(f"/admin/conversations/{convo['id']}/release", headers=ADMIN)).status_code == 409
    back = await _say(service, "gracias", guest="web-h")
    assert back["status"] == "bot" and back["reply"]["text"]  # type: ignore[index]
    assert (await service.client.get("/admin/conversations", headers=ADMIN)).json()["conversations"] == []


async def test_self_test_includes_the_nlu(service: Running) -> None:
    body = (await service.client.post("/api/test", json={"message": "test"})).json()
    assert body["status"] == "success"
    assert body["checks"]["nlu"]["status"] == "ok"


async def test_conversation_metrics(service: Running) -> None:
    await _say(service, "hola", guest="m-1")
    await _say(service, "quiero hablar con un humano", guest="m-1")
    metrics = (await service.client.get("/metrics")).text
    assert 'conversation_messages_total{channel="web",direction="in",intent="greet",language="es"} 1.0' in metrics
    assert 'conversation_handoffs_total{reason="requested"} 1.0' in metrics


async def test_a_new_guests_first_messages_at_once_share_one_session(service: Running) -> None:
    """Two first messages racing to create the guest (a double-clicked "send") are both answered."""
    first, second = await asyncio.gather(
        service.client.post("/api/messages", json={"guest_id": "web-twice", "text": "hola"}),
        service.client.post("/api/messages", json={"guest_id": "web-twice", "text": "¿tenéis parking?"}),
    )
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["session_id"] == second.json()["session_id"]
    assert first.json()["reply"]["text"] and second.json()["reply"]["text"]
    history = await service.client.get(f"/admin/conversations/{first.json()['session_id']}", headers=ADMIN)
    assert history.status_code == 200, history.text
    assert sorted(m["text"] for m in history.json()["recent_messages"] if m["direction"] == "in") == [
        "hola",
        "¿tenéis parking?",
    ]


async def test_the_handoff_list_shows_each_conversations_own_last_messages_in_one_query(service: Running) -> None:
    """Each listed conversation carries its own ten most recent messages, oldest first, and
    the messages table is read once per listing however many conversations it shows."""
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        # Only reads of the messages table: an in-process worker may query other tables meanwhile.
        if "FROM messages" in statement:
            statements.append(statement)

    async def listed() -> tuple[list[dict[str, Any]], int]:
        statements.clear()
        response = await service.client.get("/admin/conversations", headers=ADMIN)
        assert response.status_code == 200, response.text
        return response.json()["conversations"], len(statements)

    await _say(service, "quiero hablar con una persona", guest="web-a")
    for n in range(12):  # the bot stays silent while staff own it: 14 messages in all
        await _say(service, f"¿hola? mensaje {n}", guest="web-a")
    engine = service.container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        (alone,), statements_for_one = await listed()
        await _say(service, "quiero hablar con un humano", guest="web-b")
        await _say(service, "necesito hablar con recepción", guest="web-c")
        three, statements_for_three = await listed()
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert statements_for_one == statements_for_three == 1
    by_guest = {convo["guest"]["id"]: convo for convo in three}
    assert set(by_guest) == {"web-a", "web-b", "web-c"}
    texts = [m["text"] for m in by_guest["web-a"]["recent_messages"]]
    assert texts == [f"¿hola? mensaje {n}" for n in range(2, 12)]
    assert alone["recent_messages"] == by_guest["web-a"]["recent_messages"]
    for guest in ("web-b", "web-c"):
        recent = by_guest[guest]["recent_messages"]
        assert [m["direction"] for m in recent] == ["in", "out"]


@pytest.mark.parametrize(
    "text", ["hola\u0000", "\u0000", "hola \ud800 adiós", "\udfff"], ids=["nul", "only-nul", "lone-high", "lone-low"]
)
async def test_text_the_database_cannot_store_is_422_and_the_guest_goes_on(service: Running, text: str) -> None:
    # json.dumps escapes both (as \u0000 and \ud800), as a browser's JSON.stringify does.
    raw = json.dumps({"guest_id": "web-poison", "text": text}).encode()
    response = await service.client.post("/api/messages", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["location"] for detail in error["details"]] == [["body", "text"]]
    assert await _stored_messages(service) == 0
    after = await _say(service, "hola", guest="web-poison")
    assert after["reply"]["text"]  # type: ignore[index]


async def test_a_staff_reply_the_database_cannot_store_is_422_and_the_next_one_is_sent(service: Running) -> None:
    await _say(service, "quiero hablar con una persona", guest="web-staff")
    (convo,) = (await service.client.get("/admin/conversations", headers=ADMIN)).json()["conversations"]
    path, headers = f"/admin/conversations/{convo['id']}/reply", {**ADMIN, "Content-Type": "application/json"}
    refused = await service.client.post(path, content=b'{"text": "Hola\\u0000"}', headers=headers)
    assert refused.status_code == 422
    assert [detail["location"] for detail in refused.json()["error"]["details"]] == [["body", "text"]]
    replied = await service.client.post(path, json={"text": "Hola, soy Marta."}, headers=ADMIN)
    assert replied.status_code == 200
    assert replied.json()["recent_messages"][-1]["text"] == "Hola, soy Marta."


async def test_a_guest_id_longer_than_its_column_is_422(service: Running) -> None:
    response = await service.client.post("/api/messages", json={"guest_id": "g" * 129, "text": "hola"})
    assert response.status_code == 422
    assert [detail["location"] for detail in response.json()["error"]["details"]] == [["body", "guest_id"]]
    assert (await _say(service, "hola", guest="g" * 128))["reply"]["text"]  # type: ignore[index]
