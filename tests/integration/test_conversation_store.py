"""The conversation store's contract, the same on SQLite, PostgreSQL and in memory, and what a
steady message costs the database on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text

from agente.config import Settings
from agente.errors import DuplicateRecordError
from agente.storage import db
from agente.storage.repositories.conversations import ConversationStore, TurnRecord
from agente.storage.unit_of_work import MemoryStorage, SqlStorage
from tests.conftest import TABLES, postgres_settings

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sql"])
async def store(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[ConversationStore]:
    if request.param == "memory":
        yield MemoryStorage().conversations
        return
    engine = db.create_engine(settings)
    try:
        yield SqlStorage(db.create_session_factory(engine)).conversations
    finally:
        await engine.dispose()


def _turn(received_state: Any, inbound_id: Any, *, reply: str | None, step: str = "ask_stay") -> TurnRecord:
    return TurnRecord(
        session_id=received_state.session_id,
        read_version=received_state.version,
        step=step,
        slots={"adults": 2},
        language="es",
        status="bot",
        inbound_id=inbound_id,
        intent="book_room",
        channel="whatsapp",
        reply_text=reply,
        reply_status="queued",
    )


async def test_first_message_starts_a_session_and_later_ones_join_it(store: ConversationStore) -> None:
    first = await store.receive("whatsapp", "34600000001", "hola", "wamid.1", NOW)
    assert (first.state.version, first.state.status, first.state.step, first.state.slots) == (0, "bot", "idle", {})
    recorded = await store.record_turn(_turn(first.state, first.inbound_id, reply="¡Hola!"), NOW)
    assert recorded is not None and recorded.reply_id is not None

    second = await store.receive("whatsapp", "34600000001", "del 12 al 15", "wamid.2", NOW + timedelta(seconds=5))
    assert second.state.session_id == first.state.session_id
    assert (second.state.version, second.state.step, second.state.slots) == (1, "ask_stay", {"adults": 2})
    assert second.state.language == "es"
    assert second.state.last_message_at == NOW
    other = await store.receive("whatsapp", "34600000002", "hola", "wamid.3", NOW)
    assert other.state.session_id != first.state.session_id


async def test_a_stale_write_changes_nothing(store: ConversationStore) -> None:
    received = await store.receive("web", "web-1", "hola", None, NOW)
    assert await store.record_turn(_turn(received.state, received.inbound_id, reply="uno"), NOW) is not None
    # A second writer that read the same version loses, and writes neither state nor reply.
    assert await store.record_turn(_turn(received.state, received.inbound_id, reply="dos", step="idle"), NOW) is None
    state = await store.state(received.state.session_id)
    assert (state.version, state.step) == (1, "ask_stay")


async def test_a_redelivery_is_refused_and_answered_as_before(store: ConversationStore) -> None:
    received = await store.receive("whatsapp", "34600000003", "hola", "wamid.9", NOW)
    assert await store.previous("whatsapp", "wamid.9") is not None
    unanswered = await store.previous("whatsapp", "wamid.9")
    assert unanswered is not None and unanswered.intent is None and unanswered.reply_id is None
    recorded = await store.record_turn(_turn(received.state, received.inbound_id, reply="¡Hola!"), NOW)
    assert recorded is not None

    with pytest.raises(DuplicateRecordError):
        await store.receive("whatsapp", "34600000003", "hola", "wamid.9", NOW + timedelta(seconds=1))
    previous = await store.previous("whatsapp", "wamid.9")
    assert previous is not None
    assert (previous.intent, previous.reply_text, previous.reply_id) == ("book_room", "¡Hola!", recorded.reply_id)
    assert (previous.step, previous.status, previous.language) == ("ask_stay", "bot", "es")
    assert await store.previous("whatsapp", "wamid.unknown") is None


async def test_a_turn_without_reply_stores_none(store: ConversationStore) -> None:
    received = await store.receive("whatsapp", "34600000004", "...", "wamid.20", NOW)
    recorded = await store.record_turn(_turn(received.state, received.inbound_id, reply=None), NOW)
    assert recorded is not None and recorded.reply_id is None
    previous = await store.previous("whatsapp", "wamid.20")
    assert previous is not None and previous.reply_text == "" and previous.reply_id is None


@pytest.mark.postgres
async def test_a_steady_message_is_two_statements_without_transaction_round_trips(
    pg_database: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.create_engine(postgres_settings(pg_database, redis_prefix))
    store = SqlStorage(db.create_session_factory(engine)).conversations
    statements: list[str] = []
    begins: list[object] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    # SQLAlchemy's asyncpg adapter opens every BEGIN through asyncpg's ``transaction()``.
    opened, fetch = asyncpg.Connection.transaction, asyncpg.Connection.fetch

    def began(conn: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
        begins.append(conn)
        return opened(conn, *args, **kwargs)

    async def fetched(conn: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        statements.append(query)
        return await fetch(conn, query, *args, **kwargs)

    try:
        first = await store.receive("api", "bench-1", "hola", None, NOW)
        await store.record_turn(_turn(first.state, first.inbound_id, reply="¡Hola!"), NOW)
        event.listen(engine.sync_engine, "before_cursor_execute", executed)
        monkeypatch.setattr(asyncpg.Connection, "transaction", began)
        monkeypatch.setattr(asyncpg.Connection, "fetch", fetched)
        received = await store.receive("api", "bench-1", "del 12 al 15", None, NOW)
        assert await store.record_turn(_turn(received.state, received.inbound_id, reply="Hay sitio"), NOW)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", executed)
        monkeypatch.undo()
        # The run's database is shared: the tests after this one must not find its guest.
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()
    assert len(statements) == 2, statements
    assert begins == []
