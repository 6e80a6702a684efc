from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from agente.config import Settings
from agente.outbox import OutboxRelay, PermanentJobError
from tests.conftest import Running

ADMIN = {"Authorization": "Bearer test-token"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_token": SecretStr("ops:test-token")})


async def test_dead_jobs_are_listed_and_can_be_retried(service: Running) -> None:
    container = service.container
    async with container.storage.begin() as uow:
        await uow.outbox.enqueue("send", {"to": "guest"})
        await uow.outbox.enqueue("send", {"to": "other"})
    outcomes = iter([PermanentJobError("token expired"), None])

    async def send(payload: dict[str, Any]) -> None:
        failure = next(outcomes)
        if failure:
            raise failure

    await OutboxRelay(container.storage, {"send": send}, container.metrics).run_once()

    dead = (await service.client.get("/admin/outbox", params={"status": "dead"}, headers=ADMIN)).json()["jobs"]
    assert len(dead) == 1 and dead[0]["last_error"] == "token expired"
    done = (await service.client.get("/admin/outbox", params={"status": "done"}, headers=ADMIN)).json()["jobs"]
    assert len(done) == 1

    retried = await service.client.post(f"/admin/outbox/{dead[0]['id']}/retry", headers=ADMIN)
    assert retried.status_code == 200 and retried.json()["status"] == "pending" and retried.json()["attempts"] == 0
    again = await service.client.post(f"/admin/outbox/{dead[0]['id']}/retry", headers=ADMIN)
    assert again.status_code == 409
    assert (await service.client.post("/admin/outbox/999999/retry", headers=ADMIN)).status_code == 404
    assert (await service.client.get("/admin/outbox", params={"status": "lost"}, headers=ADMIN)).status_code == 422
    entry = (await service.client.get("/admin/audit-log", headers=ADMIN)).json()["entries"][0]
    assert entry["action"] == "outbox.retry"
