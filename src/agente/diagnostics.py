"""The end-to-end self test behind ``POST /api/test``.

Unlike readiness, which only asks each dependency whether it answers, the self test does
real work through each part the way a guest's message would: it reads the schema revision
from the database; writes, reads back and deletes a key in Redis; and reads the room types
live from the PMS through its circuit breaker; and understands a known booking request
(language, dates, party). Every part that fails is named in the result.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel

from agente.container import Container
from agente.errors import DependencyUnavailableError, RedisUnavailableError
from agente.pms.errors import PmsError
from agente.storage import db


class StepResult(BaseModel):
    status: Literal["ok", "error"]
    latency_ms: float
    detail: str


class SelfTestResult(BaseModel):
    status: Literal["success", "failure"]
    message: str
    failed: list[str]
    checks: dict[str, StepResult]


async def _database(container: Container) -> str:
    revision = await db.ping(container.engine)
    if revision != container.schema_head:
        raise DependencyUnavailableError(f"schema at {revision or 'none'}, expected {container.schema_head}")
    return f"read schema revision {revision}"


async def _redis(container: Container) -> str:
    store = container.redis
    key = store.key(f"selftest:{uuid.uuid4().hex}")
    token = uuid.uuid4().hex
    await store.call(lambda r: r.set(key, token, px=10_000))
    echoed = await store.call(lambda r: r.get(key))
    await store.call(lambda r: r.delete(key))
    if echoed != token:
        raise RedisUnavailableError("redis returned a different value than was written")
    return "wrote, read back and deleted a key"


async def _pms(container: Container) -> str:
    try:
        count = await container.pms.round_trip()
    except PmsError as exc:
        raise DependencyUnavailableError(f"pms: {exc}") from exc
    return f"read {count} room types from the {container.pms.kind} PMS"


_PROBE = "quiero reservar del 12 al 15 de diciembre para 2 adultos"


async def _nlu(container: Container) -> str:
    today = container.conversations.today()
    parsed = await container.nlu.parse(_PROBE, previous=None, today=today)
    entities = parsed.entities
    if parsed.language != "es" or entities.adults != 2 or entities.check_in is None or entities.nights != 3:
        raise DependencyUnavailableError(f"nlu: understood {parsed.intent.name} {entities} from a known sentence")
    return f"understood a booking request ({parsed.intent.name}, {parsed.intent.confidence:.2f})"


async def run_self_test(container: Container, message: str) -> SelfTestResult:
    steps: dict[str, Callable[[Container], Awaitable[str]]] = {
        "database": _database,
        "redis": _redis,
        "nlu": _nlu,
        "pms": _pms,
    }
    checks: dict[str, StepResult] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        try:
            async with asyncio.timeout(container.settings.health_check_timeout):
                detail = await step(container)
            status: Literal["ok", "error"] = "ok"
        except TimeoutError:
            status, detail = "error", f"no answer within {container.settings.health_check_timeout:g}s"
        except DependencyUnavailableError as exc:
            status, detail = "error", str(exc)
        checks[name] = StepResult(
            status=status, latency_ms=round((time.perf_counter() - started) * 1000, 2), detail=detail
        )
    failed = [name for name, result in checks.items() if result.status == "error"]
    return SelfTestResult(status="failure" if failed else "success", message=message, failed=failed, checks=checks)
