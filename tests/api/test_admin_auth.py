from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import embedded_settings, running

ROUTES = [
    ("GET", "/admin/feature-flags"),
    ("POST", "/admin/feature-flags"),
    ("GET", "/admin/rate-limits"),
    ("POST", "/admin/rate-limits"),
    ("GET", "/admin/blocklist"),
    ("POST", "/admin/blocklist"),
    ("DELETE", "/admin/blocklist?address=1.2.3.4"),
    ("GET", "/admin/audit-log"),
]


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize(
    "headers, message",
    [
        ({}, "An admin bearer token is required."),
        ({"Authorization": "Bearer wrong-token"}, "The admin token is not valid."),
        ({"Authorization": "Basic b3BzOnMzY3IzdA=="}, "An admin bearer token is required."),
        ({"Authorization": "Bearer "}, "An admin bearer token is required."),
    ],
)
async def test_every_admin_route_needs_a_valid_token(
    tmp_path: Path, method: str, path: str, headers: dict[str, str], message: str
) -> None:
    settings = embedded_settings(tmp_path, admin_token="ops:s3cr3t-ops,ci:s3cr3t-ci")
    async with running(settings) as svc:
        response = await svc.client.request(method, path, headers=headers, content=b'{"flag": "x", "enabled": true}')
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "unauthorized", "message": message}
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_each_named_token_works_and_is_audited_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agente.observability.logging import configure_logging

    configure_logging("INFO")
    settings = embedded_settings(tmp_path, admin_token="ops:s3cr3t-ops,ci:s3cr3t-ci")
    async with running(settings) as svc:
        for token in ("s3cr3t-ops", "s3cr3t-ci"):
            response = await svc.client.post(
                "/admin/feature-flags",
                json={"flag": "bookings.enabled", "enabled": False},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200
        await svc.client.get("/admin/audit-log", headers={"Authorization": "Bearer guess-1"})
        entries = (await svc.client.get("/admin/audit-log", headers={"Authorization": "Bearer s3cr3t-ops"})).json()
    assert [e["actor"] for e in entries["entries"]] == ["ci", "ops"]
    out = capsys.readouterr().out
    assert "admin access refused" in out
    assert "guess-1" not in out and "s3cr3t" not in out


async def test_admin_is_refused_when_no_token_is_configured(tmp_path: Path) -> None:
    async with running(embedded_settings(tmp_path)) as svc:
        response = await svc.client.get("/admin/feature-flags", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 401
    assert "ADMIN_TOKEN" in response.json()["error"]["message"]


async def test_audit_log_pages_newest_first(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, admin_token="s3cr3t")
    auth = {"Authorization": "Bearer s3cr3t"}
    async with running(settings) as svc:
        for value in (True, False, True, False, True):
            await svc.client.post(
                "/admin/feature-flags", json={"flag": "pms.fallback.enabled", "enabled": value}, headers=auth
            )
        first = (await svc.client.get("/admin/audit-log", params={"limit": 2}, headers=auth)).json()
        second = (
            await svc.client.get(
                "/admin/audit-log", params={"limit": 2, "before_id": first["next_before_id"]}, headers=auth
            )
        ).json()
        bad = await svc.client.get("/admin/audit-log", params={"limit": 0}, headers=auth)
    ids = [e["id"] for e in first["entries"]] + [e["id"] for e in second["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert first["entries"][0]["after"] == {"enabled": True, "source": "redis"}
    assert first["entries"][0]["actor"] == "admin"
    assert bad.status_code == 422


async def test_admin_routes_are_labelled_by_full_template(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, admin_token="s3cr3t")
    async with running(settings) as svc:
        await svc.client.get("/admin/feature-flags", headers={"Authorization": "Bearer s3cr3t"})
        await svc.client.get("/admin/feature-flags")
        registry = svc.container.metrics.registry
    labels = {"method": "GET", "route": "/admin/feature-flags"}
    assert registry.get_sample_value("http_requests_total", {**labels, "status": "200"}) == 1
    assert registry.get_sample_value("http_requests_total", {**labels, "status": "401"}) == 1
