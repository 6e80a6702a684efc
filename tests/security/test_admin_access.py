"""Every admin route, enumerated from the app, refuses a missing or wrong token (401, never 2xx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import embedded_settings, running
from tests.security.routes import concrete, operations

ADMIN = [(method, concrete(path)) for method, path in operations() if path.startswith("/admin")]
REFUSED_HEADERS = [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "Bearer s3cr3t-ops-but-longer"},
    {"Authorization": "Bearer S3CR3T-OPS"},
    {"Authorization": "Basic b3BzOnMzY3IzdC1vcHM="},  # ops:s3cr3t-ops, in the wrong scheme
    {"Authorization": "Bearer "},
    {"Authorization": "s3cr3t-ops"},
    {"Authorization": "Bearer ops:s3cr3t-ops"},  # the name is not part of the token
    {"X-Admin-Token": "s3cr3t-ops"},
]


def test_the_admin_routes_are_read_from_the_app() -> None:
    assert len(ADMIN) >= 22
    assert ("PUT", "/admin/hotel-facts/wifi") in ADMIN and ("DELETE", "/admin/blocklist") in ADMIN


@pytest.mark.parametrize("headers", REFUSED_HEADERS, ids=lambda h: next(iter(h.values()), "none")[:16] or "empty")
async def test_every_admin_route_refuses_without_the_token(tmp_path: Path, headers: dict[str, str]) -> None:
    settings = embedded_settings(tmp_path, admin_token="ops:s3cr3t-ops")
    async with running(settings) as svc:
        for method, path in ADMIN:
            response = await svc.client.request(
                method,
                path,
                params={"address": "1.2.3.4"},
                json={"flag": "bookings.enabled", "enabled": False},
                headers=headers,
            )
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "unauthorized"
            assert response.headers["www-authenticate"].startswith("Bearer")
        # Nothing was changed by any of them.
        flags = await svc.client.get("/admin/audit-log", headers={"Authorization": "Bearer s3cr3t-ops"})
    assert flags.status_code == 200 and flags.json()["entries"] == []


async def test_every_admin_route_is_closed_when_no_token_is_configured(tmp_path: Path) -> None:
    async with running(embedded_settings(tmp_path)) as svc:
        for method, path in ADMIN:
            response = await svc.client.request(method, path, headers={"Authorization": "Bearer anything"})
            assert response.status_code == 401, (method, path)
