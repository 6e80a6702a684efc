"""Conversations: guests, their sessions' dialogue state and the messages in and out.

This is the hot path: every guest message is one :meth:`ConversationStore.receive` and one
:meth:`ConversationStore.record_turn`, and each of them is atomic on its own (one
transaction, on PostgreSQL one statement), so the store is used outside a unit of work.

A session's state carries a ``version``; :meth:`ConversationStore.record_turn` writes only
if the version is still the one read (optimistic concurrency: two processes answering the
same guest cannot both win).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SessionState:
    """A session's dialogue state as read, with the ``version`` its write must still find."""

    session_id: uuid.UUID
    version: int
    status: str
    step: str
    slots: dict[str, Any]
    language: str | None
    last_message_at: datetime | None


@dataclass(frozen=True, slots=True)
class Received:
    """A stored inbound message and its session's state read with it."""

    inbound_id: uuid.UUID
    state: SessionState


@dataclass(frozen=True, slots=True)
class PreviousTurn:
    """How a message stored before was handled. ``intent`` is None when its turn never was
    recorded (the process answering it stopped half-way): it must be answered now."""

    session_id: uuid.UUID
    inbound_id: uuid.UUID
    intent: str | None
    language: str | None
    step: str
    status: str
    reply_id: uuid.UUID | None
    reply_text: str


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """What one turn leaves behind: the session's new state, the inbound message's reading,
    and the reply (none when ``reply_text`` is None)."""

    session_id: uuid.UUID
    read_version: int
    step: str
    slots: dict[str, Any]
    language: str
    status: str
    inbound_id: uuid.UUID
    intent: str
    channel: str
    reply_text: str | None
    # "sent" where the reply travels in the response itself (web, API), "queued" otherwise.
    reply_status: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """A turn written; ``reply_id`` is the stored reply (None when there was none)."""

    reply_id: uuid.UUID | None


class ConversationStore(Protocol):
    async def receive(
        self, channel: str, external_id: str, text: str, channel_message_id: str | None, at: datetime
    ) -> Received:
        """Store an inbound message in the guest's latest session (creating the guest and the
        session on a first message) and read that session's state in the same transaction.

        Raises :class:`~agente.errors.DuplicateRecordError` when ``channel_message_id`` was
        stored before, or when a racing first message of the same guest created it first."""
        ...

    async def previous(self, channel: str, channel_message_id: str) -> PreviousTurn | None:
        """How the message with this channel id was handled; None when none was stored."""
        ...

    async def state(self, session_id: uuid.UUID) -> SessionState:
        """The session's current state."""
        ...

    async def record_turn(self, turn: TurnRecord, at: datetime) -> Recorded | None:
        """Write the turn if the session is still at ``turn.read_version``; return None,
        writing nothing, when the session moved on since it was read."""
        ...
