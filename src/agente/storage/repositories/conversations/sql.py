"""Conversations on PostgreSQL or SQLite: statements built once, none through the ORM.

On PostgreSQL each of a steady turn's two steps is one statement (data-modifying CTEs) in
its own implicit transaction, so a message costs two round trips to the database. Those two
run on asyncpg itself, on a connection of SQLAlchemy's pool, as prepared statements that
asyncpg keeps per connection: SQLAlchemy's execution layer (its greenlet hop, result
processing, event dispatch) cost several times what the statements do. They are traced
like every other statement (:func:`agente.storage.tracing.statement_spans`).

Everything else — a guest's first message (a short transaction of a few statements), the
redelivery look-up, SQLite (which cannot modify data in a CTE) — uses Core statements built
at import and reused with bind parameters.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agente.errors import DuplicateRecordError
from agente.storage import db
from agente.storage.models import ConversationSession, Guest, Message
from agente.storage.models.base import UtcDateTime, new_id
from agente.storage.repositories.conversations import (
    PreviousTurn,
    Received,
    Recorded,
    SessionState,
    TurnRecord,
)
from agente.storage.tracing import statement_spans

_guests: Table = Guest.__table__  # type: ignore[assignment]
_sessions: Table = ConversationSession.__table__  # type: ignore[assignment]
_messages: Table = Message.__table__  # type: ignore[assignment]

_STATE = (
    _sessions.c.id,
    _sessions.c.version,
    _sessions.c.status,
    _sessions.c.state,
    _sessions.c.slots,
    _sessions.c.language,
    _sessions.c.last_message_at,
)

# The guest's latest session (SQLite, and PostgreSQL's first-message path).
_LATEST = (
    select(_guests.c.id.label("guest_id"), *_STATE)
    .select_from(_guests.outerjoin(_sessions, _sessions.c.guest_id == _guests.c.id))
    .where(_guests.c.channel == bindparam("channel"), _guests.c.external_id == bindparam("external_id"))
    .order_by(_sessions.c.created_at.desc())
    .limit(1)
)
_READ_STATE = select(*_STATE).where(_sessions.c.id == bindparam("session_id"))
_INSERT_GUEST = insert(_guests).values(
    id=bindparam("guest_id"),
    channel=bindparam("channel"),
    external_id=bindparam("external_id"),
    created_at=bindparam("at"),
    updated_at=bindparam("at"),
)
_INSERT_SESSION = insert(_sessions).values(
    id=bindparam("session_id"),
    guest_id=bindparam("guest_id"),
    channel=bindparam("channel"),
    status="bot",
    state=bindparam("step"),
    slots=bindparam("slots"),
    version=0,
    created_at=bindparam("at"),
    updated_at=bindparam("at"),
)
_INSERT_INBOUND = insert(_messages).values(
    id=bindparam("message_id"),
    session_id=bindparam("session_id"),
    direction="in",
    channel=bindparam("channel"),
    channel_message_id=bindparam("channel_message_id"),
    text=bindparam("text"),
    created_at=bindparam("at"),
)
_MOVE_SESSION = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("session_id"), _sessions.c.version == bindparam("read_version"))
    .values(
        state=bindparam("step"),
        slots=bindparam("slots"),
        language=bindparam("language"),
        status=bindparam("status"),
        version=bindparam("new_version"),
        last_message_at=bindparam("at"),
        updated_at=bindparam("at"),
    )
)
_UNDERSTOOD = (
    update(_messages)
    .where(_messages.c.id == bindparam("inbound_id"))
    .values(language=bindparam("language"), intent=bindparam("intent"))
)
_INSERT_REPLY = insert(_messages).values(
    id=bindparam("reply_id"),
    session_id=bindparam("session_id"),
    direction="out",
    channel=bindparam("channel"),
    text=bindparam("reply_text"),
    language=bindparam("language"),
    status=bindparam("reply_status"),
    created_at=bindparam("at"),
)
_INBOUND_BY_CHANNEL_ID = select(
    _messages.c.id, _messages.c.session_id, _messages.c.intent, _messages.c.created_at
).where(_messages.c.channel == bindparam("channel"), _messages.c.channel_message_id == bindparam("channel_message_id"))
_FIRST_REPLY_SINCE = (
    select(_messages.c.id, _messages.c.text)
    .where(
        _messages.c.session_id == bindparam("session_id"),
        _messages.c.direction == "out",
        _messages.c.created_at >= bindparam("since", type_=UtcDateTime()),
    )
    .order_by(_messages.c.created_at)
    .limit(1)
)

# PostgreSQL (asyncpg): the message stored into the guest's latest session, and that
# session's state returned, in one statement. No row: the guest or their session does not
# exist yet. $1 channel, $2 external id, $3 message id, $4 channel message id, $5 text, $6 at.
_PG_RECEIVE = """
WITH latest AS (
    SELECT s.id, s.version, s.status, s.state, s.slots, s.language, s.last_message_at
    FROM guests g JOIN sessions s ON s.guest_id = g.id
    WHERE g.channel = $1 AND g.external_id = $2
    ORDER BY s.created_at DESC
    LIMIT 1
), stored AS (
    INSERT INTO messages (id, session_id, direction, channel, channel_message_id, text, created_at)
    SELECT $3, latest.id, 'in', $1, $4, $5, $6 FROM latest
    RETURNING session_id
)
SELECT latest.* FROM latest JOIN stored ON stored.session_id = latest.id
"""

# PostgreSQL (asyncpg): a new guest's first message — the guest, their session and the message
# in one statement. No row: the guest exists already (another message of theirs created it
# meanwhile, or they have no session): the transaction of plain statements takes over.
# $1 guest id, $2 channel, $3 external id, $4 session id, $5 message id, $6 channel message
# id, $7 at, $8 text.
_PG_FIRST = """
WITH guest AS (
    INSERT INTO guests (id, channel, external_id, created_at, updated_at)
    VALUES ($1, $2, $3, $7, $7)
    ON CONFLICT (channel, external_id) DO NOTHING
    RETURNING id
), session AS (
    INSERT INTO sessions (id, guest_id, channel, status, state, slots, version, created_at, updated_at)
    SELECT $4, guest.id, $2, 'bot', 'idle', '{}'::jsonb, 0, $7, $7 FROM guest
    RETURNING id
)
INSERT INTO messages (id, session_id, direction, channel, channel_message_id, text, created_at)
SELECT $5, session.id, 'in', $2, $6, $8, $7 FROM session
RETURNING session_id
"""

# PostgreSQL (asyncpg): the whole turn in one statement. Every part runs only if the session
# was still at the version read; the count is of sessions written (0: it moved on, nothing
# written). $1 step, $2 slots, $3 language, $4 status, $5 at, $6 session id, $7 version read,
# $8 inbound id, $9 intent, $10 reply id, $11 channel, $12 reply text, $13 reply status,
# $14 whether there is a reply.
_PG_RECORD_TURN = """
WITH moved AS (
    UPDATE sessions
    SET state = $1, slots = $2, language = $3, status = $4,
        version = version + 1, last_message_at = $5, updated_at = $5
    WHERE id = $6 AND version = $7
    RETURNING id
), understood AS (
    UPDATE messages SET language = $3, intent = $9
    WHERE id = $8 AND EXISTS (SELECT 1 FROM moved)
), replied AS (
    INSERT INTO messages (id, session_id, direction, channel, text, language, status, created_at)
    SELECT $10, moved.id, 'out', $11, $12, $3, $13, $5
    FROM moved WHERE $14
)
SELECT count(*) FROM moved
"""


def _state(row: Any) -> SessionState:
    return SessionState(
        row.id, row.version, row.status, row.state, dict(row.slots or {}), row.language, row.last_message_at
    )


def _pg_state(row: asyncpg.Record) -> SessionState:
    # asyncpg's UUID is a uuid.UUID; the slots arrive decoded (SQLAlchemy's jsonb codec).
    return SessionState(
        row["id"],
        row["version"],
        row["status"],
        row["state"],
        dict(row["slots"] or {}),
        row["language"],
        row["last_message_at"],
    )


class SqlConversations:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = db.backend_name(engine) == "postgresql"
        self._span = statement_spans(engine.url)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        with db.translate_errors():
            try:
                async with self._engine.begin() as conn:
                    yield conn
            except IntegrityError as exc:
                raise DuplicateRecordError(_constraint(exc)) from exc

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one self-contained statement (a transaction on SQLite)."""
        if not self._postgres:
            async with self._transaction() as conn:
                yield conn
            return
        with db.translate_errors():
            try:
                async with self._engine.connect() as conn:
                    yield conn
            except IntegrityError as exc:
                raise DuplicateRecordError(_constraint(exc)) from exc

    async def _fetch(self, operation: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Run ``sql`` on asyncpg, outside any transaction (one statement is its own)."""
        with self._span(operation, sql), db.translate_errors():
            pooled = await self._engine.raw_connection()
            try:
                driver: asyncpg.Connection = pooled.driver_connection
                rows: list[asyncpg.Record] = await driver.fetch(sql, *args)
            except asyncpg.UniqueViolationError as exc:
                raise DuplicateRecordError(f"duplicate: {exc.constraint_name}") from exc
            except BaseException as exc:
                if db.is_unavailable(exc):
                    # The pool must not hand this connection out again.
                    pooled.invalidate(exc)
                raise
            finally:
                pooled.close()
            return rows

    async def receive(
        self, channel: str, external_id: str, text: str, channel_message_id: str | None, at: datetime
    ) -> Received:
        message_id = new_id()
        values = {
            "channel": channel,
            "external_id": external_id,
            "message_id": message_id,
            "channel_message_id": channel_message_id,
            "text": text,
            "at": at,
        }
        if self._postgres:
            rows = await self._fetch(
                "INSERT", _PG_RECEIVE, channel, external_id, message_id, channel_message_id, text, at
            )
            if rows:
                return Received(message_id, _pg_state(rows[0]))
            session_id = new_id()
            first = (new_id(), channel, external_id, session_id, message_id, channel_message_id, at, text)
            if await self._fetch("INSERT", _PG_FIRST, *first):
                return Received(message_id, SessionState(session_id, 0, "bot", "idle", {}, None, None))
        async with self._transaction() as conn:
            row = (await conn.execute(_LATEST, values)).first()
            if row is not None and row.id is not None:
                state = _state(row)
            else:
                state = await self._start(conn, values, row.guest_id if row is not None else None)
            await conn.execute(_INSERT_INBOUND, {**values, "session_id": state.session_id})
        return Received(message_id, state)

    @staticmethod
    async def _start(conn: AsyncConnection, values: dict[str, Any], guest_id: uuid.UUID | None) -> SessionState:
        """A guest's first session (and the guest, unless ``guest_id`` names it)."""
        if guest_id is None:
            guest_id = new_id()
            await conn.execute(_INSERT_GUEST, {**values, "guest_id": guest_id})
        session_id = new_id()
        await conn.execute(
            _INSERT_SESSION, {**values, "guest_id": guest_id, "session_id": session_id, "step": "idle", "slots": {}}
        )
        return SessionState(session_id, 0, "bot", "idle", {}, None, None)

    async def state(self, session_id: uuid.UUID) -> SessionState:
        async with self._statement() as conn:
            return _state((await conn.execute(_READ_STATE, {"session_id": session_id})).one())

    async def previous(self, channel: str, channel_message_id: str) -> PreviousTurn | None:
        async with self._transaction() as conn:
            inbound = (
                await conn.execute(
                    _INBOUND_BY_CHANNEL_ID, {"channel": channel, "channel_message_id": channel_message_id}
                )
            ).first()
            if inbound is None:
                return None
            session = (await conn.execute(_READ_STATE, {"session_id": inbound.session_id})).one()
            reply = None
            if inbound.intent is not None:
                reply = (
                    await conn.execute(
                        _FIRST_REPLY_SINCE, {"session_id": inbound.session_id, "since": inbound.created_at}
                    )
                ).first()
        return PreviousTurn(
            session_id=inbound.session_id,
            inbound_id=inbound.id,
            intent=inbound.intent,
            language=session.language,
            step=session.state,
            status=session.status,
            reply_id=reply.id if reply is not None else None,
            reply_text=reply.text if reply is not None else "",
        )

    async def record_turn(self, turn: TurnRecord, at: datetime) -> Recorded | None:
        reply_id = new_id() if turn.reply_text is not None else None
        values = {
            "session_id": turn.session_id,
            "read_version": turn.read_version,
            "new_version": turn.read_version + 1,
            "step": turn.step,
            "slots": turn.slots,
            "language": turn.language,
            "status": turn.status,
            "inbound_id": turn.inbound_id,
            "intent": turn.intent,
            "channel": turn.channel,
            "reply_id": reply_id,
            "reply_text": turn.reply_text or "",
            "reply_status": turn.reply_status,
            "has_reply": reply_id is not None,
            "at": at,
        }
        if self._postgres:
            rows = await self._fetch(
                "UPDATE",
                _PG_RECORD_TURN,
                turn.step,
                json.dumps(turn.slots),
                turn.language,
                turn.status,
                at,
                turn.session_id,
                turn.read_version,
                turn.inbound_id,
                turn.intent,
                reply_id,
                turn.channel,
                turn.reply_text or "",
                turn.reply_status,
                reply_id is not None,
            )
            return Recorded(reply_id) if rows[0][0] == 1 else None
        async with self._transaction() as conn:
            changed = await conn.execute(_MOVE_SESSION, values)
            if changed.rowcount != 1:
                return None
            await conn.execute(_UNDERSTOOD, values)
            if reply_id is not None:
                await conn.execute(_INSERT_REPLY, values)
        return Recorded(reply_id)


def _constraint(exc: IntegrityError) -> str:
    """Which unique key refused the write, as far as the driver says (never the values)."""
    name = getattr(getattr(exc, "orig", None), "constraint_name", None)
    return f"duplicate: {name}" if name else "duplicate record"
