"""A booking as this service knows it: our reference, the PMS's id once made, the stay and totals.

``status``: ``pending`` (asked for while the PMS could not be reached; the worker makes it
when the PMS is back), ``confirmed``, ``cancelled``, ``failed`` (the PMS refused it when it
was finally asked: the guest must be told).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt, UtcDateTime, utcnow


class BookingRecord(CreatedAt, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("reference"),
        UniqueConstraint("idempotency_key"),
        Index(None, "guest_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(128), nullable=False)
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), ForeignKey("sessions.id", ondelete="SET NULL"))
    pms_booking_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    room_type_id: Mapped[int] = mapped_column(Integer, nullable=False)
    check_in: Mapped[date] = mapped_column(Date, nullable=False)
    check_out: Mapped[date] = mapped_column(Date, nullable=False)
    adults: Mapped[int] = mapped_column(Integer, nullable=False)
    children: Mapped[int] = mapped_column(Integer, nullable=False)
    rooms: Mapped[int] = mapped_column(Integer, nullable=False)
    quoted_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    total_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    guest_first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    guest_last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    guest_email: Mapped[str] = mapped_column(String(254), nullable=False)
    guest_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
