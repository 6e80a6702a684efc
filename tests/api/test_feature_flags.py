from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from agente.config import Settings
from agente.ops.flags import FeatureFlags
from agente.storage.redis import RedisStore, create_client
from tests.conftest import REDIS_SERVER_URL, RedisProcess, Running, running

ADMIN = {"Authorization": "Bearer test-token"}
FLAG_KEY = "feature_flags:pms.fallback.enabled"


async def _redis_cli_set(svc: Running, key: str, value: str) -> None:
    """What the runbook does: redis-cli SET on the shared Redis (the in-process store when embedded)."""
    full_key = svc.container.redis.key(key)
    if svc.container.redis.embedded:
        await svc.container.redis.client.set(full_key, value)
        return
    proc = await asyncio.create_subprocess_exec(
        "redis-cli", "-u", REDIS_SERVER_URL, "SET", full_key, value, stdout=asyncio.subprocess.DEVNULL
    )
    assert await proc.wait() == 0


async def _flag(svc: Running, name: str) -> dict[str, object]:
    response = await svc.client.get("/admin/feature-flags", headers=ADMIN)
    assert response.status_code == 200
    return next(f for f in response.json()["flags"] if f["name"] == name)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


async def test_every_known_flag_is_listed_with_default_and_source(service: Running) -> None:
    flags = (await service.client.get("/admin/feature-flags", headers=ADMIN)).json()["flags"]
    by_name = {f["name"]: f for f in flags}
    assert by_name["pms.fallback.enabled"]["enabled"] is False
    assert by_name["pms.fallback.enabled"]["default"] is False
    assert by_name["pms.fallback.enabled"]["source"] == "default"
    assert by_name["bookings.enabled"]["enabled"] is True
    assert all(f["description"] for f in flags)


async def test_redis_cli_flip_is_seen_within_two_seconds(service: Running) -> None:
    assert (await _flag(service, "pms.fallback.enabled"))["enabled"] is False
    await _redis_cli_set(service, FLAG_KEY, "true")
    async with asyncio.timeout(2):
        while not await service.container.flags.is_enabled("pms.fallback.enabled"):
            await asyncio.sleep(0.05)
    flag = await _flag(service, "pms.fallback.enabled")
    assert flag["enabled"] is True and flag["source"] == "redis"


async def test_admin_api_sets_the_runbook_key_and_audits(service: Running) -> None:
    response = await service.client.post(
        "/admin/feature-flags",
        content=b'{"flag": "pms.fallback.enabled", "enabled": true}',
        headers={**ADMIN, "Content-Type": "application/x-www-form-urlencoded"},  # what curl -d sends
    )
    assert response.status_code == 200
    assert response.json()["flag"]["enabled"] is True
    stored = await service.container.redis.client.get(service.container.redis.key(FLAG_KEY))
    assert stored == "true"
    audit = (await service.client.get("/admin/audit-log", headers=ADMIN)).json()["entries"][0]
    assert audit["actor"] == "ops"
    assert audit["action"] == "feature_flag.set"
    assert audit["target"] == "pms.fallback.enabled"
    assert audit["before"]["enabled"] is False and audit["after"]["enabled"] is True
    assert "test-token" not in str(audit)


async def test_unknown_flag_is_refused_with_400(service: Running) -> None:
    response = await service.client.post(
        "/admin/feature-flags", json={"flag": "pms.fallbak", "enabled": True}, headers=ADMIN
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_flag"
    assert "pms.fallback.enabled" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [b"", b"{", b'{"flag": "pms.fallback.enabled"}', b'{"flag": "x", "enabled": "maybe"}'])
async def test_bad_flag_bodies_are_422(service: Running, body: bytes) -> None:
    response = await service.client.post("/admin/feature-flags", content=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_unreadable_redis_value_falls_back_to_default(service: Running) -> None:
    await _redis_cli_set(service, "feature_flags:bookings.enabled", "perhaps")
    service.container.flags.refresh_seconds = 0  # read Redis on every evaluation
    flag = await _flag(service, "bookings.enabled")
    assert flag["enabled"] is True and flag["source"] == "default"
    assert "perhaps" in str(flag["detail"])


async def test_flags_keep_last_known_value_when_redis_goes_down(redis_process: RedisProcess) -> None:
    now = [0.0]
    store = RedisStore(create_client(redis_process.url, 0.2))
    flags = FeatureFlags(store, refresh_seconds=1.0, clock=lambda: now[0])
    await store.client.set(FLAG_KEY, "true")
    assert await flags.is_enabled("pms.fallback.enabled") is True

    redis_process.stop()
    now[0] += 5
    assert await flags.is_enabled("pms.fallback.enabled") is True  # evaluation never fails
    state = next(s for s in await flags.states() if s.name == "pms.fallback.enabled")
    assert state.source == "last_known"
    assert state.detail is not None and "redis unavailable" in state.detail
    await store.close()


async def test_flags_use_defaults_when_redis_was_never_reachable(tmp_path: Path) -> None:
    dead = RedisProcess(tmp_path)  # never started
    store = RedisStore(create_client(dead.url, 0.2))
    flags = FeatureFlags(store)
    assert await flags.is_enabled("bookings.enabled") is True
    assert {s.source for s in await flags.states()} == {"default"}
    await store.close()


async def test_setting_a_flag_while_redis_is_down_is_a_clear_503(tmp_path: Path) -> None:
    from tests.conftest import embedded_settings, free_port

    settings = embedded_settings(
        tmp_path, admin_token="ops:test-token", redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout=0.2
    )
    async with running(settings) as svc:
        response = await svc.client.post(
            "/admin/feature-flags", json={"flag": "pms.fallback.enabled", "enabled": True}, headers=ADMIN
        )
        listed = await svc.client.get("/admin/feature-flags", headers=ADMIN)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "redis_unavailable"
    assert listed.status_code == 200
