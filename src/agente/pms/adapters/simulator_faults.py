"""Faults the PMS simulator can be told to show, so operators can rehearse the runbook.

``latency_ms`` delays every call, ``failure_rate`` (0–1) fails that share of calls as a
5xx would, ``down`` refuses every call as a dead host would. The setting lives in Redis
(``pms:simulator:faults``), re-read at most once a second, so ``agente pms simulate`` or
``POST /admin/pms/simulator`` reach every process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from agente.errors import InvalidControlError, RedisUnavailableError
from agente.storage.redis import RedisStore

FAULTS_KEY = "pms:simulator:faults"


@dataclass(frozen=True, slots=True)
class SimulatorFaults:
    latency_ms: int = 0
    failure_rate: float = 0.0
    down: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.latency_ms <= 120_000:
            raise InvalidControlError("latency_ms must be between 0 and 120000")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise InvalidControlError("failure_rate must be between 0 and 1")


class FaultSwitch:
    """Reads and writes the simulator's faults for every process."""

    def __init__(self, redis: RedisStore, *, refresh_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.redis = redis
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._current = SimulatorFaults()
        self._read_at = float("-inf")

    async def current(self) -> SimulatorFaults:
        if self._clock() - self._read_at >= self.refresh_seconds:
            self._read_at = self._clock()
            try:
                (raw,) = await self.redis.mget([self.redis.key(FAULTS_KEY)])
            except RedisUnavailableError:
                return self._current
            self._current = SimulatorFaults(**json.loads(raw)) if raw else SimulatorFaults()
        return self._current

    async def set(self, faults: SimulatorFaults) -> SimulatorFaults:
        key = self.redis.key(FAULTS_KEY)
        await self.redis.call(lambda r: r.set(key, json.dumps(asdict(faults))))
        self._current, self._read_at = faults, self._clock()
        return faults
