from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from agente.config import Settings
from agente.container import build_container
from agente.storage import db, migrate
from agente.storage.models import Base, ConversationSession, Guest, Message
from tests.conftest import _admin, _pg_url

TABLES = {
    "guests",
    "sessions",
    "messages",
    "logs",
    "audit_log",
    "blocked_clients",
    "simulator_bookings",
    "outbox",
    "bookings",
    "hotel_facts",
    "sent_emails",
}


@pytest.fixture(params=["sqlite", "postgres"])
def blank_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        yield Settings(env="test", data_dir=tmp_path / "var")
        return
    name = f"agente_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield Settings(env="test", database_url=_pg_url(name))
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _inspect(conn: Connection) -> dict[str, Any]:
    inspector = inspect(conn)
    return {
        "tables": set(inspector.get_table_names()) - {"alembic_version"},
        "session_indexes": {ix["name"] for ix in inspector.get_indexes("sessions")}
        if inspector.has_table("sessions")
        else set(),
        "diff": compare_metadata(MigrationContext.configure(conn), Base.metadata),
    }


async def _schema(settings: Settings) -> dict[str, Any]:
    async with build_container(settings) as container, container.engine.connect() as conn:
        return await conn.run_sync(_inspect)


async def test_upgrade_and_downgrade_on_both_backends(blank_settings: Settings) -> None:
    await asyncio.to_thread(migrate.upgrade, blank_settings)
    upgraded = await _schema(blank_settings)
    assert upgraded["tables"] == TABLES
    assert {"idx_sessions_guest_id", "idx_sessions_status_updated_at"} <= upgraded["session_indexes"]
    # The models and the migrations describe the same schema.
    assert upgraded["diff"] == []

    await asyncio.to_thread(migrate.downgrade, blank_settings, "base")
    assert (await _schema(blank_settings))["tables"] == set()

    await asyncio.to_thread(migrate.upgrade, blank_settings)
    assert (await _schema(blank_settings))["tables"] == TABLES


async def test_duplicate_channel_message_is_refused_by_the_database(blank_settings: Settings) -> None:
    await asyncio.to_thread(migrate.upgrade, blank_settings)
    async with build_container(blank_settings) as container:
        async with db.session_scope(container.session_factory) as session:
            guest = Guest(channel="whatsapp", external_id="34612345678")
            session.add(guest)
            await session.flush()
            convo = ConversationSession(guest_id=guest.id, channel="whatsapp")
            session.add(convo)
            await session.flush()
            session.add(Message(session_id=convo.id, direction="in", channel="whatsapp", channel_message_id="wamid.1"))
        with pytest.raises(IntegrityError):
            async with db.session_scope(container.session_factory) as session:
                session.add(
                    Message(session_id=convo.id, direction="in", channel="whatsapp", channel_message_id="wamid.1")
                )
        # The same id on another channel is a different message.
        async with db.session_scope(container.session_factory) as session:
            session.add(Message(session_id=convo.id, direction="in", channel="email", channel_message_id="wamid.1"))


def test_runbook_index_command_finds_the_index(pg_database: str) -> None:
    async def run() -> str:
        conn = await asyncpg.connect(pg_database)
        try:
            with pytest.raises(asyncpg.DuplicateTableError) as caught:
                await conn.execute("CREATE INDEX idx_sessions_guest_id ON sessions(guest_id);")
            return str(caught.value)
        finally:
            await conn.close()

    assert "already exists" in asyncio.run(run())
