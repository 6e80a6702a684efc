"""Personal data a guest writes never reaches a log line, even at DEBUG.

A name, an e-mail, a phone and a card number go in through the web chat API, the WhatsApp
webhook (whose profile carries the name too) and the e-mail webhook, and the worker
processes the deliveries; every line written meanwhile, by the service or by the libraries
under it, is searched for them.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from pydantic import SecretStr

from agente.channels.email.jobs import DELIVERY_JOB as EMAIL_DELIVERY
from agente.channels.email.signature import HEADER as EMAIL_SIGNATURE
from agente.channels.email.signature import sign as sign_email
from agente.channels.whatsapp.relay import DELIVERY_JOB as WHATSAPP_DELIVERY
from agente.channels.whatsapp.signature import sign as sign_whatsapp
from agente.observability.logging import configure_logging
from agente.outbox import OutboxRelay
from tests.conftest import embedded_settings, running

PAYLOADS = Path(__file__).parents[1] / "channels" / "payloads"
NAME = "Zoraida Villalobos"
EMAIL = "zoraida.villalobos@example.org"
PHONE = "+34 699 123 457"
CARD = "4111 1111 1111 1111"
MESSAGE = f"Hola, soy {NAME}, mi correo es {EMAIL}, mi móvil {PHONE} y pago con la tarjeta {CARD}"
# What must not appear in any form the code might write it.
SECRETS = ["Zoraida", "Villalobos", "zoraida.villalobos", "699 123 457", "699123457", CARD, CARD.replace(" ", "")]


def _whatsapp_delivery() -> bytes:
    document = json.loads((PAYLOADS / "text_emoji_accents.json").read_bytes())
    value = document["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["profile"]["name"] = NAME
    value["messages"][0]["text"]["body"] = MESSAGE
    return json.dumps(document, ensure_ascii=False).encode()


def _email_delivery() -> bytes:
    form = {
        "message_id": "<privacy-1@mail.example.org>",
        "from": f"{NAME} <{EMAIL}>",
        "to": "reservas@hotel.example",
        "subject": f"Reserva de {NAME}",
        "text": MESSAGE,
    }
    return json.dumps(form, ensure_ascii=False).encode()


async def test_guest_personal_data_is_in_no_log_line(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path,
        log_level="DEBUG",
        whatsapp_app_secret=SecretStr("app-secret"),
        email_webhook_secret=SecretStr("email-secret"),
        smtp_host="127.0.0.1",
        smtp_from="Hotel <reservas@hotel.example>",
    )
    out = io.StringIO()
    configure_logging("DEBUG", stream=out)
    try:
        async with running(settings) as svc:
            web = await svc.client.post("/api/messages", json={"guest_id": "web-privacy", "text": MESSAGE})
            raw = _whatsapp_delivery()
            whatsapp = await svc.client.post(
                "/webhooks/whatsapp",
                content=raw,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign_whatsapp(raw, "app-secret")},
            )
            raw = _email_delivery()
            email = await svc.client.post(
                "/webhooks/email",
                content=raw,
                headers={"Content-Type": "application/json", EMAIL_SIGNATURE: sign_email(raw, "email-secret")},
            )
            container = svc.container
            handlers = {
                WHATSAPP_DELIVERY: container.whatsapp.process_delivery,
                EMAIL_DELIVERY: container.email.process_delivery,
            }
            relay = OutboxRelay(container.storage, handlers, container.metrics)  # type: ignore[arg-type]
            processed = 0
            level = logging.getLogger().getEffectiveLevel()
            while await relay.run_once():
                processed += 1
    finally:
        configure_logging("INFO")
    assert web.status_code == 200 and whatsapp.status_code == 200 and email.status_code == 202
    assert processed >= 1
    text = out.getvalue()
    assert level == logging.DEBUG
    assert text.count('"event": "request"') >= 3  # the lines were written here, and searched
    leaks = [
        (secret, json.loads(line).get("logger"), line[:160])
        for line in text.splitlines()
        for secret in SECRETS
        if secret in line
    ]
    assert leaks == []
