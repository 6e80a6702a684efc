"""Tracing against real ``agente serve`` processes: spans reach an OTLP/HTTP collector, and a
collector that refuses or never answers slows neither requests nor the SIGTERM shutdown."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from agente.config import Environment, Settings
from agente.storage import migrate
from tests.conftest import free_port
from tests.e2e.procs import AGENTE, STARTUP_TIMEOUT, clean_env, json_lines, wait_for_http

pytestmark = pytest.mark.e2e

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
SHUTDOWN_TIMEOUT = 3.0


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return f"--- stdout\n{self.stdout.read_text()}\n--- stderr\n{self.stderr.read_text()}"

    def wait_ready(self) -> None:
        wait_for_http(f"{self.url}/health/ready", alive=lambda: self.proc.poll() is None, timeout=STARTUP_TIMEOUT)

    def stop(self) -> float:
        """SIGTERM; the seconds until the process exited (asserted to be status 0)."""
        self.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = self.proc.wait(timeout=SHUTDOWN_TIMEOUT + 15)
        stopped_after = time.monotonic() - started
        assert code == 0, self.output()
        return stopped_after


@contextmanager
def started(workdir: Path, **settings: str) -> Iterator[Server]:
    """``agente serve`` on an embedded database in ``workdir`` (migrated here first); killed on
    the way out if it is still running. Use :meth:`Server.wait_ready` before talking to it."""
    data_dir = workdir / "var"
    migrate.upgrade(Settings(env=Environment.TEST, data_dir=data_dir, database_url=None, redis_url=None))
    port = free_port()
    env = clean_env(
        ENV="test",
        DATA_DIR=str(data_dir),
        HOST="127.0.0.1",
        PORT=str(port),
        SHUTDOWN_TIMEOUT=str(SHUTDOWN_TIMEOUT),
        # The model trained by the first server (or by the in-process tests) is loaded by the others.
        NLU_MODEL_DIR=os.environ["NLU_MODEL_DIR"],
        **settings,
    )
    stdout, stderr = workdir / "stdout.log", workdir / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        proc = subprocess.Popen([AGENTE, "serve"], env=env, cwd=workdir, stdout=out, stderr=err, text=True)
    try:
        yield Server(proc, f"http://127.0.0.1:{port}", stdout, stderr)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@contextmanager
def serving(workdir: Path, **settings: str) -> Iterator[Server]:
    """:func:`started`, ready to answer."""
    with started(workdir, **settings) as server:
        server.wait_ready()
        yield server


@dataclass
class Collector:
    """A minimal OTLP/HTTP receiver: ``POST /v1/traces`` with a protobuf body, answered 200."""

    port: int
    requests: list[ExportTraceServiceRequest] = field(default_factory=list)

    def spans(self) -> list[tuple[dict[str, Any], Span]]:
        """Every span received, with its resource's attributes."""
        found = []
        for request in self.requests:
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    found += [(resource, span) for span in scope_spans.spans]
        return found


@pytest.fixture
def collector() -> Iterator[Collector]:
    received = Collector(port=0)

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path != "/v1/traces" or self.headers["Content-Type"] != "application/x-protobuf":
                self.send_error(404)
                return
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            received.requests.append(request)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    received.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts connections and never answers on them."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_spans_reach_an_otlp_collector_as_agente_api(tmp_path: Path, collector: Collector) -> None:
    with serving(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.port}") as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            ready = client.get("/health/ready", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
            message = client.post("/api/messages", json={"guest_id": "web-7", "text": "hola, buenas tardes"})
        assert ready.status_code == 200 and message.status_code == 200, message.text
        # The last spans are flushed by the shutdown, well within its bound.
        assert server.stop() < SHUTDOWN_TIMEOUT + 2, server.output()

    spans = collector.spans()
    assert spans, server.output()
    assert {resource["service.name"] for resource, _ in spans} == {"agente-api"}
    by_name = {span.name: span for _, span in spans}

    probe = by_name["GET /health/ready"]
    assert probe.kind == Span.SpanKind.SPAN_KIND_SERVER
    assert probe.trace_id.hex() == TRACE_ID and probe.parent_span_id.hex() == PARENT_ID
    assert {a.key: a.value.string_value for a in probe.attributes}["http.route"] == "/health/ready"
    inside_probe = [s for _, s in spans if s.trace_id == probe.trace_id and s.parent_span_id == probe.span_id]
    assert {"redis PING", "pms health"} <= {s.name for s in inside_probe}

    turn = by_name["conversation.turn"]
    assert turn.parent_span_id == by_name["POST /api/messages"].span_id
    assert any(s.parent_span_id == turn.span_id and s.name == "conversation.parse" for _, s in spans)

    access = [r for r in json_lines(server.stdout.read_text()) if r.get("logger") == "agente.access"]
    (probe_line,) = [r for r in access if r["route"] == "/health/ready" and r.get("trace_id") == TRACE_ID]
    assert probe_line["span_id"] == probe.span_id.hex()
    assert server.stderr.read_text() == ""


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20)
    return statistics.median(samples), cuts[18]


