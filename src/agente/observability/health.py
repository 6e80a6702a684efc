"""Dependency checks behind ``/health/ready``, ``/api/test`` and ``agente health``.

Each check returns a :class:`DependencyHealth` and never raises: a dependency that fails
or does not answer within ``HEALTH_CHECK_TIMEOUT`` is reported, with the reason, rather
than failing the caller. The overall status is the worst one that matters:

=========== ====================== =========================================
dependency   when it fails          overall (HTTP)
=========== ====================== =========================================
postgres     ``unhealthy``          ``unhealthy`` (503): nothing can be stored
redis        ``unhealthy``          ``degraded`` (200): served from local fallbacks
pms          ``degraded``           ``degraded`` (200): breaker open or probe failing;
                                    guests get fallback quotes or staff
=========== ====================== =========================================
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from agente.errors import DependencyUnavailableError
from agente.pms.resilience.breaker import State
from agente.storage import db

if TYPE_CHECKING:
    from agente.container import Container


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


# Which dependencies may fail while the service keeps serving (degraded, not unhealthy).
_SOFT = frozenset({"redis", "pms"})


async def _timed(
    name: str, container: Container, probe: Callable[[], Awaitable[tuple[str, dict[str, Any]]]]
) -> DependencyHealth:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(container.settings.health_check_timeout):
            detail, info = await probe()
        status, ok = Status.HEALTHY, True
    except TimeoutError:
        detail, info, status, ok = (
            f"no answer within {container.settings.health_check_timeout:g}s",
            {},
            Status.UNHEALTHY,
            False,
        )
    except DependencyUnavailableError as exc:
        detail, info, status, ok = str(exc), {}, Status.UNHEALTHY, False
    elapsed = time.perf_counter() - started
    container.metrics.dependency_up.labels(name).set(1 if ok else 0)
    container.metrics.dependency_latency.labels(name).observe(elapsed)
    return DependencyHealth(status=status, latency_ms=round(elapsed * 1000, 2), detail=detail, info=info)


async def check_database(container: Container) -> DependencyHealth:
    async def probe() -> tuple[str, dict[str, Any]]:
        revision = await db.ping(container.engine)
        backend = db.backend_name(container.engine)
        info: dict[str, Any] = {"backend": backend, "schema_revision": revision, "schema_head": container.schema_head}
        if revision != container.schema_head:
            raise DependencyUnavailableError(
                f"schema at revision {revision or 'none'}, code expects {container.schema_head}: "
                "run 'agente db upgrade'"
            )
        where = "embedded SQLite file" if backend == "sqlite" else "PostgreSQL"
        return f"{where} answering, schema up to date", info

    return await _timed("postgres", container, probe)


async def check_redis(container: Container) -> DependencyHealth:
    async def probe() -> tuple[str, dict[str, Any]]:
        await container.redis.ping()
        if container.redis.embedded:
            return "in-process store (REDIS_URL unset)", {"embedded": True}
        return "Redis answering", {"embedded": False}

    return await _timed("redis", container, probe)


async def check_pms(container: Container) -> DependencyHealth:
    """The breaker's shared state plus the adapter's own probe. An open breaker or a failing
    probe is ``degraded``: the service answers on (fallback, handoff) without the PMS."""
    started = time.perf_counter()
    snapshot = await container.pms.breaker.snapshot()
    probe = await container.pms.health()
    state = snapshot.state.name.lower()
    info: dict[str, Any] = {"type": container.pms.kind, "circuit_breaker": state, "failures": snapshot.failures}
    ok = probe.ok and snapshot.state is State.CLOSED
    container.metrics.dependency_up.labels("pms").set(1 if ok else 0)
    detail = f"{probe.detail}; circuit breaker {state}"
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return DependencyHealth(
        status=Status.HEALTHY if ok else Status.DEGRADED, latency_ms=elapsed, detail=detail, info=info
    )


async def scrape(container: Container) -> bytes:
    """The Prometheus text for a scrape of this process, with the shared state read first:
    the PMS breaker (kept in Redis, so a process reports the state another one set) and
    ``dependency_up`` for the database and Redis (current without anyone calling
    ``/health/ready``)."""
    await container.pms.breaker.snapshot()
    await asyncio.gather(check_database(container), check_redis(container))
    return container.metrics.exposition()


async def readiness(container: Container, *, version: str, shutting_down: bool) -> Readiness:
    postgres, redis, pms = await asyncio.gather(check_database(container), check_redis(container), check_pms(container))
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
    if container.redis.embedded:
        controls = {"rate_limiter": "in-process (embedded)", "feature_flags": "in-process (embedded)"}
    else:
        controls = {
            "rate_limiter": "redis" if redis_ok else "per-process fallback",
            "feature_flags": "redis" if redis_ok else "last known values",
        }
    return Readiness(
        status=overall, version=version, shutting_down=shutting_down, dependencies=dependencies, controls=controls
    )
