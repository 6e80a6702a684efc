"""The repositories the channels and staff use — sessions, messages, sent emails and the
outbox's operator side — keep the same contract in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from agente.config import Settings
from agente.storage import db
from agente.storage.repositories.conversations import Received, TurnRecord
from agente.storage.unit_of_work import MemoryStorage, SqlStorage, Storage
from tests.conftest import TABLES, embedded_settings, postgres_settings

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings | None:
    """The settings of the SQL backend, None for memory (a sync fixture: the PostgreSQL
    database is made with its own event loop)."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return embedded_settings(tmp_path)
    return postgres_settings(request.getfixturevalue("pg_database"), request.getfixturevalue("redis_prefix"))


@pytest.fixture
async def storage(backend: Settings | None) -> AsyncIterator[Storage]:
    if backend is None:
        yield MemoryStorage()
        return
    engine = db.create_engine(backend)
    try:
        yield SqlStorage(db.create_session_factory(engine))
    finally:
        if db.backend_name(engine) == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()


@dataclass
class Guest:
    storage: Storage
    channel: str
    external_id: str

    async def says(self, text: str, at: datetime, channel_message_id: str | None = None) -> Received:
        return await self.storage.conversations.receive(self.channel, self.external_id, text, channel_message_id, at)

    async def answered(self, received: Received, reply: str, at: datetime, *, language: str = "es") -> None:
        turn = TurnRecord(
            session_id=received.state.session_id,
            read_version=received.state.version,
            step="ask_stay",
            slots={"adults": 2},
            language=language,
            status="bot",
            inbound_id=received.inbound_id,
            intent="book_room",
            channel=self.channel,
            reply_text=reply,
            reply_status="queued",
        )
        assert await self.storage.conversations.record_turn(turn, at) is not None


async def test_a_session_is_read_with_its_guest_and_handed_to_staff_and_back(storage: Storage) -> None:
    ana = Guest(storage, "whatsapp", "34600000001")
    first = await ana.says("hola", NOW, "wamid.1")
    await ana.answered(first, "¡Hola!", NOW + timedelta(seconds=1), language="en")
    session_id = first.state.session_id

    before = datetime.now(UTC)
    async with storage.begin() as uow:
        convo = await uow.sessions.get(session_id)
        assert convo is not None
        assert (convo.channel, convo.external_id, convo.status, convo.step) == (
            "whatsapp",
            "34600000001",
            "bot",
            "ask_stay",
        )
        assert (convo.slots, convo.language, convo.version) == ({"adults": 2}, "en", 1)
        assert await uow.sessions.language(session_id) == "en"
        handed = await uow.sessions.set_status(session_id, status="handoff", slots={"handoff_reason": "requested"})
    assert handed is not None
    assert (handed.status, handed.step, handed.slots, handed.version) == (
        "handoff",
        "ask_stay",
        {"handoff_reason": "requested"},
        2,
    )
    assert convo.updated_at == NOW + timedelta(seconds=1) and handed.updated_at >= before

    # A turn that read the session before staff took it cannot write over the change.
    stale = TurnRecord(session_id, 1, "idle", {}, "en", "bot", first.inbound_id, "greet", "whatsapp", "late", "queued")
    assert await storage.conversations.record_turn(stale, NOW) is None

    async with storage.begin() as uow:
        back = await uow.sessions.set_status(session_id, status="bot", slots={}, step="idle")
        assert back is not None and (back.status, back.step, back.slots, back.version) == ("bot", "idle", {}, 3)
        assert await uow.sessions.get(session_id) == back


