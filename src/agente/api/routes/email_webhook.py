"""``POST /webhooks/email``: received emails, posted by the mail provider as signed JSON.

The ``X-Email-Signature`` (HMAC-SHA256 of the raw body under ``EMAIL_WEBHOOK_SECRET``) is
checked on the raw bytes before anything is parsed; a valid delivery is validated
(:class:`~agente.channels.email.inbound.InboundEmail`), stored as an ``email.delivery``
outbox job keyed by its Message-ID and acknowledged at once: ``202 {"status": "accepted"}``,
or ``200 {"status": "duplicate"}`` when that Message-ID was delivered before (the unique
job key makes that check atomic). Without ``EMAIL_WEBHOOK_SECRET`` the channel is off and the
endpoint answers 404. Errors never repeat the addresses or text they were sent.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from agente.api.deps import MetricsDep, SettingsDep, StorageDep
from agente.api.errors import error_response
from agente.api.openapi import error_responses
from agente.channels.email.inbound import InboundEmail, read_json
from agente.channels.email.jobs import CHANNEL, DELIVERY_JOB
from agente.channels.email.signature import HEADER, verify_signature
from agente.channels.errors import PayloadError, SignatureError

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_EMAIL_BYTES = 1024 * 1024

_ADDRESSES = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
# The body is read as bytes (the signature covers them), so FastAPI does not document it.
_SIGNED_EMAIL: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": True,
            "description": "sha256=<HMAC-SHA256 of the raw body under EMAIL_WEBHOOK_SECRET>",
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "A received email in the documented form (agente.channels.email.inbound)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["message_id", "from", "to", "text"],
                    "properties": {
                        "message_id": {"type": "string"},
                        "from": {"type": "string"},
                        "to": _ADDRESSES,
                        "subject": {"type": "string"},
                        "text": {"type": "string"},
                        "in_reply_to": {"type": ["string", "null"]},
                        "references": {"anyOf": [*_ADDRESSES["anyOf"], {"type": "null"}]},
                    },
                }
            }
        },
    },
}


class EmailAck(BaseModel):
    status: Literal["accepted", "duplicate"]


@router.post(
    "/email",
    status_code=202,
    response_model=EmailAck,
    responses={
        200: {"model": EmailAck, "description": "Delivered before (same Message-ID)"},
        **error_responses(400, 401, 404, 422),
    },
    openapi_extra=_SIGNED_EMAIL,
)
async def receive_email(
    request: Request, settings: SettingsDep, metrics: MetricsDep, storage: StorageDep
) -> JSONResponse:
    secret = settings.email_webhook_secret
    if secret is None or not secret.get_secret_value():
        return error_response(404, "The email channel is not enabled (EMAIL_WEBHOOK_SECRET).", code="email_disabled")
    rejections = metrics.webhook_rejections
    raw = await request.body()
    if len(raw) > MAX_EMAIL_BYTES:
        rejections.labels(CHANNEL, "too_large").inc()
        return error_response(413, "The email is too large.")
    try:
        verify_signature(raw, request.headers.get(HEADER), secret.get_secret_value())
    except SignatureError as exc:
        rejections.labels(CHANNEL, "signature").inc()
        return error_response(401, str(exc), code="invalid_signature")
    try:
        email = InboundEmail.model_validate(read_json(raw))
    except PayloadError as exc:
        rejections.labels(CHANNEL, "payload").inc()
        return error_response(400, str(exc), code="invalid_json")
    except ValidationError as exc:
        rejections.labels(CHANNEL, "payload").inc()
        details = [
            {"location": list(err["loc"]), "message": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        return error_response(422, "The email is not in the documented form.", code="invalid_email", details=details)
    async with storage.begin() as uow:
        job = await uow.outbox.enqueue(
            DELIVERY_JOB,
            {"email": email.model_dump(by_alias=True)},
            dedup_key=f"{DELIVERY_JOB}:{email.key}",
            # One guest's emails are answered one at a time, in arrival order, by any worker.
            ordering_key=f"{CHANNEL}:{email.sender}",
            max_attempts=50,
        )
    if not job.created:
        return JSONResponse({"status": "duplicate"}, status_code=200)
    metrics.webhook_deliveries.labels(CHANNEL).inc()
    return JSONResponse({"status": "accepted"}, status_code=202)