ROUNDS = 200
WARM_UP = 20


@pytest.mark.timeout(300)
def test_an_unreachable_collector_slows_neither_requests_nor_shutdown(tmp_path: Path, black_hole: int) -> None:
    closed = free_port()  # nothing listens there: connections are refused
    # A black-holed export would wait 10 s for an answer; the stop may wait 1 s for it.
    traced = {"TRACING_EXPORT_TIMEOUT": "10", "TRACING_SHUTDOWN_TIMEOUT": "1"}
    for name in ("plain", "refused", "silent"):
        (tmp_path / name).mkdir()
    with (
        serving(tmp_path / "plain") as plain,  # first, alone: it may have to train the model
        started(tmp_path / "refused", OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{closed}", **traced) as refused,
        started(tmp_path / "silent", OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{black_hole}", **traced) as silent,
    ):
        refused.wait_ready()
        silent.wait_ready()
        servers = {"plain": plain, "refused": refused, "silent": silent}
        latency: dict[str, list[float]] = {name: [] for name in servers}
        clients = {name: httpx.Client(base_url=server.url, timeout=10) for name, server in servers.items()}
        try:
            # Interleaved, so whatever else the machine does weighs on the three alike.
            for round_number in range(WARM_UP + ROUNDS):
                for name, client in clients.items():
                    started_at = time.perf_counter()
                    response = client.get("/health/ready")
                    elapsed = time.perf_counter() - started_at
                    assert response.status_code == 200, response.text
                    if round_number >= WARM_UP:
                        latency[name].append(elapsed)
        finally:
            for client in clients.values():
                client.close()
        stopped_after = {name: servers[name].stop() for name in ("plain", "refused", "silent")}

    base_p50, base_p95 = _percentiles(latency["plain"])
    untraced = f"untraced p50 {base_p50 * 1000:.1f} ms, p95 {base_p95 * 1000:.1f} ms"
    for name in ("refused", "silent"):
        p50, p95 = _percentiles(latency[name])
        report = f"{name}: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; {untraced}"
        assert p50 < 1.5 * base_p50 + 0.005, report
        assert p95 < 1.5 * base_p95 + 0.005, report
        # Measured against the untraced server's own stop in the same run, so a loaded machine's
        # slower process exit is not blamed on tracing: at most the 1 s flush bound more.
        stops = f"{name} took {stopped_after[name]:.1f} s to stop, untraced {stopped_after['plain']:.1f} s"
        assert stopped_after[name] < stopped_after["plain"] + 1 + 1.5, stops
        assert stopped_after[name] < SHUTDOWN_TIMEOUT + 1 + 3, stops
        # Export failures are reported, but not once per batch or per dropped span.
        records = json_lines(servers[name].stdout.read_text())
        sdk_lines = [r["event"] for r in records if str(r.get("logger", "")).startswith("opentelemetry")]
        assert len(sdk_lines) <= 6, sdk_lines
        if name == "refused":  # refused at once: reported within the run (the silent one may still wait)
            assert any("Connection refused" in line for line in sdk_lines), sdk_lines
