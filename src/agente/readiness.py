"""Readiness and the self test: every dependency check, in one place, fed by the parts.

``/health/ready`` (and the worker's), ``/metrics``, ``POST /api/test`` and ``agente health``
all come from :class:`HealthChecks`, built by the composition root from the parts it checks:
the database's schema probe, the Redis store, the PMS client and its breaker controls.

Each check returns a :class:`DependencyHealth` and never raises: a dependency that fails or
does not answer within ``HEALTH_CHECK_TIMEOUT`` is reported, with the reason, rather than
failing the caller. The overall status is the worst one that matters:

=========== ====================== =========================================
dependency   when it fails          overall (HTTP)
=========== ====================== =========================================
postgres     ``unhealthy``          ``unhealthy`` (503): nothing can be stored
redis        ``unhealthy``          ``degraded`` (200): served from local fallbacks
pms          ``degraded``           ``degraded`` (200): breaker open or probe failing;
                                    guests get fallback quotes or staff
=========== ====================== =========================================

Unlike readiness, which only asks each dependency whether it answers, the self test
(:class:`SelfTest`) does real work through each part the way a guest's message would: it
reads the schema revision; writes, reads back and deletes a key in Redis; reads the room
types live from the PMS through its breaker; and understands a known booking request.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from agente.conversation.nlu.parser import NluParser
from agente.errors import DependencyUnavailableError, RedisUnavailableError
from agente.observability.metrics import Metrics
from agente.pms.errors import PmsError
from agente.pms.resilience.breaker import State
from agente.pms.resilience.controls import BreakerControls
from agente.pms.types import PmsHealth
from agente.storage.redis import RedisStore
from agente.storage.schema import UPGRADE_HINT, SchemaProbe


class Status(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class DependencyHealth(BaseModel):
    status: Status
    latency_ms: float
    detail: str
    info: dict[str, Any] = {}


class Readiness(BaseModel):
    status: Status
    version: str
    shutting_down: bool
    dependencies: dict[str, DependencyHealth]
    # Where live controls currently come from: "redis", or the local fallback in use.
    controls: dict[str, str]


class StepResult(BaseModel):
    status: Literal["ok", "error"]
    latency_ms: float
    detail: str


class SelfTestResult(BaseModel):
    status: Literal["success", "failure"]
    message: str
    failed: list[str]
    checks: dict[str, StepResult]


class LivePms(Protocol):
    """What the checks ask of the PMS client (``ResilientPms``)."""

    @property
    def kind(self) -> str: ...

    async def health(self) -> PmsHealth:
        """The adapter's own cheap probe; never raises."""
        ...

    async def round_trip(self) -> int:
        """One live read through the breaker, bypassing the cache; the room types seen."""
        ...


# Which dependencies may fail while the service keeps serving (degraded, not unhealthy).
_SOFT = frozenset({"redis", "pms"})


