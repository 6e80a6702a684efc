"""A real API process with one extra route, ``GET /slow?seconds=N&tag=T``, for the shutdown tests.

Configured from the environment like ``agente serve`` (DATA_DIR, PORT, SHUTDOWN_TIMEOUT,
SHUTDOWN_DRAIN_SECONDS...), its embedded database migrated first, and served through
:func:`agente.server.serve` so that SIGTERM takes the production code path (GracefulServer).

Run as a script: ``python tests/e2e/slow_server.py``.
"""

from __future__ import annotations

import asyncio

from agente.config import Settings
from agente.lifecycle import Lifecycle
from agente.main import create_app
from agente.observability.logging import configure_logging
from agente.server import serve
from agente.storage import migrate


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    migrate.upgrade(settings)
    lifecycle = Lifecycle()
    app = create_app(settings, lifecycle=lifecycle)

    @app.get("/slow")
    async def slow(seconds: float, tag: str = "") -> dict[str, object]:
        await asyncio.sleep(seconds)
        return {"slept": seconds, "tag": tag}

    serve(settings, app=app, lifecycle=lifecycle)


if __name__ == "__main__":
    main()
