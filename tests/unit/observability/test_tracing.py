"""Traces of a request and of an outbox job, as a collector would receive them (in memory)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import ValidationError

from agente.config import Settings
from agente.container import Container
from agente.main import create_app
from agente.observability import tracing
from agente.observability.logging import configure_logging
from agente.outbox import OutboxRelay
from tests.conftest import Running, client_for, embedded_settings, lifespan, running

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
GUEST = "ana.garcia@example.org"
MESSAGE = "quiero reservar del 12 al 15 de diciembre para 2 adultos"


@pytest.fixture
def exporter(settings: Settings) -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test, every ended span kept in memory."""
    memory = InMemorySpanExporter()
    handle = tracing.configure_tracing(settings, service_name="agente-api", exporter=memory)
    yield memory
    handle.shutdown()
    assert not tracing.enabled()


def _lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def _children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> dict[str, ReadableSpan]:
    assert parent.context is not None
    return {s.name: s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id}


def _descends(spans: tuple[ReadableSpan, ...], span: ReadableSpan, ancestor: ReadableSpan) -> bool:
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    assert ancestor.context is not None
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


def _attribute_text(spans: tuple[ReadableSpan, ...]) -> str:
    values = [str(v) for s in spans for v in (s.attributes or {}).values()]
    values += [str(v) for s in spans for e in s.events for v in (e.attributes or {}).values()]
    return "\n".join(values + [s.name for s in spans])


