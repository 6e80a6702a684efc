"""Feature flags, live from Redis.

A flag's value is the string ``"true"`` or ``"false"`` under ``feature_flags:<name>``, so
the runbook's ``redis-cli SET "feature_flags:pms.fallback.enabled" "true"`` and
``POST /admin/feature-flags`` change the same thing. Values are re-read from Redis at most
once a second (one ``MGET`` for every flag), so a change takes effect within that second
in every process, without a restart.

Evaluation never fails a request. When Redis does not answer, each flag keeps its last
known value (or its default, if it was never read) and :meth:`FeatureFlags.states` says
so in ``source``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from agente.errors import RedisUnavailableError
from agente.ops.errors import UnknownFlagError
from agente.storage.redis import RedisStore

log = structlog.stdlib.get_logger("agente.flags")

KEY_PREFIX = "feature_flags:"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class FlagDefinition:
    name: str
    default: bool
    description: str


# Every flag the service knows, declared once. A name not listed here is refused.
KNOWN_FLAGS: dict[str, FlagDefinition] = {
    flag.name: flag
    for flag in (
        FlagDefinition(
            "pms.fallback.enabled",
            False,
            "While the PMS is unreachable, quote from the last known availability (marked as to be "
            "confirmed) and keep booking requests as pending instead of handing guests to staff.",
        ),
        FlagDefinition(
            "bookings.enabled",
            True,
            "Kill switch: when false the agent takes no new bookings (quotes and answers go on; "
            "guests who ask to book are handed to staff).",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class FlagState:
    name: str
    enabled: bool
    default: bool
    # "redis": read from Redis now; "default": no value in Redis (or an unreadable one);
    # "last_known": Redis is not answering, this is the value it last had.
    source: str
    description: str
    detail: str | None = None


def parse_flag_value(raw: str) -> bool | None:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class FeatureFlags:
    def __init__(
        self,
        redis: RedisStore,
        *,
        refresh_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        definitions: dict[str, FlagDefinition] | None = None,
    ) -> None:
        self.redis = redis
        self.refresh_seconds = refresh_seconds
        self.definitions = definitions or KNOWN_FLAGS
        self._clock = clock
        self._raw: dict[str, str | None] = {}
        self._read_at = float("-inf")
        self._redis_error: str | None = None
        self._ever_read = False

    def definition(self, name: str) -> FlagDefinition:
        try:
            return self.definitions[name]
        except KeyError:
            raise UnknownFlagError(name, sorted(self.definitions)) from None

    async def _refresh(self, *, force: bool = False) -> None:
        if not force and self._clock() - self._read_at < self.refresh_seconds:
            return
        self._read_at = self._clock()
        names = list(self.definitions)
        keys = [self.redis.key(KEY_PREFIX + name) for name in names]
        try:
            values = await self.redis.mget(keys)
        except RedisUnavailableError as exc:
            if self._redis_error is None:
                log.warning("feature flags: redis unavailable, using last known values", error=str(exc))
            self._redis_error = str(exc)
            return
        self._raw = dict(zip(names, values, strict=True))
        self._redis_error = None
        self._ever_read = True

    async def is_enabled(self, name: str) -> bool:
        """The flag's value now; raises :class:`UnknownFlagError` for an undeclared name."""
        definition = self.definition(name)
        await self._refresh()
        return self._state(definition).enabled

    async def states(self) -> list[FlagState]:
        """Every declared flag, with its value, default and where the value came from."""
        await self._refresh()
        return [self._state(d) for d in self.definitions.values()]

    def _state(self, definition: FlagDefinition) -> FlagState:
        def state(enabled: bool, source: str, detail: str | None = None) -> FlagState:
            return FlagState(definition.name, enabled, definition.default, source, definition.description, detail)

        raw = self._raw.get(definition.name)
        parsed = parse_flag_value(raw) if raw is not None else None
        if self._redis_error is not None:
            if not self._ever_read:
                return state(definition.default, "default", f"redis unavailable: {self._redis_error}")
            value = definition.default if parsed is None else parsed
            return state(value, "last_known", f"redis unavailable: {self._redis_error}")
        if raw is None:
            return state(definition.default, "default")
        if parsed is None:
            return state(definition.default, "default", f"unreadable value {raw!r} in Redis; expected true or false")
        return state(parsed, "redis")

    async def set(self, name: str, enabled: bool) -> tuple[FlagState, FlagState]:
        """Store a value for every process; return the state before and after.

        Raises :class:`RedisUnavailableError` when Redis cannot take the write.
        """
        definition = self.definition(name)
        await self._refresh(force=True)
        before = self._state(definition)
        key = self.redis.key(KEY_PREFIX + name)
        await self.redis.call(lambda r: r.set(key, "true" if enabled else "false"))
        await self._refresh(force=True)
        return before, self._state(definition)

    @property
    def backend(self) -> str:
        return "redis" if self._redis_error is None else "last_known"
