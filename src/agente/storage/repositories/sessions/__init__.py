"""Conversation sessions as staff and the channels see them, inside a unit of work.

A conversation turn reads and writes its session through the conversation store (outside
any unit of work, ``repositories.conversations``). This repository is the rest: the sessions
staff list and open, handing a session between the agent and staff, and the language a
session was held in.

Every write here raises the session's ``version``, so a turn that read the session before
(and is still deciding its answer) cannot write its state over the change: its write finds
another version and is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: uuid.UUID
    channel: str
    # The channel's own id for the guest: a WhatsApp number, a web chat id, an address.
    external_id: str
    # "bot" while the agent answers, "handoff" while staff own the conversation.
    status: str
    step: str
    slots: dict[str, Any]
    language: str | None
    version: int
    updated_at: datetime


class SessionsRepository(Protocol):
    async def get(self, session_id: uuid.UUID) -> SessionRecord | None: ...

    async def with_status(self, status: str, *, limit: int) -> list[SessionRecord]:
        """Up to ``limit`` sessions in ``status``, the most recently changed first."""
        ...

    async def set_status(
        self, session_id: uuid.UUID, *, status: str, slots: dict[str, Any], step: str | None = None
    ) -> SessionRecord | None:
        """Move the session to ``status`` with ``slots`` (and ``step``, kept when not given),
        raising its version; returns it as stored, or None when no session has this id."""
        ...

    async def language(self, session_id: uuid.UUID) -> str | None:
        """The language the session is held in (None before its first turn, or when there is
        no such session)."""
        ...
