"""Per-client rate limiting, shared by every process through Redis.

Algorithm: a sliding-window counter. Each client has one Redis hash holding the count of
the current fixed window and of the previous one; a request is allowed while
``previous × (share of the previous window still inside the sliding window) + current``
stays under the limit. One Lua script reads, decides and writes, so concurrent requests
in several processes cannot overshoot, and Redis' own clock (``TIME``) is the only clock.

Controls, read from Redis at most once a second (defaults from settings):

* ``rate_limit:max_requests`` (120) and ``rate_limit:window_seconds`` (60): changed with
  ``redis-cli SET`` or ``POST /admin/rate-limits``, in force from the next window.
* ``rate_limit:strict_mode`` = ``"true"``: the regime for an attack. A client that goes
  over the limit is blocked for ``rate_limit:penalty_seconds`` (default 300): every request
  in that time is refused at once, and waiting out one window no longer lets it back in.
  Lowering ``max_requests`` (the runbook's "reduce to 60") works together with it.

When Redis is down the limiter falls back to the same algorithm kept in this process's
memory (so each replica enforces the limit on its own) and says so; it never fails a
request. The embedded default (one process, no Redis) counts in memory from the start:
with a single process that is exact, and it spares every request a trip through the
in-process Redis' Lua interpreter.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import structlog

from agente.errors import InvalidControlError, RedisUnavailableError
from agente.storage.redis import RedisStore

log = structlog.stdlib.get_logger("agente.rate_limit")

MAX_REQUESTS_KEY = "rate_limit:max_requests"
WINDOW_KEY = "rate_limit:window_seconds"
STRICT_KEY = "rate_limit:strict_mode"
PENALTY_KEY = "rate_limit:penalty_seconds"
CLIENT_KEY = "rate_limit:client:"
BLOCKED_KEY = "rate_limit:penalty:"

# KEYS[1] client hash, KEYS[2] penalty key; ARGV max, window (s), strict (0/1), penalty (s).
# Returns {allowed, remaining, reset_ms, retry_after_ms}.
_SCRIPT = """
local max = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2]) * 1000
local strict = ARGV[3] == '1'
local penalty_ms = tonumber(ARGV[4]) * 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if strict then
  local left = redis.call('PTTL', KEYS[2])
  if left > 0 then return {0, 0, left, left} end
end
local index = math.floor(now / window_ms)
local stored = redis.call('HMGET', KEYS[1], 'w', 'c', 'p', 'len')
local w, c, p = tonumber(stored[1]), tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
if w == nil or tonumber(stored[4]) ~= window_ms then
  c, p = 0, 0
elseif w == index - 1 then
  p, c = c, 0
elseif w ~= index then
  c, p = 0, 0
end
local elapsed = (now - index * window_ms) / window_ms
local estimate = p * (1 - elapsed) + c
local reset = window_ms - (now - index * window_ms)
if estimate + 1 > max then
  local retry = reset
  if p > 0 and c < max then
    retry = math.ceil(((p + c + 1 - max) / p) * window_ms - (now - index * window_ms))
    if retry < 1 then retry = 1 end
  end
  if strict then
    redis.call('SET', KEYS[2], '1', 'PX', penalty_ms)
    retry = penalty_ms
  end
  redis.call('HSET', KEYS[1], 'w', index, 'c', c, 'p', p, 'len', window_ms)
  redis.call('PEXPIRE', KEYS[1], window_ms * 2)
  return {0, 0, reset, retry}
end
c = c + 1
redis.call('HSET', KEYS[1], 'w', index, 'c', c, 'p', p, 'len', window_ms)
redis.call('PEXPIRE', KEYS[1], window_ms * 2)
return {1, math.max(0, math.floor(max - estimate - 1)), reset, 0}
"""


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    max_requests: int
    window_seconds: int
    strict_mode: bool
    penalty_seconds: int


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    remaining: int
    reset_seconds: int
    retry_after_seconds: int
    policy: LimitPolicy
    backend: Literal["redis", "local"]


def _positive_int(raw: str | None, default: int, name: str) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        log.warning("rate limit: unreadable control value, using default", key=name, value=raw[:50])
        return default
    return value if value > 0 else default


class LocalWindow:
    """The same sliding-window counter in this process's memory: the Redis-down fallback."""

    def __init__(self, clock: Callable[[], float] = time.time, capacity: int = 100_000) -> None:
        self._clock = clock
        self._capacity = capacity
        self._clients: OrderedDict[str, tuple[int, int, int]] = OrderedDict()
        # Penalties end in the order they were given (one penalty length at a time), so the
        # oldest, dropped first when full, is the one closest to its end.
        self._penalties: OrderedDict[str, float] = OrderedDict()

    def hit(self, client: str, policy: LimitPolicy) -> tuple[bool, int, int, int]:
        now_ms = int(self._clock() * 1000)
        until = self._penalties.get(client)
        if until is not None and until <= now_ms:
            del self._penalties[client]
        elif until is not None and policy.strict_mode:
            left = int(until - now_ms)
            return False, 0, left, left
        window_ms = policy.window_seconds * 1000
        index = now_ms // window_ms
        w, c, p = self._clients.pop(client, (index, 0, 0))
        if w == index - 1:
            p, c = c, 0
        elif w != index:
            c, p = 0, 0
        into = now_ms - index * window_ms
        estimate = p * (1 - into / window_ms) + c
        reset = window_ms - into
        allowed = estimate + 1 <= policy.max_requests
        if allowed:
            c += 1
        self._clients[client] = (index, c, p)
        while len(self._clients) > self._capacity:
            self._clients.popitem(last=False)
        if allowed:
            return True, max(0, math.floor(policy.max_requests - estimate - 1)), reset, 0
        retry = reset
        if policy.strict_mode:
            self._penalties[client] = now_ms + policy.penalty_seconds * 1000
            while len(self._penalties) > self._capacity:
                self._penalties.popitem(last=False)
            retry = policy.penalty_seconds * 1000
        return False, 0, reset, retry


