from __future__ import annotations

from pathlib import Path

import httpx

from agente.config import Settings
from agente.main import create_app
from tests.conftest import client_for, embedded_settings, free_port, lifespan


async def test_self_test_round_trip_succeeds(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/test", json={"message": "test"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "test"
    assert body["failed"] == []
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["detail"] == "wrote, read back and deleted a key"


async def test_self_test_names_redis_when_it_is_down(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout=0.2)
    async with lifespan(create_app(settings)) as manager, await client_for(manager.app) as client:
        response = await client.post("/api/test", json={"message": "test"})
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failure"
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"]["status"] == "ok"


async def test_self_test_names_database_when_it_is_down(tmp_path: Path) -> None:
    dead = f"postgresql://agente@127.0.0.1:{free_port()}/agente_db"
    settings = Settings(env="test", data_dir=tmp_path, database_url=dead, database_timeout=1)
    async with lifespan(create_app(settings)) as manager, await client_for(manager.app) as client:
        response = await client.post("/api/test", json={"message": "test"})
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert "database unavailable" in response.json()["checks"]["database"]["detail"]
