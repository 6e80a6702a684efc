from __future__ import annotations

from pathlib import Path

import httpx

from agente.config import Settings
from agente.lifecycle import Lifecycle
from agente.main import create_app
from tests.conftest import client_for, embedded_settings, free_port, lifespan


async def test_health_live_touches_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response.headers["content-type"] == "application/json"
    head = await client.head("/health/live")
    assert head.status_code == 200 and head.content == b""
    # Other methods are not liveness probes: they get the ordinary JSON 404.
    other = await client.post("/health/live")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


async def test_health_ready_reports_each_dependency(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "healthy"
    assert body["version"]
    deps = body["dependencies"]
    assert set(deps) >= {"postgres", "redis"}
    for dep in deps.values():
        assert dep["status"] == "healthy"
        assert dep["latency_ms"] >= 0
        assert dep["detail"]
    expected_backend = "sqlite" if settings.database_url is None else "postgresql"
    assert deps["postgres"]["info"]["backend"] == expected_backend
    assert deps["postgres"]["info"]["schema_revision"] == deps["postgres"]["info"]["schema_head"]
    assert deps["redis"]["info"]["embedded"] is (settings.redis_url is None)


async def test_health_ready_degraded_when_redis_is_down(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout=0.2)
    app = create_app(settings)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        response = await client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["dependencies"]["redis"]["status"] == "unhealthy"
    assert "redis unavailable" in body["dependencies"]["redis"]["detail"]
    assert body["dependencies"]["postgres"]["status"] == "healthy"


async def test_health_ready_503_when_database_is_down(tmp_path: Path) -> None:
    dead = f"postgresql://agente@127.0.0.1:{free_port()}/agente_db"
    settings = Settings(env="test", data_dir=tmp_path, database_url=dead, database_timeout=1)
    app = create_app(settings)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        response = await client.get("/health/ready")
        live = await client.get("/health/live")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unhealthy"
    assert body["dependencies"]["postgres"]["status"] == "unhealthy"
    assert "database unavailable" in body["dependencies"]["postgres"]["detail"]
    assert live.status_code == 200


async def test_health_ready_unhealthy_when_schema_is_behind(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path / "var", worker_in_process=False)
    app = create_app(settings)  # database file exists but was never migrated
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert "agente db upgrade" in response.json()["dependencies"]["postgres"]["detail"]


async def test_health_ready_503_while_draining(tmp_path: Path) -> None:
    lifecycle = Lifecycle()
    app = create_app(embedded_settings(tmp_path), lifecycle=lifecycle)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        before = await client.get("/health/ready")
        lifecycle.begin_drain()  # what SIGTERM does (agente.server)
        during = await client.get("/health/ready")
        live = await client.get("/health/live")
    assert before.status_code == 200
    assert during.status_code == 503
    assert during.json()["status"] == "unhealthy"
    assert during.json()["shutting_down"] is True
    assert live.status_code == 200
