from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from agente.config import Settings
from agente.ops.blocklist import Blocklist, render_nginx
from tests.conftest import Running

ADMIN = {"Authorization": "Bearer test-token"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_blocked_range_gets_403_before_anything_else(service: Running) -> None:
    service.container.blocklist.refresh_seconds = 0
    created = await service.client.post(
        "/admin/blocklist", json={"address": "203.0.113.0/24", "reason": "scraper"}, headers=ADMIN
    )
    assert created.status_code == 201
    assert created.json()["address"] == "203.0.113.0/24"
    assert created.json()["created_by"] == "ops"

    # Even a malformed body is refused as blocked: no other work is done for this client.
    refused = await service.client.post("/api/test", content=b"{broken", headers=_from("203.0.113.77"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "blocked"
    counted = service.container.metrics.registry.get_sample_value(
        "http_requests_total", {"method": "POST", "route": "/api/test", "status": "403"}
    )
    assert counted == 1
    assert (
        await service.client.post("/api/test", json={"message": "test"}, headers=_from("198.51.100.1"))
    ).status_code == 200
    # Probes must keep working even for a blocked range (a load balancer may live there).
    assert (await service.client.get("/health/ready", headers=_from("203.0.113.77"))).status_code == 200

    removed = await service.client.delete("/admin/blocklist", params={"address": "203.0.113.0/24"}, headers=ADMIN)
    assert removed.status_code == 200
    assert (
        await service.client.post("/api/test", json={"message": "test"}, headers=_from("203.0.113.77"))
    ).status_code == 200

    actions = [e["action"] for e in (await service.client.get("/admin/audit-log", headers=ADMIN)).json()["entries"]]
    assert actions[:2] == ["blocklist.remove", "blocklist.add"]


async def test_single_address_and_listing(service: Running) -> None:
    await service.client.post("/admin/blocklist", json={"address": "2001:db8::1"}, headers=ADMIN)
    await service.client.post(
        "/admin/blocklist", json={"address": "192.0.2.9", "expires_in_seconds": 3600}, headers=ADMIN
    )
    listed = (await service.client.get("/admin/blocklist", headers=ADMIN)).json()["entries"]
    assert [e["address"] for e in listed] == ["2001:db8::1/128", "192.0.2.9/32"]
    assert listed[0]["expires_at"] is None and listed[1]["expires_at"] is not None


@pytest.mark.parametrize("address", ["bogus", "300.1.1.1", "10.0.0.0/99"])
async def test_bad_addresses_are_400(service: Running, address: str) -> None:
    response = await service.client.post("/admin/blocklist", json={"address": address}, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_value"


async def test_a_reason_the_database_cannot_store_is_422(service: Running) -> None:
    body = b'{"address": "192.0.2.7", "reason": "abuse\\u0000"}'
    headers = {**ADMIN, "Content-Type": "application/json"}
    response = await service.client.post("/admin/blocklist", content=body, headers=headers)
    assert response.status_code == 422
    assert (await service.client.get("/admin/blocklist", headers=ADMIN)).json()["entries"] == []


async def test_unblocking_what_is_not_blocked_is_404(service: Running) -> None:
    response = await service.client.delete("/admin/blocklist", params={"address": "192.0.2.1"}, headers=ADMIN)
    assert response.status_code == 404


async def test_entries_expire(service: Running) -> None:
    clock = [datetime(2026, 11, 29, 12, tzinfo=UTC)]
    storage = service.container.storage
    blocklist = Blocklist(storage, refresh_seconds=0, now=lambda: clock[0])
    async with storage.begin() as uow:
        await blocklist.add(
            uow.blocklist, address="192.0.2.0/28", reason=None, created_by="t", ttl=timedelta(minutes=10)
        )
    assert await blocklist.blocks("192.0.2.3")
    assert not await blocklist.blocks("192.0.2.30")
    clock[0] += timedelta(minutes=11)
    assert not await blocklist.blocks("192.0.2.3")
    assert await blocklist.entries() == []


async def test_nginx_rendering(service: Running) -> None:
    bl = service.container.blocklist
    async with service.container.storage.begin() as uow:
        await bl.add(uow.blocklist, address="203.0.113.7", reason="spam\nbot", created_by="t", ttl=None)
        await bl.add(uow.blocklist, address="10.0.0.0/8", reason=None, created_by="t", ttl=None)
    text = render_nginx(await bl.entries())
    lines = text.splitlines()
    assert lines[0].startswith("#")
    assert lines[1] == "deny 203.0.113.7;  # spam bot"
    assert lines[2] == "deny 10.0.0.0/8;"