async def test_sessions_are_listed_by_status_most_recently_changed_first(storage: Storage) -> None:
    ids = []
    for n in range(3):
        received = await Guest(storage, "web", f"web-{n}").says("hola", NOW + timedelta(minutes=n))
        ids.append(received.state.session_id)
    async with storage.begin() as uow:
        for session_id in (ids[2], ids[0]):  # the first one handed over last
            await uow.sessions.set_status(session_id, status="handoff", slots={})
    async with storage.begin() as uow:
        assert [s.id for s in await uow.sessions.with_status("handoff", limit=10)] == [ids[0], ids[2]]
        assert [s.id for s in await uow.sessions.with_status("handoff", limit=1)] == [ids[0]]
        assert [s.id for s in await uow.sessions.with_status("bot", limit=10)] == [ids[1]]


async def test_an_unknown_session_is_none_everywhere(storage: Storage) -> None:
    await Guest(storage, "web", "web-x").says("hola", NOW)
    unknown = uuid.UUID(int=1)
    async with storage.begin() as uow:
        assert await uow.sessions.get(unknown) is None
        assert await uow.sessions.language(unknown) is None
        assert await uow.sessions.set_status(unknown, status="handoff", slots={}) is None
        assert await uow.messages.recent([unknown], per_session=10) == {unknown: []}
        assert await uow.messages.latest_inbound_channel_id(unknown, "email") is None
        assert await uow.messages.get(unknown) is None
        await uow.messages.mark(unknown, "sent")  # nothing to mark: no error


async def test_a_reply_is_found_marked_sent_and_its_receipts_find_it(storage: Storage) -> None:
    ana = Guest(storage, "whatsapp", "34600000002")
    received = await ana.says("hola", NOW, "wamid.in")
    async with storage.begin() as uow:
        inbound = await uow.messages.by_channel_id("whatsapp", "wamid.in")
        assert inbound is not None and inbound.id == received.inbound_id
        assert (inbound.direction, inbound.text, inbound.status, inbound.created_at) == ("in", "hola", None, NOW)
        reply = await uow.messages.add_outbound(
            received.state.session_id, channel="whatsapp", text="Hola, soy Marta.", language="es", status="queued"
        )
    assert (reply.direction, reply.channel, reply.status, reply.channel_message_id) == (
        "out",
        "whatsapp",
        "queued",
        None,
    )

    async with storage.begin() as uow:
        assert await uow.messages.get(reply.id) == reply
        await uow.messages.mark(reply.id, "sent", channel_message_id="wamid.out")
        await uow.messages.mark(reply.id, "read")  # a receipt keeps the id the channel gave
    async with storage.begin() as uow:
        found = await uow.messages.by_channel_id("whatsapp", "wamid.out")
        assert found is not None and (found.id, found.status, found.text) == (reply.id, "read", "Hola, soy Marta.")
        assert await uow.messages.by_channel_id("email", "wamid.out") is None


async def test_recent_messages_are_each_sessions_last_ones_oldest_first(storage: Storage) -> None:
    ana, bea = Guest(storage, "email", "ana@example.com"), Guest(storage, "email", "bea@example.com")
    for n in range(5):
        await ana.says(f"ana {n}", NOW + timedelta(seconds=n), f"<ana-{n}@example.com>")
    received = await bea.says("bea 0", NOW, "<bea-0@example.com>")
    await bea.answered(received, "respuesta", NOW + timedelta(seconds=1))
    ana_id = (await ana.says("ana 5", NOW + timedelta(seconds=5))).state.session_id
    bea_id = received.state.session_id

    async with storage.begin() as uow:
        recent = await uow.messages.recent([ana_id, bea_id], per_session=3)
        assert [m.text for m in recent[ana_id]] == ["ana 3", "ana 4", "ana 5"]
        assert [(m.direction, m.text) for m in recent[bea_id]] == [("in", "bea 0"), ("out", "respuesta")]
        assert await uow.messages.recent([], per_session=3) == {}
        # The latest email of the guest that has an id (the last message came without one).
        assert await uow.messages.latest_inbound_channel_id(ana_id, "email") is None
        assert await uow.messages.latest_inbound_channel_id(bea_id, "email") == "<bea-0@example.com>"
        assert await uow.messages.latest_inbound_channel_id(bea_id, "whatsapp") is None


