"""A conversation session: the dialogue state of one guest on one channel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, JsonDocument, UtcDateTime, new_id, utcnow


class ConversationSession(CreatedAt, Base):
    __tablename__ = "sessions"
    __table_args__ = (
        Index(None, "guest_id"),
        # GET /admin/conversations?status=handoff: newest first, without reading every session.
        Index(None, "status", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=new_id)
    guest_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("guests.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    # "bot" while the agent answers, "handoff" while staff own the conversation, "closed".
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="bot")
    state: Mapped[str] = mapped_column(String(32), nullable=False, default="start")
    slots: Mapped[dict[str, Any]] = mapped_column(JsonDocument, nullable=False, default=dict)
    # Optimistic concurrency: every state write bumps it, so two writers cannot both win.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
