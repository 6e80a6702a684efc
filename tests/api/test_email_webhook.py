from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from agente.channels.email.jobs import DELIVERY_JOB
from agente.channels.email.signature import sign
from agente.config import Settings
from agente.storage import db
from agente.storage.models import Message, OutboxJob
from tests.channels.email_helpers import SECRET, drain, email_form, email_settings, post_email
from tests.channels.smtp_double import SmtpServer, smtp_server
from tests.conftest import Running, running


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return email_settings(settings, smtp)


async def _jobs(service: Running) -> list[OutboxJob]:
    async with db.session_scope(service.container.session_factory) as session:
        return list((await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())


def _metric(service: Running, name: str, labels: dict[str, str]) -> float:
    return service.container.metrics.registry.get_sample_value(name, labels) or 0.0


async def test_a_signed_email_is_stored_as_a_job_and_acknowledged(service: Running) -> None:
    form = email_form("¿Tenéis parking? 🚗", message_id="abc-1@mail.example.com", **{"from": "Ana <ANA@Example.com>"})
    response = await post_email(service, form)
    assert response.status_code == 202 and response.json() == {"status": "accepted"}
    (job,) = await _jobs(service)
    assert (job.kind, job.status, job.dedup_key) == (
        DELIVERY_JOB,
        "pending",
        f"{DELIVERY_JOB}:<abc-1@mail.example.com>",
    )
    assert job.ordering_key == "email:ana@example.com"  # one guest's emails run in order
    stored = job.payload["email"]
    assert stored["from"] == "ana@example.com" and stored["message_id"] == "<abc-1@mail.example.com>"
    assert stored["text"] == "¿Tenéis parking? 🚗"
    assert _metric(service, "webhook_deliveries_total", {"channel": "email"}) == 1


async def test_a_redelivered_email_is_dropped_however_it_is_serialised(service: Running) -> None:
    form = email_form("Hola")
    assert (await post_email(service, form)).status_code == 202
    again = json.dumps(form, indent=2).encode()  # other bytes, same Message-ID
    duplicate = await post_email(service, again)
    assert duplicate.status_code == 200 and duplicate.json() == {"status": "duplicate"}
    assert len(await _jobs(service)) == 1
    assert _metric(service, "webhook_deliveries_total", {"channel": "email"}) == 1


async def test_simultaneous_deliveries_of_one_email_store_one_job(service: Running) -> None:
    form = email_form("Hola")
    answers = await asyncio.gather(*(post_email(service, form) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 202]
    assert len(await _jobs(service)) == 1


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=abc", "sha256=zz"])
async def test_unsigned_or_forged_emails_get_401_and_nothing_is_stored(service: Running, signature: str | None) -> None:
    response = await post_email(service, email_form("Hola"), signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert await _jobs(service) == []
    assert _metric(service, "webhook_rejections_total", {"channel": "email", "reason": "signature"}) == 1


async def test_a_signature_over_other_bytes_does_not_pass(service: Running) -> None:
    form = email_form("Habitación 🛏️")
    raw = json.dumps(form, ensure_ascii=False).encode()
    reserialised = json.dumps(form).encode()  # escapes the accents and emoji
    response = await post_email(service, reserialised, sign(raw, SECRET))
    assert response.status_code == 401 and await _jobs(service) == []


async def test_a_signed_body_that_is_not_json_is_400(service: Running) -> None:
    response = await post_email(service, b"message_id=1&from=ana@example.com")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert await _jobs(service) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "ana at example dot com"}, "from"),
        ({"from": None}, "from"),
        ({"message_id": None}, "message_id"),
        ({"text": None}, "text"),
        ({"to": []}, "to"),
    ],
)
async def test_a_signed_email_not_in_the_documented_form_is_422_naming_the_field(
    service: Running, change: dict[str, object], field: str
) -> None:
    form = email_form("Hola")
    for key, value in change.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    response = await post_email(service, form)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_email"
    assert [detail["location"][0] for detail in error["details"]] == [field]
    assert "example" not in json.dumps(error)
    assert await _jobs(service) == []


async def test_an_oversized_email_is_413(service: Running) -> None:
    response = await post_email(service, email_form("x" * (1024 * 1024)))
    assert response.status_code == 413 and await _jobs(service) == []


async def test_without_a_secret_the_channel_is_off_and_the_default_books_without_email(settings: Settings) -> None:
    defaults = settings.model_copy(
        update={"smtp_host": None, "smtp_from": None, "email_webhook_secret": None, "smtp_port": 587}
    )
    async with running(defaults) as service:
        response = await post_email(service, email_form("Hola"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "email_disabled"

        today = datetime.now(ZoneInfo(defaults.hotel_timezone))
        check_in = (today + timedelta(days=40)).date()
        stay = f"I'd like to book 3 nights from {check_in.strftime('%B')} {check_in.day} for 2 adults"
        for text in (stay, "the first one", "John Smith", "john@example.org", "+1 305 555 0100", "yes"):
            reply = await service.client.post("/api/messages", json={"guest_id": "web-9", "text": text})
        assert "reference is AH" in reply.json()["reply"]["text"]
        async with db.session_scope(service.container.session_factory) as session:
            count = (await session.execute(select(func.count()).select_from(OutboxJob))).scalar_one()
        assert count == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Hola\u0000, ¿tenéis sitio?"),
        ("text", "Hola \ud83d sin pareja"),
        ("subject", "Consulta\u0000"),
        ("message_id", "<abc\u0000@mail.example.com>"),
        ("from", "Ana\u0000 <ana@example.com>"),
        ("to", ["reservas@hotel.example", "Info\u0000 <info@hotel.example>"]),
        ("in_reply_to", "<ours\u0000@hotel.example>"),
        ("references", "<a@x.example> <b\udc00@y.example>"),
    ],
    ids=["text-nul", "text-surrogate", "subject", "message_id", "from-name", "to-name", "in_reply_to", "references"],
)
async def test_an_email_the_database_cannot_store_is_422_naming_the_field_and_the_guest_goes_on(
    service: Running, smtp: SmtpServer, field: str, value: object
) -> None:
    # Escaped as a provider's JSON encoder writes them: \u0000, \ud83d.
    raw = json.dumps({**email_form("Hola"), field: value}).encode()
    response = await post_email(service, raw)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_email"
    assert [detail["location"][0] for detail in error["details"]] == [field]
    assert "cannot be stored" in error["details"][0]["message"]
    assert await _jobs(service) == []
    assert _metric(service, "webhook_rejections_total", {"channel": "email", "reason": "payload"}) == 1

    assert (await post_email(service, email_form("Hola, ¿tenéis parking?"))).status_code == 202
    await drain(service.container)
    assert [received.rcpt_tos for received in smtp.received] == [["ana@example.com"]]


async def test_a_long_message_id_is_kept_by_digest_and_answered(service: Running, smtp: SmtpServer) -> None:
    long_id = "<" + "x" * 900 + "@mail.example.com>"
    assert (await post_email(service, email_form("Hola", message_id=long_id))).status_code == 202
    assert (await post_email(service, email_form("Hola otra vez", message_id=long_id))).status_code == 200
    await drain(service.container)
    (received,) = smtp.received
    assert received.message["In-Reply-To"] == long_id
    async with db.session_scope(service.container.session_factory) as session:
        stored = (await session.execute(select(Message.channel_message_id).where(Message.direction == "in"))).scalar()
    assert stored is not None and stored.startswith("sha256:") and len(stored) <= 128
