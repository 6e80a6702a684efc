"""The messages of conversations, in and out, as the channels and staff handle them.

A conversation turn stores its messages through the conversation store (outside any unit of
work, ``repositories.conversations``). This repository is what else touches them, inside a
unit of work: a channel finding the reply it sends and recording how its delivery went, a
delivery receipt found by the channel's id for the message, staff adding a message of their
own, and the recent messages a summary for staff shows.

``channel_message_id`` is unique per channel (a redelivered message is refused by the table).
Delivery ``status`` of an outbound message: ``queued`` → ``sent`` → ``delivered`` → ``read``,
or ``failed``; inbound messages have none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: uuid.UUID
    session_id: uuid.UUID
    # "in" (from the guest) or "out" (from the agent or staff).
    direction: str
    channel: str
    channel_message_id: str | None
    text: str
    language: str | None
    intent: str | None
    status: str | None
    created_at: datetime


class MessagesRepository(Protocol):
    async def get(self, message_id: uuid.UUID) -> MessageRecord | None: ...

    async def by_channel_id(self, channel: str, channel_message_id: str) -> MessageRecord | None:
        """The message the channel knows by this id (as stored: see ``channels.storable.message_key``)."""
        ...

    async def add_outbound(
        self, session_id: uuid.UUID, *, channel: str, text: str, language: str | None, status: str
    ) -> MessageRecord:
        """Store a message to the guest of ``session_id`` (staff's, or the agent's outside a turn)."""
        ...

    async def mark(self, message_id: uuid.UUID, status: str, *, channel_message_id: str | None = None) -> None:
        """Set the message's delivery ``status`` and, when given, the id its channel gave it
        (kept when not given); nothing happens when no message has ``message_id``."""
        ...

    async def recent(
        self, session_ids: Sequence[uuid.UUID], *, per_session: int
    ) -> dict[uuid.UUID, list[MessageRecord]]:
        """The last ``per_session`` messages of each session, oldest first, read at once (one
        statement on SQL however many sessions); every id given is a key of the result."""
        ...

    async def latest_inbound_channel_id(self, session_id: uuid.UUID, channel: str) -> str | None:
        """The channel's id for the guest's latest message on ``channel`` in the session (None
        when there is none, or it has no id)."""
        ...
