"""A message in or out of a session. A channel's message id is unique per channel, so a
redelivered message is refused by the database itself rather than by a check-then-insert."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, new_id


class Message(CreatedAt, Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id"),
        Index(None, "session_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    direction: Mapped[str] = mapped_column(String(8), nullable=False)  # "in" | "out"
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(32))
    # Outbound delivery: queued → sent → delivered → read, or failed.
    status: Mapped[str | None] = mapped_column(String(16))