@dataclass(frozen=True, slots=True)
class HealthChecks:
    schema: SchemaProbe
    redis: RedisStore
    pms: LivePms
    breaker: BreakerControls
    metrics: Metrics
    # HEALTH_CHECK_TIMEOUT: how long one check may take.
    timeout: float

    async def _timed(self, name: str, probe: Callable[[], Awaitable[tuple[str, dict[str, Any]]]]) -> DependencyHealth:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                detail, info = await probe()
            status, ok = Status.HEALTHY, True
        except TimeoutError:
            detail, info, status, ok = f"no answer within {self.timeout:g}s", {}, Status.UNHEALTHY, False
        except DependencyUnavailableError as exc:
            detail, info, status, ok = str(exc), {}, Status.UNHEALTHY, False
        elapsed = time.perf_counter() - started
        self.metrics.dependency_up.labels(name).set(1 if ok else 0)
        self.metrics.dependency_latency.labels(name).observe(elapsed)
        return DependencyHealth(status=status, latency_ms=round(elapsed * 1000, 2), detail=detail, info=info)

    def _require_head(self, revision: str | None) -> None:
        if revision != self.schema.head:
            raise DependencyUnavailableError(
                f"schema at revision {revision or 'none'}, code expects {self.schema.head}: {UPGRADE_HINT}"
            )

    async def schema_revision(self) -> str | None:
        """The database's revision when it is the one this code expects; else
        :class:`DependencyUnavailableError` saying what to run."""
        revision = await self.schema.revision()
        self._require_head(revision)
        return revision

    async def database(self) -> DependencyHealth:
        async def probe() -> tuple[str, dict[str, Any]]:
            backend = self.schema.backend
            revision = await self.schema.revision()
            info: dict[str, Any] = {"backend": backend, "schema_revision": revision, "schema_head": self.schema.head}
            self._require_head(revision)
            where = "embedded SQLite file" if backend == "sqlite" else "PostgreSQL"
            return f"{where} answering, schema up to date", info

        return await self._timed("postgres", probe)

    async def redis_store(self) -> DependencyHealth:
        async def probe() -> tuple[str, dict[str, Any]]:
            await self.redis.ping()
            if self.redis.embedded:
                return "in-process store (REDIS_URL unset)", {"embedded": True}
            return "Redis answering", {"embedded": False}

        return await self._timed("redis", probe)

    async def pms_client(self) -> DependencyHealth:
        """The breaker's shared state plus the adapter's own probe. An open breaker or a failing
        probe is ``degraded``: the service answers on (fallback, handoff) without the PMS."""
        started = time.perf_counter()
        snapshot = await self.breaker.snapshot()
        probe = await self.pms.health()
        state = snapshot.state.name.lower()
        info: dict[str, Any] = {"type": self.pms.kind, "circuit_breaker": state, "failures": snapshot.failures}
        ok = probe.ok and snapshot.state is State.CLOSED
        self.metrics.dependency_up.labels("pms").set(1 if ok else 0)
        detail = f"{probe.detail}; circuit breaker {state}"
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return DependencyHealth(
            status=Status.HEALTHY if ok else Status.DEGRADED, latency_ms=elapsed, detail=detail, info=info
        )

    async def scrape(self) -> bytes:
        """The Prometheus text for a scrape of this process, with the shared state read first:
        the PMS breaker (kept in Redis, so a process reports the state another one set) and
        ``dependency_up`` for the database and Redis (current without anyone calling
        ``/health/ready``)."""
        await self.breaker.snapshot()
        await asyncio.gather(self.database(), self.redis_store())
        return self.metrics.exposition()

    async def readiness(self, *, version: str, shutting_down: bool) -> Readiness:
        postgres, redis, pms = await asyncio.gather(self.database(), self.redis_store(), self.pms_client())
        dependencies = {"postgres": postgres, "redis": redis, "pms": pms}
        if shutting_down:
            overall = Status.UNHEALTHY
        elif any(d.status is Status.UNHEALTHY for n, d in dependencies.items() if n not in _SOFT):
            overall = Status.UNHEALTHY
        elif any(d.status is not Status.HEALTHY for d in dependencies.values()):
            overall = Status.DEGRADED
        else:
            overall = Status.HEALTHY
        redis_ok = redis.status is Status.HEALTHY
        if self.redis.embedded:
            controls = {"rate_limiter": "in-process (embedded)", "feature_flags": "in-process (embedded)"}
        else:
            controls = {
                "rate_limiter": "redis" if redis_ok else "per-process fallback",
                "feature_flags": "redis" if redis_ok else "last known values",
            }
        return Readiness(
            status=overall, version=version, shutting_down=shutting_down, dependencies=dependencies, controls=controls
        )


_PROBE = "quiero reservar del 12 al 15 de diciembre para 2 adultos"


@dataclass(frozen=True, slots=True)
class SelfTest:
    checks: HealthChecks
    nlu: NluParser
    # Today in the hotel's time zone (what the conversation resolves dates against).
    today: Callable[[], date]

    async def _database(self) -> str:
        return f"read schema revision {await self.checks.schema_revision()}"

    async def _redis(self) -> str:
        store = self.checks.redis
        key = store.key(f"selftest:{uuid.uuid4().hex}")
        token = uuid.uuid4().hex
        await store.call(lambda r: r.set(key, token, px=10_000))
        echoed = await store.call(lambda r: r.get(key))
        await store.call(lambda r: r.delete(key))
        if echoed != token:
            raise RedisUnavailableError("redis returned a different value than was written")
        return "wrote, read back and deleted a key"

    async def _pms(self) -> str:
        pms = self.checks.pms
        try:
            count = await pms.round_trip()
        except PmsError as exc:
            raise DependencyUnavailableError(f"pms: {exc}") from exc
        return f"read {count} room types from the {pms.kind} PMS"

    async def _nlu(self) -> str:
        parsed = await self.nlu.parse(_PROBE, previous=None, today=self.today())
        entities = parsed.entities
        if parsed.language != "es" or entities.adults != 2 or entities.check_in is None or entities.nights != 3:
            raise DependencyUnavailableError(f"nlu: understood {parsed.intent.name} {entities} from a known sentence")
        return f"understood a booking request ({parsed.intent.name}, {parsed.intent.confidence:.2f})"

    async def run(self, message: str) -> SelfTestResult:
        steps: dict[str, Callable[[], Awaitable[str]]] = {
            "database": self._database,
            "redis": self._redis,
            "nlu": self._nlu,
            "pms": self._pms,
        }
        timeout = self.checks.timeout
        results: dict[str, StepResult] = {}
        for name, step in steps.items():
            started = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    detail = await step()
                status: Literal["ok", "error"] = "ok"
            except TimeoutError:
                status, detail = "error", f"no answer within {timeout:g}s"
            except DependencyUnavailableError as exc:
                status, detail = "error", str(exc)
            results[name] = StepResult(
                status=status, latency_ms=round((time.perf_counter() - started) * 1000, 2), detail=detail
            )
        failed = [name for name, result in results.items() if result.status == "error"]
        return SelfTestResult(status="failure" if failed else "success", message=message, failed=failed, checks=results)
