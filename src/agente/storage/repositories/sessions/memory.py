"""Sessions in memory, for unit tests: the conversation store's sessions, seen from a unit of work."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from agente.storage.repositories.conversations.memory import ConversationTables
from agente.storage.repositories.sessions import SessionRecord


class MemorySessions:
    def __init__(self, tables: ConversationTables) -> None:
        self._tables = tables

    def _record(self, session_id: uuid.UUID) -> SessionRecord:
        state = self._tables.sessions[session_id]
        channel, external_id = self._tables.owners[session_id]
        return SessionRecord(
            id=session_id,
            channel=channel,
            external_id=external_id,
            status=state.status,
            step=state.step,
            slots=copy.deepcopy(state.slots),
            language=state.language,
            version=state.version,
            updated_at=self._tables.updated_at[session_id],
        )

    async def get(self, session_id: uuid.UUID) -> SessionRecord | None:
        return self._record(session_id) if session_id in self._tables.sessions else None

    async def with_status(self, status: str, *, limit: int) -> list[SessionRecord]:
        found = [
            self._record(session_id) for session_id, state in self._tables.sessions.items() if state.status == status
        ]
        return sorted(found, key=lambda record: record.updated_at, reverse=True)[:limit]

    async def set_status(
        self, session_id: uuid.UUID, *, status: str, slots: dict[str, Any], step: str | None = None
    ) -> SessionRecord | None:
        state = self._tables.sessions.get(session_id)
        if state is None:
            return None
        self._tables.sessions[session_id] = replace(
            state,
            version=state.version + 1,
            status=status,
            slots=copy.deepcopy(slots),
            step=state.step if step is None else step,
        )
        self._tables.updated_at[session_id] = datetime.now(UTC)
        return self._record(session_id)

    async def language(self, session_id: uuid.UUID) -> str | None:
        state = self._tables.sessions.get(session_id)
        return state.language if state is not None else None
