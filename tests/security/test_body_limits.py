"""Every POST/PUT route, enumerated from the app, refuses an oversized body with a JSON 413.

Declared with ``Content-Length`` the body is refused before it is read; streamed without
one it is refused once it passes the limit. Nothing is stored either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from agente.api.body_limit import DEFAULT_LIMIT, WEBHOOK_LIMIT, limit_for
from agente.config import Settings
from agente.main import create_app
from agente.storage import db
from agente.storage.models import OutboxJob
from tests.conftest import Running, embedded_settings, running
from tests.security.routes import concrete, operations

WRITES = [(method, concrete(path)) for method, path in operations() if method in ("POST", "PUT", "PATCH")]
_DOCUMENT = create_app(Settings(env="test")).openapi()["paths"]
# Routes that read a body (a few POSTs are commands without one, and never read what is sent).
READERS = [
    (method, concrete(path))
    for path, ops in _DOCUMENT.items()
    for method, op in ((m.upper(), o) for m, o in ops.items())
    if "requestBody" in op
]
AUTH = {"Authorization": "Bearer s3cr3t-ops"}


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Running]:
    settings = embedded_settings(
        tmp_path,
        admin_token="ops:s3cr3t-ops",
        whatsapp_app_secret=SecretStr("app-secret"),
        email_webhook_secret=SecretStr("email-secret"),
        smtp_host="127.0.0.1",
        smtp_from="Hotel <reservas@hotel.example>",
    )
    async with running(settings) as svc:
        yield svc


async def _jobs(service: Running) -> int:
    async with db.session_scope(service.container.session_factory) as session:
        return int((await session.execute(select(func.count()).select_from(OutboxJob))).scalar_one())


async def _stream(size: int) -> AsyncIterator[bytes]:
    """``size`` bytes in chunks, sent without a Content-Length."""
    chunk = b"x" * 16_384
    for start in range(0, size, len(chunk)):
        yield chunk[: size - start]


def _assert_413(response_status: int, body: dict[str, object], what: str) -> None:
    assert response_status == 413, what
    assert body["error"]["code"] == "payload_too_large", what  # type: ignore[index]


def test_every_write_route_is_covered() -> None:
    assert len(WRITES) >= 15 and ("POST", "/webhooks/email") in WRITES and ("POST", "/api/messages") in WRITES
    assert limit_for("/webhooks/whatsapp") == WEBHOOK_LIMIT and limit_for("/api/messages") == DEFAULT_LIMIT


async def test_a_declared_oversized_body_is_413_on_every_write_route(service: Running) -> None:
    for method, path in WRITES:
        body = b'{"text": "' + b"x" * limit_for(path) + b'"}'
        response = await service.client.request(
            method, path, content=body, headers={**AUTH, "Content-Type": "application/json"}
        )
        _assert_413(response.status_code, response.json(), f"{method} {path}")
        assert response.headers["content-type"] == "application/json"
    assert await _jobs(service) == 0


async def test_a_streamed_oversized_body_is_413_on_every_route_that_reads_one(service: Running) -> None:
    assert len(READERS) >= 12
    for method, path in READERS:
        response = await service.client.request(method, path, content=_stream(limit_for(path) + 1), headers=AUTH)
        assert "content-length" not in response.request.headers
        _assert_413(response.status_code, response.json(), f"{method} {path} (streamed)")
    assert await _jobs(service) == 0


async def test_a_body_within_the_limit_is_read(service: Running) -> None:
    near = b'{"guest_id": "web-1", "text": "' + b"a" * 4000 + b'"' + b" " * (DEFAULT_LIMIT - 4100) + b"}"
    response = await service.client.post("/api/messages", content=near, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
