"""The database engine and sessions.

The engine is built by the container from settings (never at import time). PostgreSQL
runs through asyncpg; the embedded default is a SQLite file through aiosqlite, in WAL
mode with foreign keys enforced, so both backends keep the same integrity rules.

Driver exceptions stop here: :func:`translate_errors` turns a refused or dropped
connection into :class:`~agente.errors.DatabaseUnavailableError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from agente.config import Settings
from agente.errors import DatabaseUnavailableError


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the engine for ``settings.sqlalchemy_url``; creates the SQLite folder if needed."""
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": settings.database_timeout})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_timeout=settings.database_timeout,
        # Bounds how long a connection can outlive a server-side change nobody told us about.
        pool_recycle=1800,
        connect_args={"timeout": settings.database_timeout, "command_timeout": 30},
    )
    event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed (a restart, an idle timeout), so the
    pool opens a fresh one instead of failing the request.

    This replaces SQLAlchemy's ``pool_pre_ping``, which on asyncpg costs three round trips
    (BEGIN, a query, ROLLBACK) at every checkout; asyncpg learns of a closed socket from the
    event loop, so asking it costs nothing. A connection cut without the server closing it
    (a network partition) is not caught here: its first query fails, SQLAlchemy invalidates
    the pool, and only that request answers 503.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL keeps the file consistent on a crash; NORMAL only risks the last commits on power loss,
    # and spares an fsync per transaction.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def backend_name(engine: AsyncEngine) -> str:
    """``postgresql`` or ``sqlite``."""
    return engine.url.get_backend_name()


_UNAVAILABLE = (InterfaceError, OSError, asyncio.TimeoutError)
# SQLite reports a bad statement as OperationalError too; those are bugs, not outages.
_SQLITE_STATEMENT_ERRORS = ("no such table", "no such column", "syntax error")
# PostgreSQL's SQLSTATEs for a server that is not there for us: connection exceptions (class
# 08), and a server shutting down or still starting (57P01 admin_shutdown, 57P02
# crash_shutdown, 57P03 cannot_connect_now: "the database system is starting up").
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database could not be reached (not a bad statement).

    Knows SQLAlchemy's wrapped errors and asyncpg's own, which the conversation store's
    statements run on the driver raise unwrapped."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, asyncpg.ConnectionDoesNotExistError):
        return True
    driver_error = exc if isinstance(exc, asyncpg.PostgresError) else getattr(exc, "orig", None)
    sqlstate = getattr(driver_error, "sqlstate", None)
    wrapped_or_driver = isinstance(exc, DBAPIError | asyncpg.PostgresError)
    if wrapped_or_driver and isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    if isinstance(exc, OperationalError):
        return not any(marker in str(exc.orig) for marker in _SQLITE_STATEMENT_ERRORS)
    return isinstance(exc, _UNAVAILABLE)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise connection failures as :class:`DatabaseUnavailableError`; others pass through."""
    try:
        yield
    except BaseException as exc:
        if is_unavailable(exc):
            raise DatabaseUnavailableError(_describe(exc)) from exc
        raise


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session whose transaction commits on success and rolls back on any error."""
    with translate_errors():
        async with factory() as session, session.begin():
            yield session


async def ping(engine: AsyncEngine) -> str | None:
    """Run one query; return the schema revision Alembic recorded (None before migrations)."""
    with translate_errors():
        async with engine.connect() as conn:
            has_version = await conn.run_sync(
                lambda sync_conn: sync_conn.dialect.has_table(sync_conn, "alembic_version")
            )
            if not has_version:
                return None
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


def _describe(exc: BaseException) -> str:
    # Driver messages can carry the DSN's host but never its password; keep the first line.
    original = getattr(exc, "orig", None) or exc
    message = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return f"database unavailable: {message[:200]}"
