"""Every number the admin API takes is checked against its range, and a refusal names it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from agente.config import Settings
from tests.conftest import Running

ADMIN = {"Authorization": "Bearer test-token"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


def _messages(body: dict[str, Any]) -> list[str]:
    return [str(detail["message"]) for detail in body["error"]["details"]]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"recovery_timeout": 5e-324}', "between 1 and 3600 seconds"),
        (b'{"recovery_timeout": 0.5}', "between 1 and 3600 seconds"),
        (b'{"recovery_timeout": NaN}', "between 1 and 3600 seconds"),
        (b'{"recovery_timeout": Infinity}', "between 1 and 3600 seconds"),
        (b'{"recovery_timeout": 1e999}', "between 1 and 3600 seconds"),
        (b'{"recovery_timeout": 3601}', "between 1 and 3600 seconds"),
        (b'{"failure_threshold": 0}', "between 1 and 1000 failures"),
        (b'{"failure_threshold": 1001}', "between 1 and 1000 failures"),
        (b'{"half_open_max_calls": 0}', "between 1 and 100 calls"),
    ],
)
async def test_breaker_thresholds_outside_their_range_are_refused(service: Running, body: bytes, named: str) -> None:
    before = (await service.client.get("/admin/circuit-breakers", headers=ADMIN)).json()["pms"]["config"]
    refused = await service.client.post("/admin/circuit-breakers/pms/config", content=body, headers=ADMIN)
    assert refused.status_code == 422
    assert any(named in message for message in _messages(refused.json())), refused.json()
    after = (await service.client.get("/admin/circuit-breakers", headers=ADMIN)).json()["pms"]["config"]
    assert after == before


async def test_a_breaker_recovery_of_one_second_is_the_least_accepted(service: Running) -> None:
    done = await service.client.post(
        "/admin/circuit-breakers/pms/config", content=b'{"recovery_timeout": 1}', headers=ADMIN
    )
    assert done.status_code == 200 and done.json()["config"]["recovery_timeout"] == 1.0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"window_seconds": 0}', "between 1 and 86400 seconds"),
        (b'{"window_seconds": 86401}', "between 1 and 86400 seconds"),
        (b'{"max_requests": 1000001}', "between 1 and 1000000 requests"),
        (b'{"penalty_seconds": 0}', "between 1 and 86400 seconds"),
    ],
)
async def test_rate_limits_outside_their_range_are_refused(service: Running, body: bytes, named: str) -> None:
    refused = await service.client.post("/admin/rate-limits", content=body, headers=ADMIN)
    assert refused.status_code == 422
    assert any(named in message for message in _messages(refused.json())), refused.json()
    shown = (await service.client.get("/admin/rate-limits", headers=ADMIN)).json()
    assert shown["window_seconds"] == shown["defaults"]["window_seconds"]


@pytest.mark.parametrize("seconds", [b"0", b"31536001"])
async def test_blocklist_expiry_outside_its_range_is_refused(service: Running, seconds: bytes) -> None:
    body = b'{"address": "203.0.113.9", "expires_in_seconds": ' + seconds + b"}"
    refused = await service.client.post("/admin/blocklist", content=body, headers=ADMIN)
    assert refused.status_code == 422
    assert any("between 1 and 31536000 seconds" in m for m in _messages(refused.json())), refused.json()
    assert (await service.client.get("/admin/blocklist", headers=ADMIN)).json()["entries"] == []


@pytest.mark.parametrize("body", [b'{"failure_rate": NaN}', b'{"failure_rate": 1.5}', b'{"latency_ms": 120001}'])
async def test_simulator_faults_outside_their_range_are_refused(service: Running, body: bytes) -> None:
    refused = await service.client.post("/admin/pms/simulator", content=body, headers=ADMIN)
    assert refused.status_code == 422
    assert (await service.client.get("/admin/pms/simulator", headers=ADMIN)).json()["failure_rate"] == 0.0


async def test_the_ranges_are_in_the_openapi_document(service: Running) -> None:
    paths = (await service.client.get("/openapi.json")).json()["paths"]
    body = paths["/admin/circuit-breakers/pms/config"]["post"]["requestBody"]["content"]["application/json"]
    recovery = body["schema"]["properties"]["recovery_timeout"]["anyOf"][0]
    assert (recovery["minimum"], recovery["maximum"]) == (1, 3600)
