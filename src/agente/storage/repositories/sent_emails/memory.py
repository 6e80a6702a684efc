"""Sent emails in memory, for unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from agente.errors import DuplicateRecordError


class SentEmailsTable:
    """Message-ID → (kind, booking reference, when it was recorded)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str | None, datetime]] = {}


class MemorySentEmails:
    def __init__(self, table: SentEmailsTable) -> None:
        self._table = table

    async def contains(self, message_id: str) -> bool:
        return message_id in self._table.rows

    async def add(self, message_id: str, *, kind: str, booking_reference: str | None = None) -> None:
        if message_id in self._table.rows:
            raise DuplicateRecordError("duplicate: sent email")
        self._table.rows[message_id] = (kind, booking_reference, datetime.now(UTC))
