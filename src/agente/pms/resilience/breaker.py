"""The PMS circuit breaker, shared by every process through Redis.

::

          failures ≥ threshold                 recovery_timeout passed
    CLOSED ─────────────────────▶ OPEN ──────────────────────────────▶ HALF_OPEN
      ▲                            ▲                                     │  │
      │                            └──────── a probe fails ──────────────┘  │
      └───────────────────────── a probe succeeds ──────────────────────────┘

* CLOSED: calls go through; consecutive unavailability errors (timeouts, 5xx, refused
  connections) are counted, a success resets the count. A rejection (the PMS answering
  "no") is a success: the PMS is alive.
* OPEN: calls are refused at once with :class:`CircuitOpenError`; no guest waits on a
  dead PMS.
* HALF_OPEN: up to ``half_open_max_calls`` probe calls go through; the others are
  refused. A successful probe closes the breaker, a failed one re-opens it. A probe that
  never reports back (its process died) is forgotten after ``recovery_timeout``.

The transition rules are pure functions of (state, time, config) — tests drive them with
a fake clock. The state is one Redis hash (``pms:breaker:state``) updated with optimistic
transactions (``WATCH``), so all replicas agree; when Redis does not answer, each process
carries on with its own copy. Thresholds come from settings (``PMS_CB_*``) and can be
changed at runtime (``pms:breaker:config``, admin API) without a restart.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from enum import IntEnum
from typing import Any, TypeVar

import structlog
from redis.exceptions import WatchError

from agente.errors import InvalidControlError, RedisUnavailableError
from agente.observability.metrics import Metrics
from agente.pms.errors import CircuitOpenError, PmsError, PmsUnavailableError
from agente.storage.redis import RedisClient, RedisStore, text_of

log = structlog.stdlib.get_logger("agente.pms.breaker")

T = TypeVar("T")
STATE_KEY = "pms:breaker:state"
CONFIG_KEY = "pms:breaker:config"


class State(IntEnum):
    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    failure_threshold: int = 5
    recovery_timeout: float = 30.0
    half_open_max_calls: int = 1

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.half_open_max_calls < 1:
            raise InvalidControlError("failure_threshold and half_open_max_calls must be ≥ 1")
        if not (math.isfinite(self.recovery_timeout) and self.recovery_timeout > 0):
            raise InvalidControlError("recovery_timeout must be a finite number of seconds above 0")


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: State = State.CLOSED
    failures: int = 0
    # When the breaker opened (OPEN) or went half-open (HALF_OPEN), in epoch seconds.
    since: float = 0.0
    probes: int = 0

    def encode(self) -> dict[str, str]:
        return {
            "state": str(int(self.state)),
            "failures": str(self.failures),
            "since": repr(self.since),
            "probes": str(self.probes),
        }

    @classmethod
    def decode(cls, raw: dict[str, str]) -> Snapshot:
        if not raw:
            return cls()
        return cls(
            State(int(raw.get("state", 0))),
            int(raw.get("failures", 0)),
            float(raw.get("since", 0.0)),
            int(raw.get("probes", 0)),
        )


class Admission(IntEnum):
    ALLOW = 0
    PROBE = 1
    REJECT = 2


def admit(s: Snapshot, now: float, cfg: BreakerConfig) -> tuple[Snapshot, Admission]:
    """Whether a call may go ahead now, and the state after deciding."""
    if s.state is State.CLOSED:
        return s, Admission.ALLOW
    if s.state is State.OPEN:
        if now - s.since < cfg.recovery_timeout:
            return s, Admission.REJECT
        return Snapshot(State.HALF_OPEN, s.failures, now, 1), Admission.PROBE
    if s.probes >= cfg.half_open_max_calls:
        if now - s.since < cfg.recovery_timeout:
            return s, Admission.REJECT
        s = replace(s, since=now, probes=0)  # earlier probes never reported back
    return replace(s, probes=s.probes + 1), Admission.PROBE


def record(s: Snapshot, ok: bool, now: float, cfg: BreakerConfig) -> Snapshot:
    """The state after a call that was let through ended (``ok``: the PMS answered)."""
    if s.state is State.HALF_OPEN:
        return Snapshot() if ok else Snapshot(State.OPEN, s.failures + 1, now, 0)
    if s.state is State.OPEN:
        return s  # a call admitted before another process opened it: the breaker already knows
    if ok:
        return s if s.failures == 0 else Snapshot()
    failures = s.failures + 1
    return (
        Snapshot(State.OPEN, failures, now, 0) if failures >= cfg.failure_threshold else replace(s, failures=failures)
    )


class CircuitBreaker:
    def __init__(
        self,
        redis: RedisStore,
        metrics: Metrics,
        defaults: BreakerConfig,
        *,
        clock: Callable[[], float] = time.time,
        config_refresh_seconds: float = 1.0,
        refusal_log_interval: float = 10.0,
    ) -> None:
        self.redis = redis
        self.metrics = metrics
        self.defaults = defaults
        self._clock = clock
        self._config = defaults
        self._config_read_at = float("-inf")
        self._config_refresh = config_refresh_seconds
        self._ignored_config: dict[str, str] | None = None
        self._local = Snapshot()
        self._last_refusal_log = float("-inf")
        self._refusals_since_log = 0
        self._refusal_log_interval = refusal_log_interval
        self._state_key = redis.key(STATE_KEY)
        self._config_key = redis.key(CONFIG_KEY)

    @property
    def current_config(self) -> BreakerConfig:
        """The thresholds as last read (call :meth:`config` to refresh)."""
        return self._config

    async def config(self) -> BreakerConfig:
        if self._clock() - self._config_read_at >= self._config_refresh:
            self._config_read_at = self._clock()
            try:
                raw = await self.redis.hgetall(self._config_key)
            except RedisUnavailableError:
                return self._config
            try:
                self._config = BreakerConfig(
                    failure_threshold=int(raw.get("failure_threshold", self.defaults.failure_threshold)),
                    recovery_timeout=float(raw.get("recovery_timeout", self.defaults.recovery_timeout)),
                    half_open_max_calls=int(raw.get("half_open_max_calls", self.defaults.half_open_max_calls)),
                )
            except (ValueError, InvalidControlError) as exc:
                # Written by hand (redis-cli) and unusable: the PMS calls go on with what was in force,
                # and the log says so once per bad value, not at every refresh.
                if raw != self._ignored_config:
                    self._ignored_config = raw
                    log.warning("circuit breaker config in Redis ignored", key=CONFIG_KEY, reason=str(exc))
        return self._config

    async def configure(
        self,
        *,
        failure_threshold: int | None = None,
        recovery_timeout: float | None = None,
        half_open_max_calls: int | None = None,
    ) -> tuple[BreakerConfig, BreakerConfig]:
        """Change thresholds for every process; return the config before and after."""
        self._config_read_at = float("-inf")
        before = await self.config()
        after = BreakerConfig(  # validates
            failure_threshold=before.failure_threshold if failure_threshold is None else failure_threshold,
            recovery_timeout=before.recovery_timeout if recovery_timeout is None else recovery_timeout,
            half_open_max_calls=before.half_open_max_calls if half_open_max_calls is None else half_open_max_calls,
        )
        mapping: dict[Any, Any] = {k: str(v) for k, v in asdict(after).items()}
        await self.redis.call(lambda r: r.hset(self._config_key, mapping=mapping))
        self._config, self._config_read_at = after, self._clock()
        return before, after

    async def _transition(self, step: Callable[[Snapshot], tuple[Snapshot, T]]) -> tuple[Snapshot, T]:
        """Apply ``step`` to the shared state atomically (the local copy when Redis is down)."""
        try:
            current = Snapshot.decode(await self.redis.hgetall(self._state_key))
            new, result = step(current)
            if new != current:
                new, result = await self.redis.call(lambda r: self._watched(r, step))
        except RedisUnavailableError:
            current = self._local
            new, result = step(current)
        self._observe(current, new)
        self._local = new
        return new, result

    async def _watched(self, client: RedisClient, step: Callable[[Snapshot], tuple[Snapshot, T]]) -> tuple[Snapshot, T]:
        async with client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self._state_key)
                    raw: dict[Any, Any] = await pipe.hgetall(self._state_key)
                    current = Snapshot.decode({text_of(k): text_of(v) for k, v in raw.items()})
                    new, result = step(current)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    encoded: dict[Any, Any] = new.encode()
                    pipe.hset(self._state_key, mapping=encoded)
                    await pipe.execute()
                    return new, result
                except WatchError:
                    continue  # another process changed it first: decide again on its state

    def _observe(self, before: Snapshot, after: Snapshot) -> None:
        self.metrics.pms_breaker_state.set(int(after.state))
        if before.state != after.state:
            level = log.warning if after.state is State.OPEN else log.info
            level(
                "circuit breaker state changed",
                breaker="pms",
                before=before.state.name,
                after=after.state.name,
                failures=after.failures,
            )

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` through the breaker.

        Raises :class:`CircuitOpenError` without running it while the breaker is open;
        otherwise runs it and records whether the PMS answered.
        """
        cfg = await self.config()
        now = self._clock()
        snapshot, admission = await self._transition(lambda s: admit(s, now, cfg))
        if admission is Admission.REJECT:
            self.metrics.pms_breaker_calls.labels("rejected").inc()
            retry_in = max(0.0, snapshot.since + cfg.recovery_timeout - now)
            self._log_refusal(retry_in)
            raise CircuitOpenError(retry_in)
        try:
            result = await operation()
        except PmsUnavailableError:
            await self._record(False, cfg)
            raise
        except PmsError:
            await self._record(True, cfg)  # the PMS answered: it is alive
            raise
        await self._record(True, cfg)
        return result

    async def _record(self, ok: bool, cfg: BreakerConfig) -> None:
        self.metrics.pms_breaker_calls.labels("success" if ok else "failure").inc()
        now = self._clock()

        def step(s: Snapshot) -> tuple[Snapshot, None]:
            return record(s, ok, now, cfg), None

        await self._transition(step)

    def _log_refusal(self, retry_in: float) -> None:
        self._refusals_since_log += 1
        now = self._clock()
        if now - self._last_refusal_log >= self._refusal_log_interval:
            log.warning(
                "Circuit breaker is OPEN",
                breaker="pms",
                refused_calls=self._refusals_since_log,
                retry_in_seconds=round(retry_in, 1),
            )
            self._last_refusal_log = now
            self._refusals_since_log = 0

    @property
    def state(self) -> State:
        """The state as this process last saw it (no round trip to Redis)."""
        return self._local.state

    async def snapshot(self) -> Snapshot:
        """The shared state as it stands (read-only; the gauge follows it)."""
        try:
            current = Snapshot.decode(await self.redis.hgetall(self._state_key))
        except RedisUnavailableError:
            current = self._local
        self.metrics.pms_breaker_state.set(int(current.state))
        return current

    async def reset(self) -> tuple[Snapshot, Snapshot]:
        """Close the breaker now, for every process."""
        return await self._transition(lambda s: (Snapshot(), s))
