"""Emails the agent has sent, by Message-ID: the mark that makes a repeated send a no-op.

An ``email.send`` job asks :meth:`SentEmailsRepository.contains` before sending and
:meth:`~SentEmailsRepository.add` once the SMTP server has accepted the message. A Message-ID
is recorded once: a second ``add`` of it is refused (the table's unique key; in memory
:class:`~agente.errors.DuplicateRecordError`). ``booking_reference`` names the booking a
confirmation was about; no recipient is kept.
"""

from __future__ import annotations

from typing import Protocol


class SentEmailsRepository(Protocol):
    async def contains(self, message_id: str) -> bool:
        """Whether the email with this Message-ID was sent."""
        ...

    async def add(self, message_id: str, *, kind: str, booking_reference: str | None = None) -> None:
        """Record the email as sent; ``kind`` is ``reply`` or ``confirmation``."""
        ...
