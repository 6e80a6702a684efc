"""Running the API under uvicorn with the shutdown the runbook relies on.

On SIGTERM (``docker stop``, ``docker kill --signal SIGTERM``, a Kubernetes pod deletion):

1. readiness answers 503 at once, so load balancers stop sending new traffic;
2. after ``SHUTDOWN_DRAIN_SECONDS`` the listener closes;
3. requests in flight finish, for at most ``SHUTDOWN_TIMEOUT`` seconds;
4. the lifespan closes the container and the process exits 0.

A second SIGINT (Ctrl-C twice) forces the exit.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import cast

import uvicorn
from fastapi import FastAPI

from agente.config import Settings
from agente.lifecycle import Lifecycle
from agente.main import create_app


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, lifecycle: Lifecycle, drain_seconds: float) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.drain_seconds = drain_seconds
        self._exit_at: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not recorded in uvicorn's captured signals: re-raising SIGTERM after a clean
        # shutdown would turn exit status 0 into 143.
        if self._exit_at is not None and sig == signal.SIGINT:
            self.force_exit = True
            self.should_exit = True
            return
        self.lifecycle.begin_drain()
        if self._exit_at is None:
            self._exit_at = time.monotonic() + self.drain_seconds

    async def on_tick(self, counter: int) -> bool:
        if self._exit_at is not None and time.monotonic() >= self._exit_at:
            self.should_exit = True
        return await super().on_tick(counter)


def serve(settings: Settings, app: FastAPI | None = None, lifecycle: Lifecycle | None = None) -> None:
    """Serve ``app`` (default: ``create_app(settings)``) until a signal stops it."""
    lifecycle = lifecycle or Lifecycle()
    app = app or create_app(settings, lifecycle=lifecycle)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # logging is already JSON on stdout (configure_logging)
        access_log=False,
        proxy_headers=False,  # the app resolves X-Forwarded-For itself (TRUSTED_PROXIES)
        server_header=False,
        # uvicorn hands this to asyncio.wait_for, which takes fractions of a second too.
        timeout_graceful_shutdown=cast(int, settings.shutdown_timeout),
        timeout_keep_alive=5,
    )
    GracefulServer(config, lifecycle, settings.shutdown_drain_seconds).run()
