from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog

from agente.main import create_app
from agente.observability.logging import configure_logging
from tests.conftest import client_for, embedded_settings, lifespan


def _lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


async def test_access_line_is_json_with_request_id_and_client_ip_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = embedded_settings(tmp_path)
    configure_logging("INFO")
    app = create_app(settings)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        await client.get("/health/ready", headers={"X-Request-ID": "req-42"})
    out = capsys.readouterr().out
    raw = next(line for line in out.splitlines() if '"req-42"' in line and '"request"' in line)
    entry = json.loads(raw)
    assert entry["event"] == "request"
    assert entry["route"] == "/health/ready"
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert entry["duration_ms"] >= 0
    assert list(entry)[-1] == "client_ip"
    # The runbook ranks clients with awk '{print $NF}': the last field must be the address.
    assert raw.split()[-1] == '"127.0.0.1"}'
    assert all(isinstance(line, dict) for line in _lines(out))


async def test_unhandled_error_is_logged_with_trace_and_no_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    app = create_app(embedded_settings(tmp_path))

    async def explode() -> None:
        raise RuntimeError("cannot reach postgresql://agente:hunter2@db/agente_db for ana@example.org")

    app.add_api_route("/explode", explode)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        await client.get("/explode", headers={"X-Request-ID": "boom-1"})
    out = capsys.readouterr().out
    errors = [e for e in _lines(out) if e.get("event") == "unhandled error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "boom-1"
    assert "RuntimeError" in str(errors[0]["exception"])
    assert "hunter2" not in out
    assert "ana@example.org" not in out


def test_personal_data_is_masked_in_any_field(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    structlog.stdlib.get_logger("agente.test").info(
        "guest wrote from +34 612 345 678", email="ana@example.org", client_ip="10.1.2.3"
    )
    entry = _lines(capsys.readouterr().out)[-1]
    assert entry["event"] == "guest wrote from ***78"
    assert entry["email"] == "a***@example.org"
    assert entry["client_ip"] == "10.1.2.3"


def test_log_level_filters(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING")
    log = structlog.stdlib.get_logger("agente.test.level")
    log.info("quiet")
    log.warning("loud")
    events = [e["event"] for e in _lines(capsys.readouterr().out)]
    assert "loud" in events and "quiet" not in events
    configure_logging("INFO")
