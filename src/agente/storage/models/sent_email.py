"""Emails the agent has sent, by Message-ID: the mark that makes a repeated send a no-op.

An ``email.send`` job looks here before sending and writes its row as soon as the SMTP
server has accepted the message, so a job that runs again (its worker died before recording
completion) finds the row and does not send twice. ``booking_reference`` names the booking a
confirmation was about. No recipient is kept: the address lives with the guest or booking.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agente.storage.models.base import Base, CreatedAt


class SentEmail(CreatedAt, Base):
    __tablename__ = "sent_emails"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(255), nullable=False)
    # "reply" (an answer in a conversation) or "confirmation" (of a booking).
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    booking_reference: Mapped[str | None] = mapped_column(String(16))
