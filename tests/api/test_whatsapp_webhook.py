from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from agente.channels.whatsapp.client import WhatsAppClient
from agente.channels.whatsapp.relay import DELIVERY_JOB, SEND_JOB
from agente.channels.whatsapp.signature import sign
from agente.config import Settings
from agente.container import Container
from agente.outbox import OutboxRelay
from agente.storage import db
from agente.storage.models import Message, OutboxJob
from agente.storage.repositories.outbox.sql import SqlOutbox
from tests.channels.graph_double import API_BASE, PHONE_NUMBER_ID, TOKEN, GraphDouble
from tests.conftest import Running

SECRET = "app-secret-for-tests"
PAYLOADS = Path(__file__).parents[1] / "channels" / "payloads"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "whatsapp_app_secret": SecretStr(SECRET),
            "whatsapp_verify_token": SecretStr("verify-me"),
            "admin_token": SecretStr("ops:test-token"),
        }
    )


@pytest.fixture
async def graph(service: Running) -> AsyncIterator[GraphDouble]:
    double = GraphDouble()
    client = WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=httpx.ASGITransport(app=double))
    service.container.whatsapp.client = client
    yield double
    await client.aclose()


async def _post(service: Running, raw: bytes, signature: str | None = "valid") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = sign(raw, SECRET)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return await service.client.post("/webhooks/whatsapp", content=raw, headers=headers)


def _relay(container: Container) -> OutboxRelay:
    handlers = {DELIVERY_JOB: container.whatsapp.process_delivery, SEND_JOB: container.whatsapp.send}
    return OutboxRelay(container.storage, handlers, container.metrics)  # type: ignore[arg-type]


async def _drain(container: Container) -> None:
    relay = _relay(container)
    while await relay.run_once():
        pass


async def _count(container: Container, model: type[OutboxJob] | type[Message], **where: str) -> int:
    async with db.session_scope(container.session_factory) as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int((await session.execute(query)).scalar_one())


