"""The audit log: who changed what through the admin surface, with the value before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, JsonDocument


class AuditEntry(CreatedAt, Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JsonDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JsonDocument, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
