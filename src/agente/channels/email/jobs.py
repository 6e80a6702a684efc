"""The email channel's outbox jobs and what an ``email.send`` job carries.

``email.delivery`` holds one received email (:class:`~agente.channels.email.inbound.InboundEmail`,
as stored by the webhook) and is keyed by its Message-ID, so a redelivery is the same job.
``email.send`` sends one message, described by :class:`OutgoingEmail`; its Message-ID is
chosen when the job is queued and never changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from agente.storage.repositories.outbox import EnqueuedJob, OutboxRepository

__all__ = ["CHANNEL", "DELIVERY_JOB", "SEND_ATTEMPTS", "SEND_JOB", "OutgoingEmail", "queue_send"]

CHANNEL = "email"
DELIVERY_JOB = "email.delivery"
SEND_JOB = "email.send"
# With the outbox's back-off (2 s doubling, capped at 5 min) this keeps trying for some 45
# minutes: longer than greylisting servers (451) usually ask senders to wait.
SEND_ATTEMPTS = 16


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One message to send.

    ``kind`` is ``reply`` (an answer in a conversation: its text is the stored reply
    ``outbound_id`` in ``messages``) or ``confirmation`` (of the booking ``booking_reference``;
    its text travels here). ``to`` is the bare recipient address.
    """

    kind: str
    message_id: str
    to: str
    subject: str
    language: str
    text: str | None = None
    outbound_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    booking_reference: str | None = None

    def to_payload(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["references"] = list(self.references)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OutgoingEmail:
        """Raises ``KeyError``/``TypeError`` for a payload this module did not write."""
        return cls(**{**payload, "references": tuple(payload.get("references") or ())})


async def queue_send(outbox: OutboxRepository, email: OutgoingEmail, *, dedup_key: str) -> EnqueuedJob:
    """Queue ``email`` in the caller's unit of work; the same ``dedup_key`` is the same job."""
    return await outbox.enqueue(SEND_JOB, email.to_payload(), dedup_key=dedup_key, max_attempts=SEND_ATTEMPTS)
