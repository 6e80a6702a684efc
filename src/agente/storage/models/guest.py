"""A guest: one person as a channel knows them (a WhatsApp number, a web chat id, an email)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, UtcDateTime, new_id, utcnow


class Guest(CreatedAt, Base):
    __tablename__ = "guests"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    # The channel's own id for the guest: a WhatsApp number, a web chat id, an address.
    external_id: Mapped[str] = mapped_column(String(128), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
