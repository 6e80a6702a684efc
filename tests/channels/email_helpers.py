"""Shared by the email tests: settings pointing at an in-process SMTP server, signed webhook
posts, and an outbox relay that runs the email jobs as the worker does."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from agente.channels.email.jobs import DELIVERY_JOB, SEND_JOB
from agente.channels.email.signature import HEADER, sign
from agente.config import Settings
from agente.container import Container
from agente.outbox import Handler, OutboxRelay
from agente.reservations.service import PENDING_JOB
from tests.channels.smtp_double import SmtpServer
from tests.conftest import Running

SECRET = "email-webhook-secret-for-tests"
HOTEL_FROM = "The Hotel Prime <reservas@hotel.example>"


def email_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "smtp_from": HOTEL_FROM,
            "email_webhook_secret": SecretStr(SECRET),
            "admin_token": SecretStr("ops:test-token"),
        }
    )


def email_form(text: str, **fields: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "message_id": f"<{uuid.uuid4().hex}@mail.example.com>",
        "from": "Ana García <ana@example.com>",
        "to": "reservas@hotel.example",
        "subject": "Consulta",
        "text": text,
    }
    form.update(fields)
    return form


async def post_email(service: Running, form: dict[str, Any] | bytes, signature: str | None = "valid") -> httpx.Response:
    raw = form if isinstance(form, bytes) else json.dumps(form, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers[HEADER] = sign(raw, SECRET)
    elif signature is not None:
        headers[HEADER] = signature
    return await service.client.post("/webhooks/email", content=raw, headers=headers)


def relay(container: Container, *, later: float = 0.0) -> OutboxRelay:
    """The worker's relay for the email and pending-booking jobs, its clock ``later`` seconds ahead."""
    handlers: dict[str, Handler] = {
        DELIVERY_JOB: container.email.process_delivery,
        SEND_JOB: container.email.send,
        PENDING_JOB: container.reservations.complete_pending,
    }
    return OutboxRelay(
        container.storage,
        handlers,
        container.metrics,
        now=lambda: datetime.now(UTC) + timedelta(seconds=later),
    )


async def drain(container: Container) -> None:
    worker = relay(container)
    while await worker.run_once():
        pass


def sends(container: Container, outcome: str) -> float:
    value = container.metrics.registry.get_sample_value("channel_sends_total", {"channel": "email", "outcome": outcome})
    return value or 0.0
