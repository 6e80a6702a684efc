"""The database as start-up and readiness ask about it: does it answer, and at which schema.

The schema comes only from the migrations (``agente db upgrade``). A process started against
a database that answers but holds no schema cannot do anything useful, so ``agente serve``
and ``agente worker`` refuse to start on one (:meth:`SchemaProbe.require_schema`), and
readiness reports a schema behind the code as unhealthy.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from agente.config import Settings
from agente.errors import AgenteError, DatabaseUnavailableError
from agente.storage import db

UPGRADE_HINT = "run 'agente db upgrade'"


class SchemaMissingError(AgenteError):
    """The database answers but has no schema: the migrations were never run on it."""

    def __init__(self, backend: str) -> None:
        where = "the embedded SQLite database" if backend == "sqlite" else "the PostgreSQL database"
        super().__init__(f"{where} has no schema: {UPGRADE_HINT} first")


@dataclass(frozen=True, slots=True)
class SchemaProbe:
    engine: AsyncEngine
    # The newest migration this code knows.
    head: str | None

    @property
    def backend(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return db.backend_name(self.engine)

    async def revision(self) -> str | None:
        """One query; the revision Alembic recorded (``None`` before any migration).

        Raises :class:`~agente.errors.DatabaseUnavailableError` when the database does not answer."""
        return await db.ping(self.engine)

    async def require_schema(self) -> str | None:
        """The revision, or :class:`SchemaMissingError` when the database answers without a schema.

        A database that does not answer is not this check's business: the process starts and
        readiness reports it, as for an outage later on."""
        revision = await self.revision()
        if revision is None:
            raise SchemaMissingError(self.backend)
        return revision


async def require_schema(settings: Settings) -> None:
    """For a process about to start: :class:`SchemaMissingError` when the database answers
    without a schema. One connection, closed before returning; a database that does not answer
    is let through (readiness reports it)."""
    engine = db.create_engine(settings)
    try:
        await SchemaProbe(engine, None).require_schema()
    except DatabaseUnavailableError:
        return
    finally:
        await engine.dispose()