class RateLimiter:
    def __init__(
        self,
        redis: RedisStore,
        *,
        default_max_requests: int,
        default_window_seconds: int,
        default_penalty_seconds: int,
        refresh_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        local: LocalWindow | None = None,
    ) -> None:
        self.redis = redis
        self.defaults = LimitPolicy(default_max_requests, default_window_seconds, False, default_penalty_seconds)
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._policy = self.defaults
        self._read_at = float("-inf")
        self._local = local or LocalWindow()
        self._script = redis.client.register_script(_SCRIPT)
        self.backend: Literal["redis", "local"] = "local" if redis.embedded else "redis"

    async def policy(self, *, force: bool = False) -> LimitPolicy:
        """The limits in force: Redis' values, re-read at most once a second."""
        if force or self._clock() - self._read_at >= self.refresh_seconds:
            self._read_at = self._clock()
            keys = [self.redis.key(k) for k in (MAX_REQUESTS_KEY, WINDOW_KEY, STRICT_KEY, PENALTY_KEY)]
            try:
                raw = await self.redis.mget(keys)
            except RedisUnavailableError:
                return self._policy
            self._policy = LimitPolicy(
                max_requests=_positive_int(raw[0], self.defaults.max_requests, MAX_REQUESTS_KEY),
                window_seconds=_positive_int(raw[1], self.defaults.window_seconds, WINDOW_KEY),
                strict_mode=(raw[2] or "").strip().lower() in {"true", "1", "yes", "on"},
                penalty_seconds=_positive_int(raw[3], self.defaults.penalty_seconds, PENALTY_KEY),
            )
        return self._policy

    async def hit(self, client: str) -> Decision:
        """Count one request of ``client`` and say whether it may proceed."""
        policy = await self.policy()
        args = [policy.max_requests, policy.window_seconds, int(policy.strict_mode), policy.penalty_seconds]
        keys = [self.redis.key(CLIENT_KEY + client), self.redis.key(BLOCKED_KEY + client)]
        try:
            if self.redis.embedded:
                raise RedisUnavailableError("embedded: counted in this process")
            result = await self.redis.call(lambda r: self._script(keys=keys, args=args, client=r))
            allowed, remaining, reset_ms, retry_ms = (int(v) for v in result)
            self._note_backend("redis")
        except RedisUnavailableError:
            ok, remaining, reset_ms, retry_ms = self._local.hit(client, policy)
            allowed = int(ok)
            self._note_backend("local")
        return Decision(
            allowed=bool(allowed),
            remaining=remaining,
            reset_seconds=max(1, math.ceil(reset_ms / 1000)),
            retry_after_seconds=max(1, math.ceil(retry_ms / 1000)) if not allowed else 0,
            policy=policy,
            backend=self.backend,
        )

    def _note_backend(self, backend: Literal["redis", "local"]) -> None:
        if backend != self.backend:
            if backend == "local":
                log.warning("rate limiter: redis unavailable, limiting per process")
            else:
                log.info("rate limiter: redis is back, limits shared again")
            self.backend = backend

    async def update(
        self,
        *,
        max_requests: int | None = None,
        window_seconds: int | None = None,
        strict_mode: bool | None = None,
        penalty_seconds: int | None = None,
    ) -> tuple[LimitPolicy, LimitPolicy]:
        """Write new controls for every process; return the policy before and after."""
        for name, value in (
            ("max_requests", max_requests),
            ("window_seconds", window_seconds),
            ("penalty_seconds", penalty_seconds),
        ):
            if value is not None and value <= 0:
                raise InvalidControlError(f"{name} must be a positive whole number, not {value}")
        before = await self.policy(force=True)
        writes = {
            MAX_REQUESTS_KEY: max_requests,
            WINDOW_KEY: window_seconds,
            PENALTY_KEY: penalty_seconds,
            STRICT_KEY: None if strict_mode is None else ("true" if strict_mode else "false"),
        }
        mapping = {self.redis.key(k): str(v) for k, v in writes.items() if v is not None}
        if mapping:
            await self.redis.call(lambda r: r.mset(mapping))
        return before, await self.policy(force=True)
