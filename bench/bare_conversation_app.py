"""The floor for ``conversation_bench.py``: FastAPI and raw asyncpg doing a message's I/O and nothing else.

``POST /api/messages`` with ``{"guest_id", "text"}`` costs what the service's steady path
costs in round trips: one Redis call (the rate limiter's counter), one statement storing the
message and reading the session's state, one statement writing the new state and the reply
(the same data-modifying CTEs as ``storage/repositories/conversations/sql.py``, on the
service's own tables), then a JSON answer. No NLU, no dialogue, no ORM, no middleware: the
difference to the service is what the service itself spends on a message.

Run: ``python bench/bare_conversation_app.py --port 8101 --database-url postgresql://… --redis-url redis://…``
(binds 127.0.0.1; the database must be migrated, it creates its guests' sessions itself).
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel
from redis import asyncio as aioredis

RECEIVE = """
WITH latest AS (
    SELECT s.id, s.version, s.status, s.state, s.slots, s.language, s.last_message_at
    FROM guests g JOIN sessions s ON s.guest_id = g.id
    WHERE g.channel = $1 AND g.external_id = $2
    ORDER BY s.created_at DESC LIMIT 1
), stored AS (
    INSERT INTO messages (id, session_id, direction, channel, channel_message_id, text, created_at)
    SELECT $3, latest.id, 'in', $1, NULL, $4, $5 FROM latest
    RETURNING session_id
)
SELECT latest.* FROM latest JOIN stored ON stored.session_id = latest.id
"""
RECORD = """
WITH moved AS (
    UPDATE sessions SET state = $1, slots = $2, version = version + 1, last_message_at = $3, updated_at = $3
    WHERE id = $4 AND version = $5 RETURNING id
), understood AS (
    UPDATE messages SET intent = 'inform' WHERE id = $6 AND EXISTS (SELECT 1 FROM moved)
), replied AS (
    INSERT INTO messages (id, session_id, direction, channel, text, status, created_at)
    SELECT $7, moved.id, 'out', 'api', $8, 'sent', $3 FROM moved
)
SELECT count(*) FROM moved
"""
NEW_GUEST = "INSERT INTO guests (id, channel, external_id, created_at, updated_at) VALUES ($1, 'api', $2, $3, $3)"
NEW_SESSION = (
    "INSERT INTO sessions (id, guest_id, channel, status, state, slots, version, created_at, updated_at) "
    "VALUES ($1, $2, 'api', 'bot', 'idle', '{}', 0, $3, $3)"
)


class MessageIn(BaseModel):
    guest_id: str
    text: str


def build_app(database_url: str, redis_url: str, prefix: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(database_url, min_size=2, max_size=10)
        app.state.redis = aioredis.Redis.from_url(redis_url)
        yield
        await app.state.redis.aclose()
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @app.post("/api/messages")
    async def message(body: MessageIn, request: Request) -> dict[str, Any]:
        redis: aioredis.Redis = request.app.state.redis
        await redis.incr(f"{prefix}bare:{body.guest_id}")
        now = datetime.now(UTC)
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as conn:
            row = await conn.fetchrow(RECEIVE, "api", body.guest_id, uuid.uuid4(), body.text, now)
            if row is None:
                async with conn.transaction():
                    guest_id, session_id = uuid.uuid4(), uuid.uuid4()
                    await conn.execute(NEW_GUEST, guest_id, body.guest_id, now)
                    await conn.execute(NEW_SESSION, session_id, guest_id, now)
                row = await conn.fetchrow(RECEIVE, "api", body.guest_id, uuid.uuid4(), body.text, now)
            assert row is not None
            slots = json.dumps({"turns": row["version"] + 1})
            await conn.fetchval(RECORD, "idle", slots, now, row["id"], row["version"], uuid.uuid4(), uuid.uuid4(), "ok")
        return {"session_id": str(row["id"]), "reply": {"text": "ok", "language": "es"}, "state": "idle"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--redis-prefix", default="bench:")
    args = parser.parse_args()
    app = build_app(args.database_url, args.redis_url, args.redis_prefix)
    # The options of ``agente.server.serve`` (uvloop, httptools, no access log).
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        log_level="warning",
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
