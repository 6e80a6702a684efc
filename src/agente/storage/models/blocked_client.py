"""A blocked client address or range: refused with 403 before any other work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, UtcDateTime


class BlockedClient(CreatedAt, Base):
    __tablename__ = "blocked_clients"
    __table_args__ = (UniqueConstraint("network"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # Normalised CIDR text: "203.0.113.7/32", "10.0.0.0/8", "2001:db8::/32".
    network: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
