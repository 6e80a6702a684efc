"""ORM models, one module per table. Importing this package registers every table on
``Base.metadata``, which is what Alembic compares migrations against."""

from agente.storage.models.audit import AuditEntry
from agente.storage.models.base import Base
from agente.storage.models.blocked_client import BlockedClient
from agente.storage.models.booking import BookingRecord
from agente.storage.models.guest import Guest
from agente.storage.models.hotel_fact import HotelFact
from agente.storage.models.log import LogEntry
from agente.storage.models.message import Message
from agente.storage.models.outbox import OutboxJob
from agente.storage.models.sent_email import SentEmail
from agente.storage.models.session import ConversationSession
from agente.storage.models.simulator_booking import SimulatorBooking

__all__ = [
    "AuditEntry",
    "Base",
    "BlockedClient",
    "BookingRecord",
    "ConversationSession",
    "Guest",
    "HotelFact",
    "LogEntry",
    "Message",
    "OutboxJob",
    "SentEmail",
    "SimulatorBooking",
]
