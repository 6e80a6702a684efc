"""The application event log: notable events kept queryable in the database.

Operators prune it by ``created_at`` (the runbook's ``DELETE FROM logs WHERE created_at <
NOW() - INTERVAL '7 days'``), so that column is indexed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, JsonDocument


class LogEntry(CreatedAt, Base):
    __tablename__ = "logs"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    event: Mapped[str] = mapped_column(Text, nullable=False)
    logger: Mapped[str | None] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument, nullable=False, default=dict)
