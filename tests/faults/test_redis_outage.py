"""Redis killed under load and started again (DESIGN.md §7: "Redis down: serve on").

A real ``agente serve`` on its own redis-server keeps receiving guest messages and readiness
probes while Redis is killed: no request fails, readiness says ``degraded`` with the local
fallbacks named, and once Redis is back (empty: it kept nothing) the process reads its
controls from Redis again — a limit and a flag written there take effect without a restart.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import asyncio as aioredis

from tests.conftest import RedisProcess
from tests.faults.agente_procs import ADMIN, AgenteProcess, running, service_env
from tests.faults.load import Load
from tests.faults.stays import ask_for_stay
from tests.faults.whatsapp import QUESTIONS

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

# No request may take longer than this, even while Redis is gone (its calls give up in 0.5 s
# and then fail fast): a guest never waits on a dead Redis.
SLOWEST_ANSWER = 5.0


async def _message(client: httpx.AsyncClient, loop: int, count: int) -> httpx.Response:
    question = QUESTIONS[count % len(QUESTIONS)]
    return await client.post("/api/messages", json={"guest_id": f"load-{loop}", "text": question.text})


async def _ready(client: httpx.AsyncClient, loop: int, count: int) -> httpx.Response:
    return await client.get("/health/ready")


async def _readiness(client: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get("/health/ready")).json()
    return body


async def _until(check: Any, *, within: float, what: str) -> Any:
    """Poll the async ``check()`` until it returns something truthy."""
    deadline = time.monotonic() + within
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} not seen within {within:g}s (last: {last!r})")


def _flag(flags: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in flags["flags"] if f["name"] == name)
    return found


async def test_redis_killed_and_restarted_under_load_fails_no_request(
    tmp_path: Path, fresh_database: str, redis_process: RedisProcess, nlu_model_dir: Path
) -> None:
    env = service_env(
        database_url=fresh_database,
        redis_url=redis_process.url,
        redis_prefix="",
        nlu_model_dir=nlu_model_dir,
        PMS_CACHE_TTL="1",  # so the quote below is asked of the PMS again, not served from the cache
    )
    api = AgenteProcess("serve", env, tmp_path, "api")
    async with running(api), httpx.AsyncClient(base_url=api.url, timeout=10.0) as http:
        load = Load(http, {"message": _message, "ready": _ready}, concurrency=4)
        async with load:
            await asyncio.sleep(1.5)
            flags_before = (await http.get("/admin/feature-flags", headers=ADMIN)).json()
            killed_at = time.monotonic()
            await asyncio.to_thread(redis_process.stop)

            degraded = await _wait_degraded(http)
            await asyncio.sleep(3.0)
            flags_down = (await http.get("/admin/feature-flags", headers=ADMIN)).json()

            restarted_at = time.monotonic()
            await asyncio.to_thread(redis_process.start)
            healthy = await _wait_redis_healthy(http)
            await asyncio.sleep(1.0)
        stopped_at = time.monotonic()

        # Controls written into the new, empty Redis are read from there again.
        redis = aioredis.Redis.from_url(redis_process.url, decode_responses=True)
        try:
            await redis.set("feature_flags:pms.fallback.enabled", "true")
            await redis.set("rate_limit:max_requests", "3")
        finally:
            await redis.aclose()
        flags_up = await _until(
            lambda: _fallback_flag_from_redis(http), within=3, what="the flag written in the restarted Redis"
        )
        limited = await _requests_until_refused(http, client_ip="203.0.113.9")

        # The flag acts on guests: with the PMS down, a stay quoted before is quoted again
        # from the last known answer, marked as to be confirmed, instead of a handoff.
        stay = ask_for_stay(days_ahead=15)
        before = await http.post("/api/messages", json={"guest_id": "fallback-1", "text": stay}, headers=_ip("1"))
        redis = aioredis.Redis.from_url(redis_process.url, decode_responses=True)
        try:
            await redis.set("pms:simulator:faults", '{"latency_ms": 0, "failure_rate": 0.0, "down": true}')
        finally:
            await redis.aclose()
        await asyncio.sleep(1.5)  # the fault switch is re-read at most once a second; the cached quote expires
        during = await http.post("/api/messages", json={"guest_id": "fallback-2", "text": stay}, headers=_ip("2"))

    output = api.output()
    failures = load.failures()
    assert not failures, f"{len(failures)} requests failed, first: {failures[:3]}\n{output}"
    slow = [o for o in load.outcomes if o.seconds > SLOWEST_ANSWER]
    assert not slow, f"{len(slow)} requests took over {SLOWEST_ANSWER:g}s, first: {slow[:3]}"
    # Guests kept being answered while Redis was gone, and after it came back.
    assert len(load.between(killed_at + 0.5, restarted_at, "message")) >= 4, load.outcomes[-20:]
    assert len(load.between(restarted_at + 0.5, stopped_at, "message")) >= 2

    assert degraded["status"] == "degraded", degraded
    assert degraded["dependencies"]["redis"]["status"] == "unhealthy"
    assert degraded["dependencies"]["postgres"]["status"] == "healthy"
    assert degraded["controls"] == {"rate_limiter": "per-process fallback", "feature_flags": "last known values"}
    # Flags read before the outage keep those values, and say so.
    assert _flag(flags_before, "pms.fallback.enabled")["source"] == "default"
    assert _flag(flags_down, "pms.fallback.enabled")["source"] == "last_known"
    assert _flag(flags_down, "pms.fallback.enabled")["enabled"] is False

    assert healthy["status"] == "healthy", healthy
    assert healthy["controls"] == {"rate_limiter": "redis", "feature_flags": "redis"}
    assert flags_up["enabled"] is True and flags_up["source"] == "redis"
    # The limit of 3 written in Redis is the one enforced: three answers, then 429.
    assert limited == [200, 200, 200, 429], limited

    assert before.status_code == 200 and "to be confirmed" not in before.json()["reply"]["text"], before.text
    assert during.status_code == 200, during.text
    reply = during.json()
    assert reply["status"] == "bot" and "to be confirmed" in reply["reply"]["text"], reply


def _ip(n: str) -> dict[str, str]:
    # Each guest from its own address (the proxy's header is believed from 127.0.0.1), so the
    # limit of 3 set for the test above does not apply to them.
    return {"X-Forwarded-For": f"198.51.100.{n}"}


async def _wait_degraded(http: httpx.AsyncClient) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        body = await _readiness(http)
        return body if body["dependencies"]["redis"]["status"] == "unhealthy" else None

    result: dict[str, Any] = await _until(check, within=5, what="readiness reporting Redis down")
    return result


async def _wait_redis_healthy(http: httpx.AsyncClient) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        body = await _readiness(http)
        return body if body["status"] == "healthy" else None

    result: dict[str, Any] = await _until(check, within=5, what="readiness healthy after Redis restarted")
    return result


async def _fallback_flag_from_redis(http: httpx.AsyncClient) -> dict[str, Any] | None:
    flag = _flag((await http.get("/admin/feature-flags", headers=ADMIN)).json(), "pms.fallback.enabled")
    return flag if flag["source"] == "redis" and flag["enabled"] else None


async def _requests_until_refused(http: httpx.AsyncClient, *, client_ip: str) -> list[int]:
    """Statuses of NLU parse requests from one client until the first refusal (at most 10)."""
    await asyncio.sleep(1.1)  # limits are re-read at most once a second
    statuses: list[int] = []
    for _ in range(10):
        response = await http.post("/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": client_ip})
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    return statuses
