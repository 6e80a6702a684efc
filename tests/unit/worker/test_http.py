from __future__ import annotations

import time

import httpx

from agente.container import Container
from agente.outbox import OutboxRelay
from agente.worker.http import worker_app


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker")  # type: ignore[arg-type]


async def test_liveness_follows_the_scheduler_s_beat(container: Container) -> None:
    beat = time.monotonic()
    async with _client(worker_app(container.health, lambda: beat, stale_after=60)) as client:
        alive = await client.get("/health/live")
        assert alive.status_code == 200 and alive.json()["status"] == "alive"
        beat -= 61
        stuck = await client.get("/health/live")
        assert stuck.status_code == 503 and stuck.json()["status"] == "stuck"


async def test_readiness_needs_the_database(container: Container) -> None:
    async with _client(worker_app(container.health, time.monotonic, stale_after=60)) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["postgres"]["status"] == "healthy"


async def test_metrics_show_the_outbox_and_current_dependencies(container: Container) -> None:
    async with container.storage.begin() as uow:
        await uow.outbox.enqueue("nobody-handles-this", {})
    await OutboxRelay(container.storage, {}, container.metrics).run_once()
    await OutboxRelay(container.storage, {}, container.metrics).counts()
    async with _client(worker_app(container.health, time.monotonic, stale_after=60)) as client:
        text = (await client.get("/metrics")).text
    assert 'outbox_jobs_total{kind="nobody-handles-this",outcome="dead"} 1.0' in text
    assert 'outbox_jobs_by_status{status="dead"} 1.0' in text
    assert 'dependency_up{dependency="postgres"} 1.0' in text
