from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from agente.config import Settings
from agente.observability.logging import configure_logging
from tests.conftest import REDIS_SERVER_URL, Running, embedded_settings, free_port, running

ADMIN = {"Authorization": "Bearer test-token"}
TEST_BODY = {"message": "test"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token"), "rate_limit_max_requests": 3})


async def _set_control(svc: Running, key: str, value: str) -> None:
    """redis-cli SET, as the runbook does it (the in-process store when embedded)."""
    full_key = svc.container.redis.key(key)
    if svc.container.redis.embedded:
        await svc.container.redis.client.set(full_key, value)
    else:
        proc = await asyncio.create_subprocess_exec(
            "redis-cli", "-u", REDIS_SERVER_URL, "SET", full_key, value, stdout=asyncio.subprocess.DEVNULL
        )
        assert await proc.wait() == 0
    svc.container.limiter.refresh_seconds = 0  # the next request reads the new value


async def _count_429(svc: Running) -> float:
    value = svc.container.metrics.registry.get_sample_value(
        "http_requests_total", {"method": "POST", "route": "/api/test", "status": "429"}
    )
    return value or 0.0


async def test_over_the_limit_gets_429_with_headers_body_metric_and_log(
    service: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    for _ in range(3):
        ok = await service.client.post("/api/test", json=TEST_BODY)
        assert ok.status_code == 200
        assert ok.headers["ratelimit-policy"] == '"default";q=3;w=60'
    before = await _count_429(service)

    refused = await service.client.post("/api/test", json=TEST_BODY)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-policy"] == '"default";q=3;w=60'
    assert refused.headers["ratelimit"].startswith('"default";r=0;t=')
    assert await _count_429(service) == before + 1
    lines = [line for line in capsys.readouterr().out.splitlines() if "Rate limit exceeded" in line]
    assert len(lines) == 1
    assert json.loads(lines[0])["reason"] == "rate_limit"
    # The runbook ranks offenders with: grep rate_limit | awk '{print $NF}'
    assert lines[0].split()[-1] == '"127.0.0.1"}'


async def test_health_and_metrics_are_never_limited(service: Running) -> None:
    for _ in range(10):
        assert (await service.client.get("/health/live")).status_code == 200
        assert (await service.client.get("/metrics")).status_code == 200
    assert (await service.client.post("/api/test", json=TEST_BODY)).status_code == 200


async def test_raising_the_limit_in_redis_lets_traffic_through(service: Running) -> None:
    for _ in range(3):
        await service.client.post("/api/test", json=TEST_BODY)
    assert (await service.client.post("/api/test", json=TEST_BODY)).status_code == 429

    await _set_control(service, "rate_limit:max_requests", "300")

    response = await service.client.post("/api/test", json=TEST_BODY)
    assert response.status_code == 200
    assert response.headers["ratelimit-policy"] == '"default";q=300;w=60'


async def test_admin_api_changes_limits_for_everyone_and_audits(service: Running) -> None:
    response = await service.client.post(
        "/admin/rate-limits",
        content=b'{"max_requests": 300, "window_seconds": 60}',
        headers={**ADMIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert response.json()["max_requests"] == 300
    assert response.json()["previous"]["max_requests"] == 3
    shown = (await service.client.get("/admin/rate-limits", headers=ADMIN)).json()
    assert shown["max_requests"] == 300 and shown["defaults"]["max_requests"] == 3
    # Embedded (one process) counts in memory; with Redis every process shares the count.
    assert shown["backend"] == ("local" if service.container.redis.embedded else "redis")
    stored = await service.container.redis.client.get(service.container.redis.key("rate_limit:max_requests"))
    assert stored == "300"
    entry = (await service.client.get("/admin/audit-log", headers=ADMIN)).json()["entries"][0]
    assert entry["action"] == "rate_limits.set" and entry["after"]["max_requests"] == 300


@pytest.mark.parametrize(
    "body", [b"{}", b'{"max_requests": 0}', b'{"window_seconds": -5}', b'{"max_requests": "many"}']
)
async def test_bad_limit_changes_are_refused(service: Running, body: bytes) -> None:
    response = await service.client.post("/admin/rate-limits", content=body, headers=ADMIN)
    assert response.status_code == 422


async def test_strict_mode_blocks_an_offender_for_the_penalty(service: Running) -> None:
    await _set_control(service, "rate_limit:strict_mode", "true")
    await _set_control(service, "rate_limit:max_requests", "2")
    for _ in range(2):
        assert (await service.client.post("/api/test", json=TEST_BODY)).status_code == 200
    refused = await service.client.post("/api/test", json=TEST_BODY)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) == 300  # the penalty, not the rest of the window

    # Even a higher limit does not lift a penalty already given in strict mode.
    await _set_control(service, "rate_limit:max_requests", "100")
    still = await service.client.post("/api/test", json=TEST_BODY)
    assert still.status_code == 429
    assert 299 <= int(still.headers["retry-after"]) <= 300

    await _set_control(service, "rate_limit:strict_mode", "false")
    assert (await service.client.post("/api/test", json=TEST_BODY)).status_code == 200


async def test_clients_behind_the_proxy_are_limited_separately(service: Running) -> None:
    for _ in range(3):
        assert (
            await service.client.post("/api/test", json=TEST_BODY, headers={"X-Forwarded-For": "203.0.113.9"})
        ).status_code == 200
    assert (
        await service.client.post("/api/test", json=TEST_BODY, headers={"X-Forwarded-For": "203.0.113.9"})
    ).status_code == 429
    other = await service.client.post("/api/test", json=TEST_BODY, headers={"X-Forwarded-For": "198.51.100.4"})
    assert other.status_code == 200


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, rate_limit_max_requests=2, trusted_proxies="10.0.0.1")
    async with running(settings, client_address="192.0.2.50") as svc:
        statuses = [
            (
                await svc.client.post("/api/test", json=TEST_BODY, headers={"X-Forwarded-For": f"203.0.113.{i}"})
            ).status_code
            for i in range(3)
        ]
    # Rotating the header does not buy a fresh budget: the peer itself is counted.
    assert statuses == [200, 200, 429]


async def test_two_processes_share_one_limit_through_redis(tmp_path: Path, redis_prefix: str) -> None:
    shared = dict(redis_url=REDIS_SERVER_URL, redis_key_prefix=redis_prefix + "shared:", rate_limit_max_requests=4)
    a = embedded_settings(tmp_path / "a", **shared)
    b = embedded_settings(tmp_path / "b", **shared)
    async with running(a) as first, running(b) as second:
        statuses = []
        for i in range(6):
            svc = first if i % 2 == 0 else second
            statuses.append((await svc.client.post("/api/test", json=TEST_BODY)).status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_redis_down_falls_back_to_a_per_process_limit(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout=0.2, rate_limit_max_requests=2
    )
    async with running(settings) as svc:
        statuses = [(await svc.client.post("/api/test", json=TEST_BODY)).status_code for _ in range(3)]
        ready = (await svc.client.get("/health/ready")).json()
    # /api/test itself fails (503, Redis is part of its round trip) but the limiter still counts.
    assert statuses == [503, 503, 429]
    assert ready["status"] == "degraded"
    assert ready["controls"]["rate_limiter"] == "per-process fallback"
    assert svc.container.limiter.backend == "local"


async def test_limits_apply_from_redis_within_a_second(service: Running) -> None:
    service.container.limiter.refresh_seconds = 1.0
    await service.container.limiter.policy(force=True)
    key = service.container.redis.key("rate_limit:max_requests")
    await service.container.redis.client.set(key, "7")
    async with asyncio.timeout(2):
        while (await service.container.limiter.policy()).max_requests != 7:
            await asyncio.sleep(0.05)


async def test_limiter_can_be_switched_off_by_setting(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, rate_limit_max_requests=1, rate_limit_enabled=False)
    async with running(settings) as svc:
        responses = [await svc.client.post("/api/test", json=TEST_BODY) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "ratelimit-policy" not in responses[0].headers
