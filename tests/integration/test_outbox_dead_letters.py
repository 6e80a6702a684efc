"""On PostgreSQL, a job no retry can fix is dead at once and does not hold the guest's next messages.

PostgreSQL cannot store U+0000 in text (``CharacterNotInRepertoireError``), nor a value
longer than its column: the same job fails the same way at every attempt, and a guest whose
message it is must not wait behind it for hours.
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, text

from agente.channels.whatsapp.client import WhatsAppClient
from agente.channels.whatsapp.relay import DELIVERY_JOB, SEND_JOB
from agente.channels.whatsapp.signature import sign
from agente.config import Settings
from agente.container import Container
from agente.observability.logging import configure_logging
from agente.outbox import OutboxRelay, PermanentJobError
from agente.storage import db
from agente.storage.errors import describe_error, is_unstorable
from agente.storage.models import Message, OutboxJob
from tests.channels.graph_double import API_BASE, PHONE_NUMBER_ID, TOKEN, GraphDouble
from tests.conftest import Running, _truncate, postgres_settings

pytestmark = pytest.mark.postgres

SECRET = "app-secret-for-tests"
PAYLOADS = Path(__file__).parents[1] / "channels" / "payloads"
WA_ID = "34600111222"


@pytest.fixture
def settings(pg_database: str, redis_prefix: str) -> Iterator[Settings]:
    """PostgreSQL only: SQLite stores U+0000 and does not bound a varchar."""
    prefix = redis_prefix + uuid.uuid4().hex[:6] + ":"
    yield postgres_settings(pg_database, prefix, whatsapp_app_secret=SecretStr(SECRET))
    asyncio.run(_truncate(pg_database))


@pytest.fixture
async def graph(service: Running) -> AsyncIterator[GraphDouble]:
    double = GraphDouble()
    client = WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=httpx.ASGITransport(app=double))
    service.container.whatsapp.client = client
    yield double
    await client.aclose()


@pytest.fixture
def log_out() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    yield out
    configure_logging("INFO")


def _lines(out: io.StringIO, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == event]


async def _post(service: Running, wamid: str, body: str) -> None:
    document = json.loads((PAYLOADS / "text_emoji_accents.json").read_bytes())
    message = document["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["text"]["body"] = wamid, body
    raw = json.dumps(document, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, SECRET)}
    response = await service.client.post("/webhooks/whatsapp", content=raw, headers=headers)
    assert response.status_code == 200


def _relay(container: Container) -> OutboxRelay:
    handlers = {DELIVERY_JOB: container.whatsapp.process_delivery, SEND_JOB: container.whatsapp.send}
    return OutboxRelay(container.storage, handlers, container.metrics)  # type: ignore[arg-type]


async def _jobs(container: Container, kind: str) -> list[OutboxJob]:
    async with db.session_scope(container.session_factory) as session:
        query = select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)
        return list((await session.execute(query)).scalars())


def _dead_letters(container: Container, kind: str, reason: str) -> float:
    labels = {"kind": kind, "reason": reason}
    return container.metrics.registry.get_sample_value("outbox_dead_letters_total", labels) or 0.0


async def test_a_whatsapp_text_the_database_cannot_store_is_dead_at_once_and_the_guest_is_answered_after_it(
    service: Running, graph: GraphDouble, log_out: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = service.container
    handle = container.whatsapp.conversations.handle

    async def uncleaned(**turn: Any) -> Any:
        # The text reaches the conversation as the guest wrote it, U+0000 included: what any
        # path that does not clean it (below the parser) would store.
        turn["text"] = turn["text"].replace("<NUL>", "\x00")
        return await handle(**turn)

    monkeypatch.setattr(container.whatsapp.conversations, "handle", uncleaned)
    await _post(service, "wamid.poison-1", "Hola<NUL> Ana, quiero una habitación")
    await _post(service, "wamid.next-2", "Hola, ¿tenéis parking?")
    relay = _relay(container)
    while await relay.run_once():
        pass

    poisoned, answered = await _jobs(container, DELIVERY_JOB)
    assert poisoned.status == "dead" and poisoned.attempts == 1  # at once, not 50 attempts later
    assert poisoned.last_error is not None and "SQLSTATE 22021" in poisoned.last_error
    assert "Ana" not in poisoned.last_error and "[SQL" not in poisoned.last_error
    assert answered.status == "done"
    assert _dead_letters(container, DELIVERY_JOB, "unstorable") == 1
    # The guest's next message got its reply, sent.
    assert len(graph.sent[WA_ID]) == 1
    (send,) = await _jobs(container, SEND_JOB)
    assert send.status == "done"
    async with db.session_scope(container.session_factory) as session:
        inbound = (await session.execute(select(Message.text).where(Message.direction == "in"))).scalars().all()
    assert inbound == ["Hola, ¿tenéis parking?"]
    (line,) = _lines(log_out, "outbox job dead-lettered")
    assert line["level"] == "warning" and line["reason"] == "unstorable" and line["job_kind"] == DELIVERY_JOB
    assert "Ana" not in json.dumps(line)


async def test_a_value_longer_than_its_column_is_dead_at_once(container: Container) -> None:
    async def overlong(payload: dict[str, Any]) -> None:
        async with container.storage.begin() as uow:
            await uow.outbox.enqueue("follow-up", {}, dedup_key="k" * 300)  # the column holds 200

    async with container.storage.begin() as uow:
        await uow.outbox.enqueue("overlong", {}, max_attempts=50)
    relay = OutboxRelay(container.storage, {"overlong": overlong}, container.metrics)
    assert await relay.run_once() == 1
    (job,) = await _jobs(container, "overlong")
    assert job.status == "dead" and job.attempts == 1
    assert job.last_error is not None and "SQLSTATE 22001" in job.last_error
    assert _dead_letters(container, "overlong", "unstorable") == 1


async def test_an_error_that_quotes_unstorable_text_is_still_recorded(container: Container) -> None:
    async def hopeless(payload: dict[str, Any]) -> None:
        raise PermanentJobError("refused: 'hola\x00'")

    async with container.storage.begin() as uow:
        await uow.outbox.enqueue("hopeless", {})
    assert await OutboxRelay(container.storage, {"hopeless": hopeless}, container.metrics).run_once() == 1
    (job,) = await _jobs(container, "hopeless")
    # Not left running (to fail again at every lease): dead, its error stored as it could be.
    assert job.status == "dead" and job.last_error == "refused: 'hola\ufffd'"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"ordering_key": "whatsapp:\x00"}, "22021"),
        ({"dedup_key": "k" * 201}, "22001"),
        ({"payload": {"text": "hola\x00"}}, "22P05"),
        ({"ordering_key": "whatsapp:\ud800"}, None),
    ],
    ids=["nul-in-text", "too-long", "nul-in-jsonb", "lone-surrogate"],
)
async def test_what_postgresql_cannot_store_is_told_apart(
    container: Container, values: dict[str, Any], code: str | None
) -> None:
    arguments: dict[str, Any] = {"payload": {}, **values}
    with pytest.raises(Exception) as raised:
        async with container.storage.begin() as uow:
            await uow.outbox.enqueue("probe", arguments.pop("payload"), **arguments)
    assert is_unstorable(raised.value)
    described = describe_error(raised.value)
    assert code is None or f"SQLSTATE {code}" in described
    assert "[SQL" not in described and "hola" not in described and "kkkk" not in described


async def test_other_database_errors_are_not_unstorable(container: Container) -> None:
    with pytest.raises(Exception) as raised:
        async with db.session_scope(container.session_factory) as session:
            await session.execute(text("SELECT * FROM no_such_table"))
    assert not is_unstorable(raised.value)
    assert describe_error(raised.value) == 'ProgrammingError: relation "no_such_table" does not exist'
