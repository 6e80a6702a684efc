from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from agente.config import Settings
from tests.conftest import Running

ADMIN = {"Authorization": "Bearer test-token"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token"), "pms_cb_failure_threshold": 2})


async def test_simulator_down_opens_breaker_then_reset_closes_it(service: Running) -> None:
    client = service.client
    down = await client.post("/admin/pms/simulator", content=b'{"down": true}', headers=ADMIN)
    assert down.status_code == 200 and down.json()["down"] is True
    service.container.pms_faults.refresh_seconds = 0

    failures = [await client.post("/api/test", json={"message": "test"}) for _ in range(3)]
    assert [f.status_code for f in failures] == [503, 503, 503]
    assert failures[-1].json()["failed"] == ["pms"]
    assert "Circuit breaker is OPEN" in failures[-1].json()["checks"]["pms"]["detail"]

    breakers = (await client.get("/admin/circuit-breakers", headers=ADMIN)).json()["pms"]
    assert breakers["state"] == "open" and breakers["state_code"] == 1 and breakers["failures"] == 2
    ready = (await client.get("/health/ready")).json()
    assert ready["status"] == "degraded"
    assert ready["dependencies"]["pms"]["status"] == "degraded"
    assert ready["dependencies"]["pms"]["info"]["circuit_breaker"] == "open"
    metrics = (await client.get("/metrics")).text
    assert "pms_circuit_breaker_state 1.0" in metrics
    rejected = re.search(r'pms_circuit_breaker_calls_total\{result="rejected"\} (\S+)', metrics)
    assert rejected is not None and float(rejected.group(1)) >= 1

    await client.post("/admin/pms/simulator", content=b"{}", headers=ADMIN)
    reset = await client.post("/admin/circuit-breakers/pms/reset", headers=ADMIN)
    assert reset.json()["previous_state"] == "open" and reset.json()["pms"]["state"] == "closed"
    assert (await client.post("/api/test", json={"message": "test"})).json()["status"] == "success"
    actions = [e["action"] for e in (await client.get("/admin/audit-log", headers=ADMIN)).json()["entries"]]
    assert actions[:3] == ["circuit_breaker.reset", "pms_simulator.faults", "pms_simulator.faults"]


async def test_breaker_thresholds_change_at_runtime(service: Running) -> None:
    response = await service.client.post(
        "/admin/circuit-breakers/pms/config",
        content=b'{"failure_threshold": 10, "recovery_timeout": 60}',
        headers=ADMIN,
    )
    assert response.status_code == 200
    assert response.json()["config"] == {"failure_threshold": 10, "recovery_timeout": 60.0, "half_open_max_calls": 1}
    shown = (await service.client.get("/admin/circuit-breakers", headers=ADMIN)).json()["pms"]
    assert shown["config"]["failure_threshold"] == 10 and shown["defaults"]["failure_threshold"] == 2
    bad = await service.client.post(
        "/admin/circuit-breakers/pms/config", content=b'{"failure_threshold": 0}', headers=ADMIN
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("body", [b'{"failure_rate": 2}', b'{"latency_ms": -1}', b'{"down": "sometimes"}'])
async def test_bad_fault_settings_are_refused(service: Running, body: bytes) -> None:
    assert (await service.client.post("/admin/pms/simulator", content=body, headers=ADMIN)).status_code == 422


async def test_healthy_pms_in_readiness(service: Running) -> None:
    pms = (await service.client.get("/health/ready")).json()["dependencies"]["pms"]
    assert pms["status"] == "healthy"
    assert pms["info"] == {"type": "simulator", "circuit_breaker": "closed", "failures": 0}
