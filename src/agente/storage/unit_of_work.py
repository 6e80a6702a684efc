"""The persistence seam: a unit of work over the repositories, on SQL or in memory.

Services never see a database session or an ORM row. They take a :class:`Storage` and open
one transaction at a time with it::

    async with storage.begin() as uow:
        booking = await uow.bookings.by_reference("AH3K7P9Q")
        ...

The block commits when it ends and rolls back when it raises. Every repository of the unit
(``uow.bookings``, ``uow.outbox``, ...) reads and writes inside that one transaction, so a
booking and the outbox job it asks for commit together or not at all. Repositories exchange
plain frozen dataclasses (the ``*Record`` types of ``storage.repositories``).

Two implementations:

* :class:`SqlStorage` — PostgreSQL (production) or SQLite (embedded default) through
  SQLAlchemy; a connection failure surfaces as
  :class:`~agente.errors.DatabaseUnavailableError`.
* :class:`MemoryStorage` — plain Python objects, for unit tests of the services and the
  dialogue. One unit of work runs at a time (others wait), and a unit that raises leaves
  the data as it found it, so tests see the same commit-or-nothing rule as on SQL. Its
  ``sessions`` and ``messages`` are the conversation store's own rows (a conversation
  store call made while a unit of work is open is undone too if that unit raises).

Each repository lives in ``storage/repositories/<name>/``: its protocol and records in
``__init__``, its SQL implementation in ``sql.py`` and its in-memory one in ``memory.py``.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.storage import db
from agente.storage.repositories.audit import AuditRepository
from agente.storage.repositories.audit.memory import AuditTable, MemoryAudit
from agente.storage.repositories.audit.sql import SqlAudit
from agente.storage.repositories.blocklist import BlocklistRepository
from agente.storage.repositories.blocklist.memory import BlocklistTable, MemoryBlocklist
from agente.storage.repositories.blocklist.sql import SqlBlocklist
from agente.storage.repositories.bookings import BookingsRepository
from agente.storage.repositories.bookings.memory import BookingsTable, MemoryBookings
from agente.storage.repositories.bookings.sql import SqlBookings
from agente.storage.repositories.conversations import ConversationStore
from agente.storage.repositories.conversations.memory import ConversationTables, MemoryConversations
from agente.storage.repositories.conversations.sql import SqlConversations
from agente.storage.repositories.facts import FactsRepository
from agente.storage.repositories.facts.memory import FactsTable, MemoryFacts
from agente.storage.repositories.facts.sql import SqlFacts
from agente.storage.repositories.messages import MessagesRepository
from agente.storage.repositories.messages.memory import MemoryMessages
from agente.storage.repositories.messages.sql import SqlMessages
from agente.storage.repositories.outbox import OutboxRepository
from agente.storage.repositories.outbox.memory import MemoryOutbox, OutboxTable
from agente.storage.repositories.outbox.sql import SqlOutbox
from agente.storage.repositories.retention import RetentionRepository
from agente.storage.repositories.retention.memory import LogsTable, MemoryRetention
from agente.storage.repositories.retention.sql import SqlRetention
from agente.storage.repositories.sent_emails import SentEmailsRepository
from agente.storage.repositories.sent_emails.memory import MemorySentEmails, SentEmailsTable
from agente.storage.repositories.sent_emails.sql import SqlSentEmails
from agente.storage.repositories.sessions import SessionsRepository
from agente.storage.repositories.sessions.memory import MemorySessions
from agente.storage.repositories.sessions.sql import SqlSessions
from agente.storage.repositories.simulator_bookings import SimulatorBookingsRepository
from agente.storage.repositories.simulator_bookings.memory import MemorySimulatorBookings, SimulatorBookingsTable
from agente.storage.repositories.simulator_bookings.sql import SqlSimulatorBookings


class UnitOfWork(Protocol):
    """One transaction; each attribute is a repository bound to it."""

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def blocklist(self) -> BlocklistRepository: ...

    @property
    def bookings(self) -> BookingsRepository: ...

    @property
    def facts(self) -> FactsRepository: ...

    @property
    def messages(self) -> MessagesRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def sent_emails(self) -> SentEmailsRepository: ...

    @property
    def sessions(self) -> SessionsRepository: ...

    @property
    def retention(self) -> RetentionRepository: ...

    @property
    def simulator_bookings(self) -> SimulatorBookingsRepository: ...


class Storage(Protocol):
    @property
    def conversations(self) -> ConversationStore:
        """A conversation turn's two atomic steps, outside any unit of work (the hot path)."""
        ...

    def begin(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """Open a transaction: commit on a normal exit, roll back when the block raises."""
        ...


class SqlUnitOfWork:
    """The repositories over one SQLAlchemy session (one database transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @cached_property
    def audit(self) -> SqlAudit:
        return SqlAudit(self._session)

    @cached_property
    def blocklist(self) -> SqlBlocklist:
        return SqlBlocklist(self._session)

    @cached_property
    def bookings(self) -> SqlBookings:
        return SqlBookings(self._session)

    @cached_property
    def facts(self) -> SqlFacts:
        return SqlFacts(self._session)

    @cached_property
    def messages(self) -> SqlMessages:
        return SqlMessages(self._session)

    @cached_property
    def outbox(self) -> SqlOutbox:
        return SqlOutbox(self._session)

    @cached_property
    def sent_emails(self) -> SqlSentEmails:
        return SqlSentEmails(self._session)

    @cached_property
    def sessions(self) -> SqlSessions:
        return SqlSessions(self._session)

    @cached_property
    def retention(self) -> SqlRetention:
        return SqlRetention(self._session)

    @cached_property
    def simulator_bookings(self) -> SqlSimulatorBookings:
        return SqlSimulatorBookings(self._session)


class SqlStorage:
    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        engine = factory.kw["bind"]
        self.conversations = SqlConversations(engine)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlUnitOfWork]:
        async with db.session_scope(self._factory) as session:
            yield SqlUnitOfWork(session)


class MemoryData:
    """Every in-memory table, by name: each repository keeps its own rows under one name."""

    def __init__(self) -> None:
        self.tables: dict[str, Any] = {}

    def table(self, name: str, factory: type[Any]) -> Any:
        """The rows kept under ``name``, created empty (``factory()``) on first use."""
        if name not in self.tables:
            self.tables[name] = factory()
        return self.tables[name]


class MemoryUnitOfWork:
    def __init__(self, data: MemoryData, conversations: ConversationTables) -> None:
        self._data = data
        # The conversation store's tables: sessions and messages are the same rows seen
        # from a unit of work.
        self._conversations = conversations

    @cached_property
    def audit(self) -> MemoryAudit:
        return MemoryAudit(self._data.table("audit", AuditTable))

    @cached_property
    def blocklist(self) -> MemoryBlocklist:
        return MemoryBlocklist(self._data.table("blocklist", BlocklistTable))

    @cached_property
    def bookings(self) -> MemoryBookings:
        return MemoryBookings(self._data.table("bookings", BookingsTable))

    @cached_property
    def facts(self) -> MemoryFacts:
        return MemoryFacts(self._data.table("facts", FactsTable))

    @cached_property
    def messages(self) -> MemoryMessages:
        return MemoryMessages(self._conversations)

    @cached_property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self._data.table("outbox", OutboxTable))

    @cached_property
    def sent_emails(self) -> MemorySentEmails:
        return MemorySentEmails(self._data.table("sent_emails", SentEmailsTable))

    @cached_property
    def sessions(self) -> MemorySessions:
        return MemorySessions(self._conversations)

    @cached_property
    def retention(self) -> MemoryRetention:
        return MemoryRetention(self._data.table("logs", LogsTable), self._data.table("outbox", OutboxTable))

    @cached_property
    def simulator_bookings(self) -> MemorySimulatorBookings:
        return MemorySimulatorBookings(self._data.table("simulator_bookings", SimulatorBookingsTable))


class MemoryStorage:
    def __init__(self) -> None:
        self.data = MemoryData()
        self._lock = asyncio.Lock()
        self.conversations = MemoryConversations(ConversationTables())

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[MemoryUnitOfWork]:
        conversations = self.conversations.tables
        async with self._lock:
            before, conversations_before = copy.deepcopy((self.data.tables, conversations))
            try:
                yield MemoryUnitOfWork(self.data, conversations)
            except BaseException:
                self.data.tables = before
                # The conversation store keeps these tables for good: restored in place.
                vars(conversations).update(vars(conversations_before))
                raise
