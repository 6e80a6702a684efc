"""``backend``: one storage per backend for the repositories' contract tests: in memory, on a
SQLite file and on PostgreSQL (the run's database, emptied after each test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agente.config import Settings
from agente.storage import db
from agente.storage.unit_of_work import MemoryStorage, SqlStorage, Storage
from tests.conftest import TABLES, embedded_settings, postgres_settings


@dataclass
class Backend:
    name: str
    storage: Storage
    # The SQL backends' engine, for a test to seed or look at tables directly.
    engine: AsyncEngine | None = None


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Settings | None]:
    # A plain fixture: the run's PostgreSQL database is made with ``asyncio.run``, which an
    # async fixture (already inside the event loop) cannot ask for.
    if request.param == "memory":
        return "memory", None
    if request.param == "sqlite":
        return "sqlite", embedded_settings(tmp_path)
    return "postgres", postgres_settings(
        request.getfixturevalue("pg_database"), request.getfixturevalue("redis_prefix")
    )


@pytest.fixture
async def backend(backend_settings: tuple[str, Settings | None]) -> AsyncIterator[Backend]:
    name, settings = backend_settings
    if settings is None:
        yield Backend(name, MemoryStorage())
        return
    engine = db.create_engine(settings)
    try:
        yield Backend(name, SqlStorage(db.create_session_factory(engine)), engine)
    finally:
        if name == "postgres":
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()