async def test_verification_handshake(service: Running) -> None:
    ok = await service.client.get(
        "/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
    )
    assert ok.status_code == 200 and ok.text == "42"
    wrong = await service.client.get(
        "/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"}
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("signature", [None, "sha256=deadbeef", "md5=abc", ""])
async def test_unsigned_or_forged_deliveries_are_refused_and_not_stored(
    service: Running, signature: str | None
) -> None:
    raw = (PAYLOADS / "text_emoji_accents.json").read_bytes()
    response = await _post(service, raw, signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert await _count(service.container, OutboxJob) == 0


async def test_reserialised_json_does_not_pass_the_signature(service: Running) -> None:
    raw = (PAYLOADS / "text_emoji_accents.json").read_bytes()
    signature = sign(raw, SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()  # escapes the emoji and accents
    response = await _post(service, reserialised, signature)
    assert response.status_code == 401


async def test_a_message_is_answered_once_however_often_it_is_delivered(service: Running, graph: GraphDouble) -> None:
    raw = (PAYLOADS / "text_emoji_accents.json").read_bytes()
    for _ in range(3):
        assert (await _post(service, raw)).json() == {"status": "accepted"}
    assert await _count(service.container, OutboxJob, kind=DELIVERY_JOB) == 1
    await _drain(service.container)
    # The same message again in a different delivery (Meta retries re-serialise): still one reply.
    again = json.dumps(json.loads(raw), ensure_ascii=False, indent=1).encode()
    assert (await _post(service, again)).status_code == 200
    await _drain(service.container)

    sent = graph.sent["34600111222"]
    assert len(sent) == 1
    assert sent[0]["type"] == "text" and sent[0]["text"]["body"]
    assert await _count(service.container, Message, channel="whatsapp", direction="in") == 1
    async with db.session_scope(service.container.session_factory) as session:
        out = (await session.execute(select(Message).where(Message.direction == "out"))).scalar_one()
    assert out.channel_message_id and out.channel_message_id.startswith("wamid.") and out.status == "sent"


async def test_unsupported_media_gets_a_polite_reply(service: Running, graph: GraphDouble) -> None:
    raw = (PAYLOADS / "unsupported_media.json").read_bytes()
    assert (await _post(service, raw)).status_code == 200
    await _drain(service.container)
    bodies = [m["text"]["body"] for messages in graph.sent.values() for m in messages]
    assert bodies and all("texto" in b or "text" in b for b in bodies)


async def test_provider_failures_are_retried_later(service: Running, graph: GraphDouble) -> None:
    graph.fail_server(times=1)
    raw = (PAYLOADS / "text_emoji_accents.json").read_bytes()
    await _post(service, raw)
    relay = _relay(service.container)
    await relay.run_once()  # the delivery: reply stored, send job queued
    await relay.run_once()  # the send: 5xx → retried later
    async with db.session_scope(service.container.session_factory) as session:
        job = (await session.execute(select(OutboxJob).where(OutboxJob.kind == SEND_JOB))).scalar_one()
    assert job.status == "pending" and job.attempts == 1
    assert graph.sent == {}
    retried = service.container.metrics.registry.get_sample_value(
        "channel_sends_total", {"channel": "whatsapp", "outcome": "retry"}
    )
    assert retried == 1


def _text_delivery(wamid: str, text: str, wa_id: str = "34600999888", *, name: str = "Ana") -> bytes:
    """A delivery of one text message; characters are escaped only where JSON must (control
    characters) or cannot do otherwise (an unpaired surrogate has no UTF-8 form)."""
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
                                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": wamid,
                                        "timestamp": "1764403200",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8", "backslashreplace")


async def test_staff_replies_reach_the_guest_on_whatsapp(service: Running, graph: GraphDouble) -> None:
    admin = {"Authorization": "Bearer test-token"}
    await _post(service, _text_delivery("wamid.person-1", "quiero hablar con una persona"))
    await _drain(service.container)
    listed = (await service.client.get("/admin/conversations", headers=admin)).json()["conversations"]
    assert len(listed) == 1 and listed[0]["channel"] == "whatsapp"
    conversation = listed[0]["id"]

    await service.client.post(
        f"/admin/conversations/{conversation}/reply", json={"text": "Hola Ana, soy Marta de recepción."}, headers=admin
    )
    await service.client.post(f"/admin/conversations/{conversation}/release", headers=admin)
    await _drain(service.container)

    bodies = [m["text"]["body"] for m in graph.sent["34600999888"]]
    assert bodies[-2] == "Hola Ana, soy Marta de recepción."
    assert "asistente virtual" in bodies[-1]
    # Staff's messages queue behind the bot's for the same guest, so none overtakes another.
    async with db.session_scope(service.container.session_factory) as session:
        sends = (await session.execute(select(OutboxJob).where(OutboxJob.kind == SEND_JOB))).scalars().all()
    assert len(sends) == 3
    assert {job.ordering_key for job in sends} == {"whatsapp.send:34600999888"}


async def test_a_delivery_is_stored_per_guest_and_each_guest_is_answered_in_order(
    service: Running, graph: GraphDouble
) -> None:
    raw = (PAYLOADS / "several_entries.json").read_bytes()
    assert (await _post(service, raw)).status_code == 200
    async with db.session_scope(service.container.session_factory) as session:
        jobs = (await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars().all()
        keys = [job.ordering_key for job in jobs]
    assert keys == ["whatsapp:34600111222", "whatsapp:447700900123", "whatsapp:33612345678"]
    await _drain(service.container)
    assert sorted(graph.sent) == ["33612345678", "34600111222", "447700900123"]
    async with db.session_scope(service.container.session_factory) as session:
        inbound = (
            await session.execute(
                select(Message.channel_message_id)
                .where(Message.direction == "in", Message.channel == "whatsapp")
                .order_by(Message.created_at, Message.channel_message_id)
            )
        ).scalars()
        seen = [wamid or "" for wamid in inbound]
    assert sorted(seen) == ["wamid.A1", "wamid.A2", "wamid.B1", "wamid.C1"]
    assert seen.index("wamid.A1") < seen.index("wamid.A2")


async def test_one_guest_s_deliveries_wait_for_each_other_across_workers(service: Running, graph: GraphDouble) -> None:
    for n in range(3):
        assert (await _post(service, _text_delivery(f"wamid.O{n}", f"mensaje {n}"))).status_code == 200
    workers = [_relay(service.container) for _ in range(3)]
    while sum(await asyncio.gather(*(w.run_once() for w in workers))):
        pass
    async with db.session_scope(service.container.session_factory) as session:
        order = (
            await session.execute(
                select(Message.channel_message_id).where(Message.direction == "in").order_by(Message.created_at)
            )
        ).scalars()
        assert list(order) == ["wamid.O0", "wamid.O1", "wamid.O2"]
    assert len(graph.sent["34600999888"]) == 3


async def test_a_long_reply_interrupted_half_way_resumes_without_repeating_a_part(
    service: Running, graph: GraphDouble
) -> None:
    container = service.container
    long_reply = "\n\n".join(f"Parte {n}. " + "Tenemos varias opciones para esas fechas. " * 60 for n in range(3))
    async with db.session_scope(container.session_factory) as session:
        convo_id = (
            await container.conversations.handle(channel="whatsapp", external_id="34600777666", text="hola")
        ).session_id
        message = Message(session_id=convo_id, direction="out", channel="whatsapp", text=long_reply, language="es")
        session.add(message)
        await session.flush()
        await SqlOutbox(session).enqueue(
            SEND_JOB, {"message_id": str(message.id), "to": "34600777666"}, dedup_key="long"
        )
    graph.fail_server(times=1, after=1)  # the first part goes out, the second fails
    relay = _relay(container)
    await relay.run_once()
    async with db.session_scope(container.session_factory) as session:
        job = (await session.execute(select(OutboxJob).where(OutboxJob.dedup_key == "long"))).scalar_one()
        assert job.status == "pending" and len(job.payload["sent_parts"]) == 1
        job.next_attempt_at = job.created_at  # due now
    await relay.run_once()
    bodies = [m["text"]["body"] for m in graph.sent["34600777666"]]
    assert len(bodies) == len(set(bodies)) >= 2  # every part once, none repeated
    assert "".join(bodies).replace(" ", "").replace("\n", "") == long_reply.replace(" ", "").replace("\n", "")


async def _jobs_left(container: Container) -> list[tuple[str, str]]:
    """``(kind, status)`` of every outbox job not done."""
    async with db.session_scope(container.session_factory) as session:
        jobs = (await session.execute(select(OutboxJob).where(OutboxJob.status != "done"))).scalars()
        return [(job.kind, job.status) for job in jobs]


async def _inbound(container: Container) -> list[tuple[str | None, str]]:
    async with db.session_scope(container.session_factory) as session:
        rows = await session.execute(
            select(Message.channel_message_id, Message.text)
            .where(Message.direction == "in", Message.channel == "whatsapp")
            .order_by(Message.created_at)
        )
        return [(wamid, text) for wamid, text in rows]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("hola\u0000, quiero reservar", "hola, quiero reservar"),
        ("hola \ud800quiero reservar\udfff", "hola quiero reservar"),
        ("\u0000", "[text]"),  # nothing left to read: answered as an unreadable message
    ],
    ids=["nul", "surrogates", "only-nul"],
)
async def test_text_the_database_cannot_store_is_cleaned_and_the_guest_s_next_message_is_answered(
    service: Running, graph: GraphDouble, text: str, stored: str
) -> None:
    assert (await _post(service, _text_delivery("wamid.P1", text, name="A\u0000na"))).status_code == 200
    assert (await _post(service, _text_delivery("wamid.P2", "¿tenéis parking?"))).status_code == 200
    await _drain(service.container)

    assert await _inbound(service.container) == [("wamid.P1", stored), ("wamid.P2", "¿tenéis parking?")]
    assert len(graph.sent["34600999888"]) == 2
    assert await _jobs_left(service.container) == []


@pytest.mark.parametrize(
    "wa_id", ["3" * 118, "3" * 129, "34600\u0000999888", "34600\ud800"], ids=["118", "129", "nul", "surrogate"]
)
async def test_a_sender_no_whatsapp_id_can_be_is_acknowledged_and_dropped(
    service: Running, graph: GraphDouble, wa_id: str
) -> None:
    response = await _post(service, _text_delivery("wamid.BAD1", "hola", wa_id=wa_id))
    assert response.status_code == 200 and response.json() == {"status": "accepted"}
    assert (await _post(service, _text_delivery("wamid.OK1", "hola"))).status_code == 200
    await _drain(service.container)

    assert await _inbound(service.container) == [("wamid.OK1", "hola")]
    assert list(graph.sent) == ["34600999888"]
    assert await _jobs_left(service.container) == []
    dropped = service.container.metrics.registry.get_sample_value(
        "webhook_rejections_total", {"channel": "whatsapp", "reason": "invalid_sender"}
    )
    assert dropped == 1


@pytest.mark.parametrize("wamid", ["wamid." + "A" * 200, "wamid.\u0000X"], ids=["long", "nul"])
async def test_a_wamid_that_does_not_fit_is_kept_by_digest_and_the_guest_goes_on(
    service: Running, graph: GraphDouble, wamid: str
) -> None:
    raw = _text_delivery(wamid, "hola")
    assert (await _post(service, raw)).status_code == 200
    await _drain(service.container)
    # Redelivered in other bytes (Meta re-serialises): recognised, not answered again.
    again = json.dumps(json.loads(raw), indent=1).encode()
    assert (await _post(service, again)).status_code == 200
    assert (await _post(service, _text_delivery("wamid.N2", "¿tenéis parking?"))).status_code == 200
    await _drain(service.container)

    (first, _), second = await _inbound(service.container)
    assert first is not None and first.startswith("sha256:") and len(first) <= 128
    assert second == ("wamid.N2", "¿tenéis parking?")
    assert len(graph.sent["34600999888"]) == 2
    assert await _jobs_left(service.container) == []


async def test_a_signed_body_with_a_nul_byte_is_acknowledged_not_a_500(service: Running, graph: GraphDouble) -> None:
    raw = b'{"object": "whatsapp_business_account", "entry": [\x00'
    assert (await _post(service, raw)).status_code == 200
    await _drain(service.container)
    assert await _jobs_left(service.container) == [(DELIVERY_JOB, "dead")]  # unreadable, for an operator
    assert (await _post(service, _text_delivery("wamid.N3", "hola"))).status_code == 200
    await _drain(service.container)
    assert len(graph.sent["34600999888"]) == 1
