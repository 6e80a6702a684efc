"""Messages in memory, for unit tests: the conversation store's messages, seen from a unit of work.

Messages are kept in the order they were stored; that order breaks ties between messages of
the same instant (SQL breaks them by id: either way the window and the order agree).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import uuid4 as new_id

from agente.storage.repositories.conversations.memory import ConversationTables, StoredMessage
from agente.storage.repositories.messages import MessageRecord


def _record(message: StoredMessage) -> MessageRecord:
    return MessageRecord(
        id=message.id,
        session_id=message.session_id,
        direction=message.direction,
        channel=message.channel,
        channel_message_id=message.channel_message_id,
        text=message.text,
        language=message.language,
        intent=message.intent,
        status=message.status,
        created_at=message.at,
    )


class MemoryMessages:
    def __init__(self, tables: ConversationTables) -> None:
        self._tables = tables

    def _find(self, message_id: uuid.UUID) -> StoredMessage | None:
        return next((m for m in self._tables.messages if m.id == message_id), None)

    def _in_order(self, session_id: uuid.UUID) -> list[StoredMessage]:
        """The session's messages by time, in the order stored within one instant (a stable sort)."""
        return sorted((m for m in self._tables.messages if m.session_id == session_id), key=lambda m: m.at)

    async def get(self, message_id: uuid.UUID) -> MessageRecord | None:
        message = self._find(message_id)
        return _record(message) if message is not None else None

    async def by_channel_id(self, channel: str, channel_message_id: str) -> MessageRecord | None:
        for message in self._tables.messages:
            if message.channel == channel and message.channel_message_id == channel_message_id:
                return _record(message)
        return None

    async def add_outbound(
        self, session_id: uuid.UUID, *, channel: str, text: str, language: str | None, status: str
    ) -> MessageRecord:
        if session_id not in self._tables.sessions:
            raise LookupError(f"no session {session_id}")
        message = StoredMessage(
            new_id(), session_id, "out", channel, text, datetime.now(UTC), language=language, status=status
        )
        self._tables.messages.append(message)
        return _record(message)

    async def mark(self, message_id: uuid.UUID, status: str, *, channel_message_id: str | None = None) -> None:
        message = self._find(message_id)
        if message is None:
            return
        message.status = status
        if channel_message_id is not None:
            message.channel_message_id = channel_message_id

    async def recent(
        self, session_ids: Sequence[uuid.UUID], *, per_session: int
    ) -> dict[uuid.UUID, list[MessageRecord]]:
        found: dict[uuid.UUID, list[MessageRecord]] = {}
        for session_id in session_ids:
            ordered = self._in_order(session_id)
            found[session_id] = [_record(m) for m in ordered[max(len(ordered) - per_session, 0) :]]
        return found

    async def latest_inbound_channel_id(self, session_id: uuid.UUID, channel: str) -> str | None:
        inbound = [m for m in self._in_order(session_id) if m.direction == "in" and m.channel == channel]
        return inbound[-1].channel_message_id if inbound else None