async def test_a_message_is_traced_from_the_request_to_the_pms_and_the_database(
    exporter: InMemorySpanExporter, service: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    response = await service.client.post(
        "/api/messages", json={"guest_id": GUEST, "text": MESSAGE}, headers={"traceparent": TRACEPARENT}
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "choose_room"
    spans = exporter.get_finished_spans()

    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "POST /api/messages"
    assert server.attributes is not None and server.context is not None and server.parent is not None
    assert server.attributes["http.route"] == "/api/messages"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["agente.request_id"] == response.headers["x-request-id"]
    # The caller's traceparent is continued: same trace, the caller's span as parent.
    assert _hex(server.context.trace_id, 32) == TRACE_ID
    assert _hex(server.parent.span_id, 16) == PARENT_ID and server.parent.is_remote
    assert {_hex(s.context.trace_id, 32) for s in spans if s.context} == {TRACE_ID}
    assert server.resource.attributes["service.name"] == "agente-api"

    turn = _children(spans, server)["conversation.turn"]
    steps = _children(spans, turn)
    assert {"conversation.parse", "conversation.dialogue", "conversation.reply"} <= steps.keys()
    assert turn.attributes is not None
    assert turn.attributes["conversation.intent"] in {"book_room", "check_availability"}
    assert turn.attributes["conversation.state"] == "choose_room"
    quote = next(s for s in spans if s.name == "conversation.quote")
    assert _descends(spans, quote, steps["conversation.dialogue"])

    pms = _children(spans, quote)["pms availability"]
    assert pms.kind is SpanKind.CLIENT and pms.attributes is not None
    assert pms.attributes["pms.cache"] == "miss"
    assert pms.attributes["pms.outcome"] == "ok"
    assert pms.attributes["pms.breaker.state"] == "closed"
    assert pms.attributes["pms.system"] == "simulator"

    database = [s for s in spans if s.attributes and s.attributes.get("db.system.name") in {"sqlite", "postgresql"}]
    assert database and all(_descends(spans, s, server) for s in database)
    assert any(s.attributes and s.attributes["db.operation.name"] == "INSERT" for s in database)
    assert any(_descends(spans, s, steps["conversation.reply"]) for s in database)
    redis = [s for s in spans if s.name.startswith("redis")]
    assert redis and all(s.kind is SpanKind.CLIENT and _descends(spans, s, server) for s in redis)

    # Nothing the guest wrote, nor who they are, is in a span.
    recorded = _attribute_text(spans)
    assert GUEST not in recorded and "ana.garcia" not in recorded
    assert "diciembre" not in recorded and "adultos" not in recorded

    access = [e for e in _lines(capsys.readouterr().out) if e.get("logger") == "agente.access"]
    (line,) = [e for e in access if e["route"] == "/api/messages"]
    assert line["trace_id"] == TRACE_ID
    assert line["span_id"] == _hex(server.context.span_id, 16)
    assert line["request_id"] == response.headers["x-request-id"]
    assert list(line)[-1] == "client_ip"


async def test_a_failing_request_is_an_error_span_that_keeps_the_message_out(
    exporter: InMemorySpanExporter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    app = create_app(embedded_settings(tmp_path))

    async def explode() -> None:
        raise RuntimeError(f"guest {GUEST} broke it")

    app.add_api_route("/explode/{item}", explode)
    async with lifespan(app) as manager, await client_for(manager.app) as client:
        response = await client.get("/explode/7")
    assert response.status_code == 500
    (server,) = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert server.name == "GET /explode/{item}"
    assert server.status.status_code is StatusCode.ERROR
    assert server.attributes is not None and server.attributes["http.response.status_code"] == 500
    assert GUEST not in _attribute_text(exporter.get_finished_spans())
    assert server.context is not None
    (error,) = [e for e in _lines(capsys.readouterr().out) if e.get("event") == "unhandled error"]
    assert error["trace_id"] == _hex(server.context.trace_id, 32)


async def test_without_a_collector_nothing_is_traced_and_logs_have_no_trace_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = embedded_settings(tmp_path)
    handle = tracing.configure_tracing(settings, service_name="agente-api")
    assert handle.provider is None and not tracing.enabled()
    configure_logging("INFO")
    async with running(settings) as svc:
        response = await svc.client.get("/health/ready", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    lines = _lines(capsys.readouterr().out)
    (access,) = [e for e in lines if e.get("logger") == "agente.access"]
    assert access["request_id"] == response.headers["x-request-id"]
    assert not any("trace_id" in e or "span_id" in e for e in lines)
    assert handle.shutdown()


async def test_an_outbox_job_runs_in_its_own_span_with_what_it_does_inside(
    exporter: InMemorySpanExporter, container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    log = structlog.stdlib.get_logger("agente.test.job")

    async def send(payload: dict[str, Any]) -> dict[str, Any]:
        log.info("sending", n=payload["n"])
        await container.facts.all()
        return {}

    async def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError(f"could not reach {GUEST}")

    async with container.storage.begin() as uow:
        await uow.outbox.enqueue("test.send", {"n": 1})
        await uow.outbox.enqueue("test.broken", {"n": 2})
    exporter.clear()
    relay = OutboxRelay(container.storage, {"test.send": send, "test.broken": broken}, container.metrics)
    assert await relay.run_once() == 2

    spans = exporter.get_finished_spans()
    jobs = {s.name: s for s in spans if s.kind is SpanKind.CONSUMER}
    assert jobs.keys() == {"outbox test.send", "outbox test.broken"}
    done, failed = jobs["outbox test.send"], jobs["outbox test.broken"]
    assert done.parent is None and done.attributes is not None and done.context is not None
    assert done.attributes["outbox.job.kind"] == "test.send"
    assert done.attributes["outbox.job.attempt"] == 1
    assert done.attributes["outbox.job.outcome"] == "done"
    assert failed.attributes is not None and failed.attributes["outbox.job.outcome"] == "retry"
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes["error.type"] == "RuntimeError"
    assert GUEST not in _attribute_text(spans)
    # The handler's queries nest in the job; claiming jobs (the idle poll) starts no trace.
    queries = [s for s in spans if s.attributes and "db.system.name" in s.attributes]
    assert any(_descends(spans, s, done) for s in queries)
    assert all(s.parent is not None for s in queries)

    (sending,) = [e for e in _lines(capsys.readouterr().out) if e.get("event") == "sending"]
    assert sending["trace_id"] == _hex(done.context.trace_id, 32)
    assert sending["job_kind"] == "test.send"


def test_the_worker_names_its_service_and_otel_service_name_overrides(tmp_path: Path) -> None:
    for settings, expected in (
        (Settings(data_dir=tmp_path), "agente-worker"),
        (Settings(data_dir=tmp_path, otel_service_name="hotel-prime-worker"), "hotel-prime-worker"),
    ):
        memory = InMemorySpanExporter()
        handle = tracing.configure_tracing(settings, service_name="agente-worker", exporter=memory)
        with tracing.span("job"):
            pass
        handle.shutdown()
        assert memory.get_finished_spans()[-1].resource.attributes["service.name"] == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("  ", None), ("http://jaeger:4318", "http://jaeger:4318")]
)
def test_collector_endpoint_is_optional(value: str, expected: str | None) -> None:
    assert Settings(otel_exporter_otlp_endpoint=value).otel_exporter_otlp_endpoint == expected


def test_collector_endpoint_must_be_a_url() -> None:
    with pytest.raises(ValidationError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
        Settings(otel_exporter_otlp_endpoint="jaeger:4318")


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_shutdown_gives_up_on_a_collector_that_never_answers(
    black_hole: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        otel_exporter_otlp_endpoint=f"http://127.0.0.1:{black_hole}",
        tracing_export_timeout=30,
        tracing_shutdown_timeout=0.5,
        tracing_queue_size=4,
    )
    handle = tracing.configure_tracing(settings, service_name="agente-api")
    with caplog.at_level(logging.WARNING, logger="opentelemetry"):
        started = time.perf_counter()
        for _ in range(50):
            with tracing.span("work"):
                pass
        ending = time.perf_counter() - started
        stopping = time.perf_counter()
        assert handle.shutdown() is False
        stopped_after = time.perf_counter() - stopping
    # Ending spans only queued them; the stop waited for its bound, not for the 30 s export.
    assert ending < 0.5
    assert 0.4 < stopped_after < 2.0
    assert not tracing.enabled()
    # A full queue says so once, not once per dropped span.
    assert len([r for r in caplog.records if "Queue full" in r.getMessage()]) == 1