async def test_a_unit_of_work_that_raises_leaves_no_message(storage: Storage) -> None:
    received = await Guest(storage, "web", "web-r").says("hola", NOW)
    with pytest.raises(RuntimeError):
        async with storage.begin() as uow:
            await uow.messages.add_outbound(
                received.state.session_id, channel="web", text="no", language="es", status="sent"
            )
            raise RuntimeError("the route failed after storing it")
    async with storage.begin() as uow:
        assert [
            m.text
            for m in (await uow.messages.recent([received.state.session_id], per_session=10))[received.state.session_id]
        ] == ["hola"]
    # The conversation store still works on the same rows afterwards.
    again = await Guest(storage, "web", "web-r").says("¿hola?", NOW + timedelta(seconds=1))
    assert again.state.session_id == received.state.session_id


async def test_a_sent_email_is_recorded_once(storage: Storage) -> None:
    async with storage.begin() as uow:
        assert not await uow.sent_emails.contains("<m1@hotel.example>")
        await uow.sent_emails.add("<m1@hotel.example>", kind="confirmation", booking_reference="AH3K7PQX")
    async with storage.begin() as uow:
        assert await uow.sent_emails.contains("<m1@hotel.example>")
        assert not await uow.sent_emails.contains("<m2@hotel.example>")


async def test_outbox_jobs_are_paged_newest_first_and_a_dead_one_revived(storage: Storage) -> None:
    async with storage.begin() as uow:
        first = await uow.outbox.enqueue("send", {"to": "ana"}, dedup_key="send:1", max_attempts=3)
        second = await uow.outbox.enqueue("send", {"to": "bea"})
        third = await uow.outbox.enqueue("other", {"n": 3})
    later = datetime.now(UTC) + timedelta(seconds=1)
    async with storage.begin() as uow:
        claimed = await uow.outbox.claim(now=later, lease_until=later + timedelta(minutes=1), limit=1)
        assert [job.id for job in claimed] == [first.id]
        assert await uow.outbox.bury(claimed[0], now=later, error="token expired")

    async with storage.begin() as uow:
        assert [job.id for job in await uow.outbox.page(limit=10)] == [third.id, second.id, first.id]
        assert [job.id for job in await uow.outbox.page(limit=2)] == [third.id, second.id]
        assert [job.id for job in await uow.outbox.page(limit=10, before_id=second.id)] == [first.id]
        assert [job.id for job in await uow.outbox.page(status="pending", limit=10)] == [third.id, second.id]
        [dead] = await uow.outbox.page(status="dead", limit=10)
        assert (dead.kind, dead.payload, dead.attempts, dead.max_attempts) == ("send", {"to": "ana"}, 1, 3)
        assert (dead.last_error, dead.dedup_key, dead.locked_until, dead.result) == (
            "token expired",
            "send:1",
            None,
            None,
        )
        assert await uow.outbox.get(first.id) == dead
        assert await uow.outbox.by_dedup_key("send:1") == dead
        assert await uow.outbox.by_dedup_key("send:2") is None
        assert await uow.outbox.get(third.id + 100) is None

    async with storage.begin() as uow:
        revived = await uow.outbox.revive(first.id, now=later)
        assert revived is not None
        assert (revived.status, revived.attempts, revived.next_attempt_at, revived.locked_until) == (
            "pending",
            0,
            later,
            None,
        )
        assert revived.last_error == "token expired"  # the reason it died stays readable
        assert await uow.outbox.revive(first.id, now=later) is None  # no longer dead
        assert await uow.outbox.revive(second.id, now=later) is None  # never was
        assert await uow.outbox.revive(third.id + 100, now=later) is None
    async with storage.begin() as uow:
        claimed = await uow.outbox.claim(now=later, lease_until=later + timedelta(minutes=1), limit=1)
        assert [(job.id, job.attempts) for job in claimed] == [(first.id, 1)]
