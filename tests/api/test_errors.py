from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agente.main import create_app
from tests.conftest import client_for, embedded_settings, lifespan


@pytest.fixture
async def failing_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(embedded_settings(tmp_path))

    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_api_route("/explode", explode)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        yield client


async def test_unhandled_error_is_json_500_without_trace(
    failing_client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await failing_client.get("/explode", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "internal_error"
    assert body["request_id"] == "trace-me-1"
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "trace-me-1"


async def test_not_found_and_method_not_allowed_are_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = await client.put("/health/ready")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "content, content_type",
    [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b'{"message": ""}', "application/json"),
        (b'{"message": 12}', "application/json"),
        (b"message=test", "application/x-www-form-urlencoded"),
    ],
)
async def test_bad_bodies_get_422_with_details(client: httpx.AsyncClient, content: bytes, content_type: str) -> None:
    response = await client.post("/api/test", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"]


async def test_request_id_is_honoured_or_made(client: httpx.AsyncClient) -> None:
    kept = await client.get("/health/ready", headers={"X-Request-ID": "abc-123_x.y"})
    assert kept.headers["x-request-id"] == "abc-123_x.y"
    made = await client.get("/health/ready", headers={"X-Request-ID": "bad id\twith spaces"})
    assert made.headers["x-request-id"] != "bad id\twith spaces"
    assert len(made.headers["x-request-id"]) == 32
