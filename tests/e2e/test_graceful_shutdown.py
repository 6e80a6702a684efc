"""SIGTERM against a real server process (tests/e2e/slow_server.py through agente.server.serve).

What a load balancer and a client see: readiness turns 503 at once, the listener closes after
SHUTDOWN_DRAIN_SECONDS, requests in flight still get their answer, and the process exits 0 —
no later than SHUTDOWN_TIMEOUT allows.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.conftest import free_port
from tests.e2e.procs import SLOW_SERVER, STARTUP_TIMEOUT, clean_env, json_lines, process_output

pytestmark = pytest.mark.e2e

IN_FLIGHT = re.compile(r"^http_requests_in_flight ([0-9.]+)$", re.MULTILINE)
IN_FLIGHT_TIMEOUT = 10.0


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return process_output(self.stdout, self.stderr)


def _log_file(path: Path) -> IO[bytes]:
    return path.open("wb")


@asynccontextmanager
async def running_server(tmp_path: Path, **settings: str) -> AsyncIterator[Server]:
    """Start slow_server.py on a free port, wait until it is live, always kill it on the way out."""
    port = free_port()
    env = clean_env(ENV="test", DATA_DIR=str(tmp_path / "var"), HOST="127.0.0.1", PORT=str(port), **settings)
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    # The child keeps its own copies of the descriptors; ours can close once it is spawned.
    with _log_file(stdout) as out, _log_file(stderr) as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(SLOW_SERVER), env=env, cwd=tmp_path, stdout=out, stderr=err
        )
    server = Server(proc, f"http://127.0.0.1:{port}", stdout, stderr)
    try:
        await _wait_live(server)
        yield server
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def _wait_live(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    async with httpx.AsyncClient(base_url=server.url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.proc.returncode is not None:
                raise AssertionError(f"server exited with {server.proc.returncode}\n{server.output()}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"server not live within {STARTUP_TIMEOUT:g}s\n{server.output()}")


def _fresh_connections(server: Server) -> httpx.AsyncClient:
    """A client that opens a new connection per request, as a load balancer's probe does."""
    return httpx.AsyncClient(base_url=server.url, timeout=2.0, limits=httpx.Limits(max_keepalive_connections=0))


async def _wait_in_flight(server: Server, count: int) -> None:
    """Until the server reports ``count`` requests in progress besides the /metrics scrape itself."""
    seen = 0.0
    async with _fresh_connections(server) as probe:
        try:
            async with asyncio.timeout(IN_FLIGHT_TIMEOUT):
                while True:
                    match = IN_FLIGHT.search((await probe.get("/metrics")).text)
                    seen = float(match.group(1)) - 1 if match else 0.0
                    if seen >= count:
                        return
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"only {seen:g} of {count} requests in flight after {IN_FLIGHT_TIMEOUT:g}s") from None


async def _cancel(tasks: list[asyncio.Task[httpx.Response]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


CONCURRENT = 5
SLOW_SECONDS = 3.0
DRAIN_SECONDS = 1.0


async def test_sigterm_drains_then_answers_every_request_in_flight_and_exits_0(tmp_path: Path) -> None:
    async with (
        running_server(tmp_path, SHUTDOWN_DRAIN_SECONDS=str(DRAIN_SECONDS), SHUTDOWN_TIMEOUT="15") as server,
        httpx.AsyncClient(base_url=server.url, timeout=30.0) as client,
        _fresh_connections(server) as probe,
    ):
        slow = [
            asyncio.create_task(client.get("/slow", params={"seconds": SLOW_SECONDS, "tag": f"guest-{n}"}))
            for n in range(CONCURRENT)
        ]
        try:
            await _wait_in_flight(server, CONCURRENT)
            server.proc.send_signal(signal.SIGTERM)
            sigterm_at = time.monotonic()

            # The signal handler runs asynchronously to our send: retry briefly, within the drain.
            ready = await probe.get("/health/ready")
            while ready.status_code != 503 and time.monotonic() < sigterm_at + DRAIN_SECONDS / 2:
                await asyncio.sleep(0.05)
                ready = await probe.get("/health/ready")
            assert ready.status_code == 503, ready.text
            assert ready.json()["shutting_down"] is True
            assert ready.json()["status"] == "unhealthy"

            # After the drain the listener closes: new connections are refused...
            refused = False
            while not refused and time.monotonic() < sigterm_at + DRAIN_SECONDS + 2:
                try:
                    await probe.get("/health/live")
                except httpx.ConnectError:
                    refused = True
                except httpx.ReadError:
                    # Connected into the backlog just as the listener closed: dropped unserved,
                    # which is the same outcome for a new client. Keep probing for the refusal.
                    await asyncio.sleep(0.05)
                else:
                    await asyncio.sleep(0.05)
            assert refused, "listener still accepting connections 2 s after the drain"
            # ...while the requests accepted before are still being worked on.
            assert not any(task.done() for task in slow)

            responses = await asyncio.gather(*slow)
            exit_code = await asyncio.wait_for(server.proc.wait(), timeout=DRAIN_SECONDS + SLOW_SECONDS + 5)
            stopped_after = time.monotonic() - sigterm_at
        finally:
            await _cancel(slow)

    for n, response in enumerate(responses):
        assert response.status_code == 200, response.text
        assert response.json() == {"slept": SLOW_SECONDS, "tag": f"guest-{n}"}
    assert exit_code == 0, server.output()
    assert stopped_after < DRAIN_SECONDS + SLOW_SECONDS + 3, server.output()

    records = json_lines(server.stdout.read_text())
    assert all({"event", "level", "timestamp"} <= record.keys() for record in records)
    slow_access = [r for r in records if r.get("logger") == "agente.access" and r.get("route") == "/slow"]
    assert [r["status"] for r in slow_access] == [200] * CONCURRENT
    assert any(r["event"] == "service stopping" for r in records)
    assert server.stderr.read_text() == ""


async def test_shutdown_timeout_bounds_the_exit_when_a_request_runs_long(tmp_path: Path) -> None:
    async with (
        running_server(tmp_path, SHUTDOWN_DRAIN_SECONDS="0", SHUTDOWN_TIMEOUT="1") as server,
        httpx.AsyncClient(base_url=server.url, timeout=30.0) as client,
    ):
        long_request = asyncio.create_task(client.get("/slow", params={"seconds": 10}))
        try:
            await _wait_in_flight(server, 1)
            server.proc.send_signal(signal.SIGTERM)
            sigterm_at = time.monotonic()
            exit_code = await asyncio.wait_for(server.proc.wait(), timeout=8)
            stopped_after = time.monotonic() - sigterm_at
            outcome: httpx.Response | BaseException = (await asyncio.gather(long_request, return_exceptions=True))[0]
        finally:
            await _cancel([long_request])

    assert exit_code == 0, server.output()
    # SHUTDOWN_TIMEOUT (1 s) plus start-up of the shutdown, far below the request's 10 s.
    assert stopped_after < 5, server.output()
    # The request was cut off: an error status or a dropped connection, never its answer.
    if isinstance(outcome, httpx.Response):
        assert outcome.status_code >= 500, outcome.text
    else:
        assert isinstance(outcome, httpx.TransportError), repr(outcome)
