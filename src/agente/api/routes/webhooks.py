"""``/webhooks/whatsapp``: Meta's verification handshake and signed event deliveries.

A delivery is checked against ``X-Hub-Signature-256`` on the raw bytes before anything
else, stored durably as an outbox job and acknowledged at once; the worker processes it
(guest messages, delivery receipts) afterwards, so a slow PMS never makes Meta retry. A
redelivery of the same bytes is the same job; messages inside are deduplicated by their
``wamid`` when they are processed.

A delivery is stored as one job per guest who wrote in it, keyed by the guest's WhatsApp id
for ordering: each guest's messages are then answered one at a time, in arrival order,
whichever worker takes them. A body that is signed but unreadable is stored as it came
(without the characters the database cannot hold), and the worker marks it dead for an
operator to see.

A signed delivery is never refused for what it carries: Meta retries any answer but a 2xx for
days, and no retry would change it. A message whose sender cannot be a WhatsApp id (see
:func:`~agente.channels.whatsapp.parse.parse_delivery`) is acknowledged with the rest and
dropped, counted in ``webhook_rejections_total{channel="whatsapp",reason="invalid_sender"}``
and logged (without the id).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel

from agente.api.deps import MetricsDep, SettingsDep, StorageDep
from agente.api.errors import error_response
from agente.api.openapi import error_responses
from agente.channels.errors import PayloadError, SignatureError
from agente.channels.storable import storable_text
from agente.channels.whatsapp.parse import parse_delivery
from agente.channels.whatsapp.relay import DELIVERY_JOB
from agente.channels.whatsapp.signature import verify_challenge, verify_signature
from agente.observability.metrics import Metrics

log = structlog.stdlib.get_logger("agente.whatsapp")

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_DELIVERY_BYTES = 1024 * 1024

# The body is read as bytes (the signature covers them), so FastAPI does not document it.
_SIGNED_DELIVERY: dict[str, Any] = {
    "parameters": [
        {
            "name": "X-Hub-Signature-256",
            "in": "header",
            "required": True,
            "description": "sha256=<HMAC-SHA256 of the raw body under the app secret>",
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "Meta's event delivery; a signed body that is not one is kept for an operator to see",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "object": {"type": "string", "example": "whatsapp_business_account"},
                        "entry": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "changes": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {"field": {"type": "string"}, "value": {"type": "object"}},
                                        },
                                    },
                                },
                            },
                        },
                    },
                }
            }
        },
    },
}


class DeliveryAck(BaseModel):
    status: Literal["accepted"]


def _senders(raw: bytes, metrics: Metrics) -> list[str | None]:
    """The guests who wrote in a delivery, in order of first message; ``[None]`` when none did.

    Messages the parser dropped are counted here, once per delivery received (the worker
    parses each job's copy again and drops them silently)."""
    try:
        delivery = parse_delivery(raw)
    except PayloadError:
        return [None]
    if delivery.dropped:
        metrics.webhook_rejections.labels("whatsapp", "invalid_sender").inc(delivery.dropped)
        log.warning("WhatsApp messages dropped: their sender is not a WhatsApp id", count=delivery.dropped)
    senders = list(dict.fromkeys(message.from_wa_id for message in delivery.messages))
    return list(senders) or [None]


@router.get("/whatsapp", response_class=PlainTextResponse)
async def verify(
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=512)] = "",
) -> Response:
    configured = settings.whatsapp_verify_token
    echo = verify_challenge(mode, token, challenge, configured.get_secret_value() if configured else "")
    if echo is None:
        return error_response(403, "The verification token does not match.", code="forbidden")
    return PlainTextResponse(echo)


@router.post(
    "/whatsapp",
    status_code=200,
    response_model=DeliveryAck,
    responses=error_responses(401),
    openapi_extra=_SIGNED_DELIVERY,
)
async def deliver(request: Request, settings: SettingsDep, metrics: MetricsDep, storage: StorageDep) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_DELIVERY_BYTES:
        return error_response(413, "The delivery is too large.")
    secret = settings.whatsapp_app_secret
    try:
        verify_signature(raw, request.headers.get("x-hub-signature-256"), secret.get_secret_value() if secret else "")
    except SignatureError as exc:
        metrics.webhook_rejections.labels("whatsapp", "signature").inc()
        return error_response(401, str(exc), code="invalid_signature")
    digest = hashlib.sha256(raw).hexdigest()
    # A NUL byte makes the body unreadable, but must not make it unstorable (jsonb refuses it).
    body = storable_text(raw.decode("utf-8", errors="replace"))
    async with storage.begin() as uow:
        for index, sender in enumerate(_senders(raw, metrics)):
            # The first job also applies the delivery's receipts; a receipts-only delivery has no sender.
            payload: dict[str, object] = {"body": body, "statuses": index == 0}
            if sender is not None:
                payload["from"] = sender
            await uow.outbox.enqueue(
                DELIVERY_JOB,
                payload,
                dedup_key=f"{DELIVERY_JOB}:{digest}" + (f":{sender}" if sender else ""),
                ordering_key=f"whatsapp:{sender}" if sender else None,
                max_attempts=50,
            )
    metrics.webhook_deliveries.labels("whatsapp").inc()
    return JSONResponse({"status": "accepted"})
