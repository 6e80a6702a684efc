from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from agente.errors import RedisUnavailableError
from agente.main import create_app
from agente.storage.redis import RedisClient, RedisStore, create_client
from tests.conftest import RedisProcess, client_for, embedded_settings, free_port, lifespan


async def _status(client: httpx.AsyncClient) -> str:
    body = (await client.get("/health/ready")).json()
    return str(body["dependencies"]["redis"]["status"])


async def _eventually(client: httpx.AsyncClient, wanted: str, seconds: float = 10) -> str:
    status = ""
    async with asyncio.timeout(seconds):
        while (status := await _status(client)) != wanted:
            await asyncio.sleep(0.1)
    return status


async def test_service_reconnects_when_redis_comes_back(tmp_path: Path, redis_process: RedisProcess) -> None:
    settings = embedded_settings(tmp_path, redis_url=f"redis://127.0.0.1:{redis_process.port}/0", redis_timeout=0.3)
    async with lifespan(create_app(settings)) as manager, await client_for(manager.app) as client:
        assert await _eventually(client, "healthy") == "healthy"
        assert (await client.post("/api/test", json={"message": "test"})).json()["status"] == "success"

        redis_process.stop()
        ready = await client.get("/health/ready")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        failed = await client.post("/api/test", json={"message": "test"})
        assert failed.status_code == 503 and failed.json()["failed"] == ["redis"]
        assert (await client.get("/health/live")).status_code == 200

        redis_process.start()
        assert await _eventually(client, "healthy") == "healthy"
        again = await client.post("/api/test", json={"message": "test"})
        assert again.status_code == 200 and again.json()["status"] == "success"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_calls_fail_fast_while_redis_is_known_down() -> None:
    clock = FakeClock()
    store = RedisStore(create_client(f"redis://127.0.0.1:{free_port()}/0", 0.2), backoff=1.0, clock=clock)
    attempts = 0

    async def op(client: RedisClient) -> object:
        nonlocal attempts
        attempts += 1
        return await client.get("k")

    with pytest.raises(RedisUnavailableError):
        await store.call(op)
    assert attempts == 1 and not store.available
    with pytest.raises(RedisUnavailableError):
        await store.call(op)
    assert attempts == 1  # refused without touching the socket during the back-off
    clock.now += 1.5
    with pytest.raises(RedisUnavailableError):
        await store.call(op)
    assert attempts == 2
    await store.close()


async def test_keys_carry_the_configured_prefix() -> None:
    import fakeredis

    store = RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True), prefix="test:abc:")
    assert store.key("feature_flags:pms.fallback.enabled") == "test:abc:feature_flags:pms.fallback.enabled"
    assert RedisStore(fakeredis.FakeAsyncRedis(), prefix="").key("rate_limit:max_requests") == "rate_limit:max_requests"
    await store.close()


async def test_a_burst_shares_a_bounded_number_of_connections(redis_process: RedisProcess) -> None:
    client = create_client(redis_process.url, timeout=2.0, max_connections=3)
    watcher = create_client(redis_process.url, timeout=2.0)
    try:
        # 30 calls at once, each holding its connection for 20 ms on the server.
        results = await asyncio.gather(*(client.blpop([f"burst:none:{i}"], timeout=0.02) for i in range(30)))
        assert results == [None] * 30  # every call answered: they waited for a connection, none failed
        clients = await watcher.client_list()
        assert len(clients) - 1 <= 3  # the watcher's own connection aside
    finally:
        await client.aclose()
        await watcher.aclose()
