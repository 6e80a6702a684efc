"""The worker's side of email: answer stored emails, send messages once.

``email.delivery`` jobs (one per received email, stored by the webhook and keyed by its
Message-ID) go through the conversation as the guest identified by their address; the text
is what they wrote in this email (:func:`~agente.channels.email.quoting.strip_quoted`), or the
subject when that is empty. A Message-ID seen before is a redelivery and gets no second
answer. The answer becomes an ``email.send`` job keyed by the guest's Message-ID, threaded
under their email (``In-Reply-To``, ``References``, ``Re:`` subject).

``email.send`` jobs look up their Message-ID in ``sent_emails`` first and do nothing when it is
there; once the SMTP server accepts the message its row is written (and the stored reply is
marked ``sent``). A worker that dies between the server's acceptance and that write — a
window of one database round trip — sends again when the job runs again, with the same
Message-ID, which lets receiving systems recognise the copy.

Failures: a 4xx reply, a refused or dropped connection, a timeout → the outbox retries with
back-off (``channel_sends_total{channel="email",outcome="retry"}``) and marks the job dead
after its attempts; a 5xx reply (550 unknown user...) → the job is dead at once and an error
is logged (``outcome="failed"``, or ``"auth_failed"`` for 535: the SMTP credentials are
wrong, alert on it).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from pydantic import ValidationError

from agente.channels.email.compose import compose, new_message_id, reply_subject, sender_address
from agente.channels.email.inbound import InboundEmail
from agente.channels.email.jobs import CHANNEL, DELIVERY_JOB, SEND_JOB, OutgoingEmail, queue_send
from agente.channels.email.quoting import strip_quoted
from agente.channels.email.sender import SmtpSender
from agente.channels.errors import SendPermanentError, SendRetryableError
from agente.channels.storable import message_key
from agente.conversation.service import ConversationService
from agente.observability.metrics import Metrics
from agente.outbox import PermanentJobError, UnreadablePayloadError
from agente.storage.unit_of_work import Storage, UnitOfWork

log = structlog.stdlib.get_logger("agente.email")

_AUTH_FAILED = 535


class EmailRelay:
    """Handlers of the ``email.delivery`` and ``email.send`` jobs.

    ``sender`` is ``None`` when SMTP is not configured: send jobs then die with that reason.
    ``from_address`` is ``SMTP_FROM``; ``max_chars`` bounds the text given to the conversation.
    """

    def __init__(
        self,
        storage: Storage,
        conversations: ConversationService,
        sender: SmtpSender | None,
        metrics: Metrics,
        *,
        from_address: str = "",
        max_chars: int = 4000,
    ) -> None:
        self.storage = storage
        self.conversations = conversations
        self.sender = sender
        self.metrics = metrics
        self.from_address = from_address
        self.max_chars = max_chars

    async def queue_staff_message(
        self, uow: UnitOfWork, *, session_id: uuid.UUID, to: str, outbound_id: uuid.UUID, language: str
    ) -> None:
        """Queue, in the caller's unit of work, the stored staff message ``outbound_id`` for the
        guest at ``to``, threaded under the guest's latest email (its delivery job gives the
        subject and references; without it the subject is the language's default)."""
        latest = await uow.messages.latest_inbound_channel_id(session_id, CHANNEL)
        inbound: InboundEmail | None = None
        if latest:
            job = await uow.outbox.by_dedup_key(f"{DELIVERY_JOB}:{latest}")
            try:
                inbound = InboundEmail.model_validate(job.payload["email"]) if job and job.payload else None
            except (KeyError, TypeError, ValidationError):
                inbound = None
        email = OutgoingEmail(
            kind="reply",
            message_id=new_message_id(self.from_address),
            to=to,
            subject=reply_subject(inbound.subject if inbound else "", language),
            language=language,
            outbound_id=str(outbound_id),
            in_reply_to=inbound.message_id if inbound else None,
            references=tuple(inbound.reply_references) if inbound else (),
        )
        await queue_send(uow.outbox, email, dedup_key=f"{SEND_JOB}:staff:{outbound_id}")

    async def process_delivery(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            inbound = InboundEmail.model_validate(payload["email"])
        except (KeyError, TypeError, ValidationError) as exc:
            # The validation message would quote the values: personal data stays out of the job's error.
            raise UnreadablePayloadError("unreadable email delivery") from exc
        if self.from_address and inbound.sender == sender_address(self.from_address):
            # Our own message came back (a forwarding loop): answering it would never end.
            return {"skipped": "own address"}
        text = strip_quoted(inbound.text)[: self.max_chars] or inbound.subject
        reply = await self.conversations.handle(
            channel=CHANNEL,
            external_id=inbound.sender,
            text=text or "[empty email]",
            channel_message_id=inbound.key,
            readable=bool(text),
        )
        if reply.outbound_id is None:
            return {"replied": False}
        email = OutgoingEmail(
            kind="reply",
            message_id=new_message_id(self.from_address),
            to=inbound.sender,
            subject=reply_subject(inbound.subject, reply.language),
            language=reply.language,
            outbound_id=str(reply.outbound_id),
            in_reply_to=inbound.message_id,
            references=tuple(inbound.reply_references),
        )
        async with self.storage.begin() as uow:
            await queue_send(uow.outbox, email, dedup_key=f"{SEND_JOB}:{inbound.key}")
        return {"replied": True}

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            email = OutgoingEmail.from_payload(payload)
        except (KeyError, TypeError) as exc:
            raise UnreadablePayloadError("unreadable email.send job") from exc
        async with self.storage.begin() as uow:
            if await uow.sent_emails.contains(email.message_id):
                return {"already_sent": email.message_id}
            text = email.text or ""
            if email.outbound_id:
                stored = await uow.messages.get(uuid.UUID(email.outbound_id))
                if stored is None:
                    raise PermanentJobError(f"no outbound message {email.outbound_id}")
                text = stored.text
        if self.sender is None:
            raise PermanentJobError("email sending is not configured (SMTP_HOST, SMTP_FROM)")
        message = compose(
            sender=self.from_address,
            to=email.to,
            subject=email.subject,
            text=text,
            message_id=email.message_id,
            language=email.language,
            in_reply_to=email.in_reply_to,
            references=email.references,
            auto_submitted="auto-replied" if email.kind == "reply" else "auto-generated",
        )
        try:
            await self.sender.send(message)
        except SendRetryableError:
            self.metrics.channel_sends.labels(CHANNEL, "retry").inc()
            raise  # the outbox retries it with back-off
        except SendPermanentError as exc:
            outcome = "auth_failed" if exc.code == _AUTH_FAILED else "failed"
            self.metrics.channel_sends.labels(CHANNEL, outcome).inc()
            log.error("email refused permanently, not retried", kind=email.kind, code=exc.code, error=str(exc))
            await self._record(email, sent=False)
            raise PermanentJobError(str(exc)) from exc
        await self._record(email, sent=True)
        self.metrics.channel_sends.labels(CHANNEL, "sent").inc()
        return {"message_id": email.message_id, "kind": email.kind}

    async def _record(self, email: OutgoingEmail, *, sent: bool) -> None:
        async with self.storage.begin() as uow:
            if sent:
                await uow.sent_emails.add(email.message_id, kind=email.kind, booking_reference=email.booking_reference)
            if email.outbound_id:
                await uow.messages.mark(
                    uuid.UUID(email.outbound_id),
                    "sent" if sent else "failed",
                    channel_message_id=message_key(email.message_id) if sent else None,
                )
