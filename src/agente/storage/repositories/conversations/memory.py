"""Conversations in memory, for unit tests: the same rules as on SQL (unique channel message
ids, one guest per channel id, versioned session writes). Each method runs without awaiting,
so it is atomic with respect to other coroutines."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import uuid4 as new_id

from agente.errors import DuplicateRecordError
from agente.storage.repositories.conversations import (
    PreviousTurn,
    Received,
    Recorded,
    SessionState,
    TurnRecord,
)


@dataclass
class StoredMessage:
    id: uuid.UUID
    session_id: uuid.UUID
    direction: str
    channel: str
    text: str
    at: datetime
    channel_message_id: str | None = None
    language: str | None = None
    intent: str | None = None
    status: str | None = None


@dataclass
class ConversationTables:
    # (channel, external id) → guest id
    guests: dict[tuple[str, str], uuid.UUID] = field(default_factory=dict)
    # guest id → that guest's sessions, oldest first
    sessions_of: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    sessions: dict[uuid.UUID, SessionState] = field(default_factory=dict)
    # session id → its guest's (channel, external id)
    owners: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    # session id → when its row last changed
    updated_at: dict[uuid.UUID, datetime] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)


class MemoryConversations:
    def __init__(self, tables: ConversationTables) -> None:
        self.tables = tables

    async def receive(
        self, channel: str, external_id: str, text: str, channel_message_id: str | None, at: datetime
    ) -> Received:
        t = self.tables
        if channel_message_id is not None and self._by_channel_id(channel, channel_message_id) is not None:
            raise DuplicateRecordError("duplicate: channel message id")
        guest_id = t.guests.setdefault((channel, external_id), new_id())
        sessions = t.sessions_of.setdefault(guest_id, [])
        if not sessions:
            state = SessionState(new_id(), 0, "bot", "idle", {}, None, None)
            t.sessions[state.session_id] = state
            t.owners[state.session_id] = (channel, external_id)
            t.updated_at[state.session_id] = at
            sessions.append(state.session_id)
        state = t.sessions[sessions[-1]]
        message = StoredMessage(new_id(), state.session_id, "in", channel, text, at, channel_message_id)
        t.messages.append(message)
        return Received(message.id, copy.deepcopy(state))

    def _by_channel_id(self, channel: str, channel_message_id: str) -> StoredMessage | None:
        for message in self.tables.messages:
            if message.channel == channel and message.channel_message_id == channel_message_id:
                return message
        return None

    async def state(self, session_id: uuid.UUID) -> SessionState:
        return copy.deepcopy(self.tables.sessions[session_id])

    async def previous(self, channel: str, channel_message_id: str) -> PreviousTurn | None:
        inbound = self._by_channel_id(channel, channel_message_id)
        if inbound is None:
            return None
        session = self.tables.sessions[inbound.session_id]
        reply = None
        if inbound.intent is not None:
            replies = [
                m
                for m in self.tables.messages
                if m.session_id == inbound.session_id and m.direction == "out" and m.at >= inbound.at
            ]
            reply = min(replies, key=lambda m: m.at, default=None)
        return PreviousTurn(
            session_id=inbound.session_id,
            inbound_id=inbound.id,
            intent=inbound.intent,
            language=session.language,
            step=session.step,
            status=session.status,
            reply_id=reply.id if reply is not None else None,
            reply_text=reply.text if reply is not None else "",
        )

    async def record_turn(self, turn: TurnRecord, at: datetime) -> Recorded | None:
        t = self.tables
        current = t.sessions[turn.session_id]
        if current.version != turn.read_version:
            return None
        t.sessions[turn.session_id] = replace(
            current,
            version=current.version + 1,
            step=turn.step,
            slots=copy.deepcopy(turn.slots),
            language=turn.language,
            status=turn.status,
            last_message_at=at,
        )
        t.updated_at[turn.session_id] = at
        for message in t.messages:
            if message.id == turn.inbound_id:
                message.language, message.intent = turn.language, turn.intent
        reply_id = None
        if turn.reply_text is not None:
            reply_id = new_id()
            t.messages.append(
                StoredMessage(
                    reply_id,
                    turn.session_id,
                    "out",
                    turn.channel,
                    turn.reply_text,
                    at,
                    language=turn.language,
                    status=turn.reply_status,
                )
            )
        return Recorded(reply_id)

    def messages_of(self, session_id: uuid.UUID) -> list[dict[str, Any]]:
        """The session's messages in order, for tests to read the transcript."""
        return [
            {"direction": m.direction, "text": m.text, "intent": m.intent}
            for m in self.tables.messages
            if m.session_id == session_id
        ]
