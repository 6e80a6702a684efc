"""Redis access shared by every part that keeps state across processes.

:class:`RedisStore` wraps one ``redis.asyncio`` client. In production it talks to
``REDIS_URL``; in the embedded default it holds an in-process Redis (fakeredis), so flags,
limits and caches run the very same commands and Lua scripts on one machine.

Redis is never allowed to take the service down with it:

* every call goes through :meth:`RedisStore.call`, which turns redis-py errors into
  :class:`~agente.errors.RedisUnavailableError`;
* after a failure, calls fail fast for ``backoff`` seconds instead of each waiting on a
  dead socket; the readiness probe keeps trying, and the first success clears the state,
  so the service reconnects by itself when Redis is back;
* callers decide what a missing answer means (a flag's last known value, a per-process
  rate limit) — this module only reports.

All keys pass through :meth:`RedisStore.key`, which adds ``REDIS_KEY_PREFIX`` (empty in
production so the runbook's ``redis-cli`` commands address the same keys).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import fakeredis
from opentelemetry.trace import SpanKind
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from agente.config import Settings
from agente.errors import RedisUnavailableError
from agente.observability import tracing

T = TypeVar("T")

RedisClient = aioredis.Redis


def create_client(url: str, timeout: float, max_connections: int = 50) -> RedisClient:
    """A client that gives up quickly: a request never waits long on a Redis that is gone.

    At most ``max_connections`` are open at once; a caller finding them all busy waits up to
    ``timeout`` for one, then gets a connection error like any other Redis failure (the
    service degrades instead of opening connections without end under a burst).
    """
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One quick retry covers a connection the server closed while idle; more would
        # make every request wait on a Redis that is really gone.
        retry=Retry(NoBackoff(), 1),
        health_check_interval=15,
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: closing it closes them


def text_of(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisStore:
    """One Redis client plus what the service knows about its health."""

    def __init__(
        self,
        client: RedisClient,
        *,
        prefix: str = "",
        embedded: bool = False,
        backoff: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.embedded = embedded
        self._backoff = backoff
        self._clock = clock
        self._retry_at = 0.0
        self.last_error: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisStore:
        if settings.redis_url is None:
            return cls(fakeredis.FakeAsyncRedis(decode_responses=True), prefix=settings.redis_key_prefix, embedded=True)
        client = create_client(settings.redis_url, settings.redis_timeout, settings.redis_max_connections)
        return cls(client, prefix=settings.redis_key_prefix)

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def available(self) -> bool:
        """False while the last call failed and the back-off has not yet passed."""
        return self.last_error is None

    async def call(self, operation: Callable[[RedisClient], Awaitable[T]], *, command: str | None = None) -> T:
        """Run ``operation(client)``; raise :class:`RedisUnavailableError` if Redis fails or is known down.

        ``command`` (``MGET``) names the span of the call when tracing is on."""
        if self.last_error is not None and self._clock() < self._retry_at:
            raise RedisUnavailableError(self.last_error)
        return await self._attempt(operation, command)

    async def mget(self, keys: list[str]) -> list[str | None]:
        """Values of ``keys`` (already prefixed) as text, ``None`` where absent."""
        values = await self.call(lambda r: r.mget(keys), command="MGET")
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    async def hgetall(self, key: str) -> dict[str, str]:
        """Every field of the hash ``key`` (already prefixed) as text."""
        raw = await self.call(lambda r: r.hgetall(key), command="HGETALL")
        return {text_of(k): text_of(v) for k, v in raw.items()}

    async def ping(self) -> None:
        """Round trip to Redis, ignoring the back-off: this is how recovery is noticed."""
        await self._attempt(lambda client: client.ping(), "PING")

    async def _attempt(self, operation: Callable[[RedisClient], Awaitable[T]], command: str | None = None) -> T:
        try:
            with tracing.child_span(
                f"redis {command}" if command else "redis",
                kind=SpanKind.CLIENT,
                attributes={
                    "db.system.name": "redis",
                    "db.operation.name": command,
                    "agente.redis.embedded": self.embedded,
                },
            ):
                result = await operation(self.client)
        except (RedisError, OSError) as exc:
            self.last_error = f"redis unavailable: {type(exc).__name__}: {str(exc)[:200]}"
            self._retry_at = self._clock() + self._backoff
            raise RedisUnavailableError(self.last_error) from exc
        self.last_error = None
        return result

    async def close(self) -> None:
        await self.client.aclose()
