"""The PostgreSQL pool hands out live connections only, without a ping round trip for it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from agente.config import Settings
from agente.storage import db
from tests.conftest import PG_SERVER_URL

pytestmark = pytest.mark.postgres


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        pid: int = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return pid


async def test_pooled_connections_are_reused_without_a_ping_and_replaced_once_closed(pg_database: str) -> None:
    engine = db.create_engine(Settings(database_url=pg_database, database_pool_size=1))
    # The simple queries the driver sends: transaction control, and pings (prepared statements
    # such as the test's own SELECT do not show here).
    simple: list[str] = []

    def log_queries(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda record: simple.append(record.query))  # type: ignore[attr-defined]

    event.listen(engine.sync_engine, "connect", log_queries)
    try:
        first_pid = await _backend_pid(engine)
        simple.clear()
        assert await _backend_pid(engine) == first_pid
        # One transaction around the statement, and nothing else: no BEGIN/ping/ROLLBACK first.
        assert simple == ["BEGIN;", "ROLLBACK;"]

        # The server ends the pooled connection (a restart, an idle timeout, an operator).
        admin = await asyncpg.connect(PG_SERVER_URL)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first_pid)
        finally:
            await admin.close()
        await asyncio.sleep(0.2)  # the closed socket reaches the event loop
        assert await _backend_pid(engine) != first_pid  # a fresh connection, not an error
    finally:
        await engine.dispose()
