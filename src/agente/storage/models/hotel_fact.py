"""The hotel's bilingual knowledge base: one answer per FAQ topic, in Spanish and English.

``details`` holds the structured values behind an answer (times, prices, names) for replies
that want to build on them; the answers themselves are what guests are told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, JsonDocument, UtcDateTime, utcnow


class HotelFact(CreatedAt, Base):
    __tablename__ = "hotel_facts"
    __table_args__ = (UniqueConstraint("topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(32), nullable=False)
    answer_es: Mapped[str] = mapped_column(Text, nullable=False)
    answer_en: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
