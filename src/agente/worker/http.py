"""The worker's own small HTTP port: ``/metrics``, ``/health/live`` and ``/health/ready``.

A separate worker process (``agente worker``) keeps its metrics — outbox jobs, backlog by
status, job durations, channel sends — in its own registry, so Prometheus scrapes it as
its own target (job ``agente-worker``), and orchestrators probe it like the API:

* ``/health/live`` — 200 while the scheduler loop keeps beating; 503 when it has not come
  round for ``stale_after`` seconds (a stuck loop: restart the process);
* ``/health/ready`` — 200 when the database answers with the expected schema, else 503;
* ``/metrics`` — Prometheus text; the database and Redis are checked first so
  ``dependency_up`` is current at every scrape.

It binds ``WORKER_METRICS_HOST:WORKER_METRICS_PORT`` (port 0 turns it off). The embedded
mode has no such port: its worker loop lives in the API process and shows on the API's
``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agente.readiness import HealthChecks, Status

__all__ = ["WorkerHttp", "worker_app"]


def worker_app(health: HealthChecks, last_beat: Callable[[], float], *, stale_after: float) -> Starlette:
    """The ASGI app; ``last_beat`` returns the ``time.monotonic()`` of the scheduler's last round."""

    async def live(request: Request) -> Response:
        age = time.monotonic() - last_beat()
        body = {"status": "alive" if age < stale_after else "stuck", "last_round_seconds_ago": round(age, 1)}
        return JSONResponse(body, status_code=200 if age < stale_after else 503)

    async def ready(request: Request) -> Response:
        database = await health.database()
        ok = database.status is Status.HEALTHY
        body = {"status": "ready" if ok else "unhealthy", "postgres": database.model_dump(mode="json")}
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        return Response(await health.scrape(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/health/live", live),
            Route("/health/ready", ready),
            Route("/metrics", metrics),
        ]
    )


class _Server(uvicorn.Server):
    # The worker handles SIGTERM itself (finish the job in progress, then stop this port).
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WorkerHttp:
    """Serves :func:`worker_app` inside the worker's event loop until :meth:`stop`."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the bind error
                return
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
