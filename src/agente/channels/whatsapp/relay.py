"""The worker's side of WhatsApp: process stored deliveries, send replies, apply receipts.

``whatsapp.delivery`` jobs (one per guest in a signed delivery, stored by the webhook) are parsed;
each guest message goes through the conversation — a ``wamid`` seen before is a
redelivery and is not answered twice — and its reply becomes a ``whatsapp.send`` job keyed
by the guest's ``wamid``, so however often a delivery is processed, one reply is queued.
A send job that already recorded the reply's ``wamid`` does nothing: a worker that dies
after recording it does not send again when the job runs a second time. Only a worker that
dies between Meta's acceptance and that record sends the text twice (the Cloud API has no
idempotency key); a database that is down at that moment is waited for, not given up on.
Receipts move an outbound message's status forward only (an old "sent" never overwrites "read").

Failures: the provider failing or busy → the job is retried later; an expired access token
→ the job is dead and an error is logged (alert on ``channel_sends_total{outcome=
"token_expired"}``); outside the 24-hour window → the configured template for the guest's
language, or else the conversation is handed to staff.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import structlog

from agente.channels.errors import (
    PayloadError,
    SendPermanentError,
    SendRetryableError,
    TokenExpiredError,
    WindowClosedError,
)
from agente.channels.storable import message_key
from agente.channels.whatsapp.client import WhatsAppClient
from agente.channels.whatsapp.parse import StatusUpdate, parse_delivery, should_update
from agente.channels.whatsapp.text import split_text
from agente.conversation.dialogue.state import SessionStatus, Slots
from agente.conversation.service import ConversationService
from agente.errors import DatabaseUnavailableError
from agente.observability.metrics import Metrics
from agente.outbox import PermanentJobError, RetryLater, UnreadablePayloadError
from agente.storage.unit_of_work import Storage

log = structlog.stdlib.get_logger("agente.whatsapp")

CHANNEL = "whatsapp"
DELIVERY_JOB = "whatsapp.delivery"
SEND_JOB = "whatsapp.send"
# How long a sent reply waits for the database to record it before the job fails (and its
# re-run sends the text again): a database outage shorter than this sends nothing twice.
RECORD_PATIENCE_SECONDS = 15.0


def send_ordering_key(wa_id: str) -> str:
    """The outbox ordering key of every message to one guest, the bot's and staff's alike:
    they go out one at a time, in the order they were written, whichever worker takes them."""
    return f"{SEND_JOB}:{wa_id}"


class WhatsAppRelay:
    def __init__(
        self,
        storage: Storage,
        conversations: ConversationService,
        client: WhatsAppClient | None,
        metrics: Metrics,
        templates: dict[str, str],
    ) -> None:
        self.storage = storage
        self.conversations = conversations
        self.client = client
        self.metrics = metrics
        self.templates = templates

    async def process_delivery(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            delivery = parse_delivery(str(payload["body"]).encode())
        except (KeyError, PayloadError, UnicodeEncodeError) as exc:
            raise UnreadablePayloadError(f"unreadable delivery: {exc}") from exc
        # A delivery is stored once per guest who wrote in it ("from"); older jobs hold it whole.
        sender = payload.get("from")
        messages = [m for m in delivery.messages if sender is None or m.from_wa_id == sender]
        for message in messages:
            reply = await self.conversations.handle(
                channel=CHANNEL,
                external_id=message.from_wa_id,
                text=message.text or f"[{message.kind}]",
                channel_message_id=message.wamid,
                readable=message.supported and bool(message.text),
            )
            if reply.outbound_id is not None:
                async with self.storage.begin() as uow:
                    await uow.outbox.enqueue(
                        SEND_JOB,
                        {"message_id": str(reply.outbound_id), "to": message.from_wa_id},
                        dedup_key=f"{SEND_JOB}:{message.wamid}",
                        ordering_key=send_ordering_key(message.from_wa_id),
                        max_attempts=12,
                    )
        statuses = delivery.statuses if payload.get("statuses", True) else []
        for status in statuses:
            await self._apply(status)
        return {"messages": len(messages), "statuses": len(statuses)}

    async def _apply(self, status: StatusUpdate) -> None:
        async with self.storage.begin() as uow:
            message = await uow.messages.by_channel_id(CHANNEL, status.wamid)
            if message is not None and should_update(message.status, status.status):
                await uow.messages.mark(message.id, status.status)

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            message_id, to = uuid.UUID(str(payload["message_id"])), str(payload["to"])
        except (KeyError, ValueError) as exc:
            raise UnreadablePayloadError("unreadable whatsapp.send job") from exc
        async with self.storage.begin() as uow:
            message = await uow.messages.get(message_id)
        if message is None:
            raise PermanentJobError(f"no outbound message {message_id}")
        if message.channel_message_id:
            return {"already_sent": message.channel_message_id}
        text, language, session_id = message.text, message.language or "es", message.session_id
        if self.client is None:
            raise PermanentJobError("WhatsApp sending is not configured (WHATSAPP_ACCESS_TOKEN, _PHONE_NUMBER_ID)")
        # A long reply goes out in parts; those a previous run sent are not sent again.
        wamids: list[str] = list(payload.get("sent_parts", []))
        try:
            for part in split_text(text)[len(wamids) :]:
                wamids.append(await self.client.send_text(to, part))
        except SendRetryableError as exc:
            self.metrics.channel_sends.labels(CHANNEL, "retry").inc()
            raise RetryLater(str(exc), delay=exc.retry_after or 5.0, progress={"sent_parts": wamids}) from exc
        except TokenExpiredError as exc:
            self.metrics.channel_sends.labels(CHANNEL, "token_expired").inc()
            log.error("WhatsApp access token expired: replies cannot be sent", error=str(exc))
            raise PermanentJobError(str(exc)) from exc
        except WindowClosedError:
            return await self._outside_window(to, language, session_id, payload["message_id"])
        except SendPermanentError as exc:
            self.metrics.channel_sends.labels(CHANNEL, "failed").inc()
            await self._mark(payload["message_id"], None, "failed")
            raise PermanentJobError(str(exc)) from exc
        await self._record_sent(payload["message_id"], wamids[0])
        self.metrics.channel_sends.labels(CHANNEL, "sent").inc()
        return {"wamids": wamids}

    async def _outside_window(self, to: str, language: str, session_id: uuid.UUID, message_id: str) -> dict[str, Any]:
        self.metrics.channel_sends.labels(CHANNEL, "window_closed").inc()
        template = self.templates.get(language)
        if template and self.client is not None:
            wamid = await self.client.send_template(to, template, language)
            await self._record_sent(message_id, wamid)
            return {"template": template, "wamid": wamid}
        async with self.storage.begin() as uow:
            convo = await uow.sessions.get(session_id)
            if convo is not None:
                slots = Slots.from_json(convo.slots)
                slots.handoff_reason = "whatsapp_window_closed"
                await uow.sessions.set_status(session_id, status=SessionStatus.HANDOFF, slots=slots.to_json())
        await self._mark(message_id, None, "failed")
        self.metrics.handoffs.labels("whatsapp_window_closed").inc()
        return {"handed_off": True}

    async def _record_sent(self, message_id: str, wamid: str) -> None:
        """Record a reply Meta accepted, retrying while the database does not answer (for up
        to ``RECORD_PATIENCE_SECONDS``): failing here would have the job send it again."""
        deadline = time.monotonic() + RECORD_PATIENCE_SECONDS
        while True:
            try:
                await self._mark(message_id, wamid, "sent")
                return
            except DatabaseUnavailableError:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.5)

    async def _mark(self, message_id: str, wamid: str | None, status: str) -> None:
        async with self.storage.begin() as uow:
            # The same form receipts are looked up by (parse_delivery).
            await uow.messages.mark(
                uuid.UUID(message_id), status, channel_message_id=message_key(wamid) if wamid else None
            )
