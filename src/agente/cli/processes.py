"""``agente serve``, ``agente worker`` and ``agente health``: the service's processes."""

from __future__ import annotations

import asyncio
import json
import sys

import click
import httpx

from agente.cli.settings import load_settings
from agente.config import Settings
from agente.observability.logging import configure_logging
from agente.observability.tracing import configure_tracing
from agente.storage.schema import require_schema


@click.command()
@click.option("--host", default=None, help="Address to bind (default: HOST or 0.0.0.0).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (default: PORT or 8002).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the HTTP API until SIGTERM/SIGINT (graceful).

    Refuses to start (exit 1) on a database that answers without a schema: run
    ``agente db upgrade`` first."""
    from agente.server import serve as run_server

    settings = load_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    configure_logging(settings.log_level)
    asyncio.run(require_schema(settings))
    tracing = configure_tracing(settings, service_name="agente-api")
    try:
        run_server(settings)
    finally:
        tracing.shutdown()


@click.command()
def worker() -> None:
    """Run background jobs until SIGTERM (the job in progress finishes first).

    Refuses to start (exit 1) on a database that answers without a schema: run
    ``agente db upgrade`` first."""
    settings = load_settings()
    configure_logging(settings.log_level)
    tracing = configure_tracing(settings, service_name="agente-worker")
    try:
        asyncio.run(_run_worker(settings))
    finally:
        tracing.shutdown()


async def _run_worker(settings: Settings) -> None:
    from agente.container import build_container, worker_parts
    from agente.worker.main import run_worker

    async with build_container(settings) as container:
        await run_worker(worker_parts(container))


@click.command()
@click.option("--url", default="http://127.0.0.1:8002/health/ready", show_default=True)
@click.option("--timeout", default=5.0, show_default=True)
def health(url: str, timeout: float) -> None:
    """Print a running service's readiness; exit 0 when healthy or degraded, 1 otherwise."""
    try:
        response = httpx.get(url, timeout=timeout)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        click.echo(json.dumps({"status": "unreachable", "url": url, "error": str(exc)}), err=True)
        sys.exit(1)
    click.echo(json.dumps(body, indent=2))
    sys.exit(0 if body.get("status") in {"healthy", "degraded"} else 1)
