"""The ``agente`` command: run the API and the worker, migrate, and operate.

Every command builds its settings from the environment once and uses the same wiring as
the service (``create_app`` / ``build_container``). Bad configuration prints what is wrong
and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
import httpx
from pydantic import ValidationError

from agente.config import Settings
from agente.conversation import commands as conversation_commands
from agente.errors import AgenteError
from agente.observability.logging import configure_logging
from agente.observability.tracing import configure_tracing
from agente.ops import commands as ops_commands


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        click.echo("agente: the configuration cannot work:", err=True)
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            for part in message.split("; "):
                click.echo(f"  - {where}: {part}" if where != "settings" else f"  - {part}", err=True)
        sys.exit(2)


class _Group(click.Group):
    """Turns the service's own errors into one line and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AgenteError as exc:
            click.echo(f"agente: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
def main() -> None:
    """Agente Hotelero: the hotel's virtual receptionist."""


@main.command()
@click.option("--host", default=None, help="Address to bind (default: HOST or 0.0.0.0).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (default: PORT or 8002).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the HTTP API until SIGTERM/SIGINT (graceful)."""
    from agente.server import serve as run_server

    settings = load_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    configure_logging(settings.log_level)
    tracing = configure_tracing(settings, service_name="agente-api")
    try:
        run_server(settings)
    finally:
        tracing.shutdown()


@main.command()
def worker() -> None:
    """Run background jobs until SIGTERM (the job in progress finishes first)."""
    import asyncio

    from agente.worker.main import run_worker

    settings = load_settings()
    configure_logging(settings.log_level)
    tracing = configure_tracing(settings, service_name="agente-worker")
    try:
        asyncio.run(run_worker(settings))
    finally:
        tracing.shutdown()


@main.group()
def logs() -> None:
    """The application event log (table ``logs``)."""


@logs.command("prune")
@click.option(
    "--older-than", "older_than", default="7d", show_default=True, help="Age of the rows to delete: 7d, 36h, 90m."
)
def logs_prune(older_than: str) -> None:
    """Delete log rows older than the given age, in batches; print how many."""
    import asyncio

    from agente.container import build_container
    from agente.worker.retention import prune_logs

    age = parse_age(older_than)
    settings = load_settings()
    configure_logging(settings.log_level, stream=sys.stderr)  # stdout carries the JSON answer

    async def run() -> int:
        async with build_container(settings) as container:
            return await prune_logs(container.session_factory, older_than=age, batch_size=settings.retention_batch_size)

    deleted = asyncio.run(run())
    click.echo(json.dumps({"deleted": deleted, "older_than": older_than}))


def parse_age(text: str) -> timedelta:
    """``7d`` / ``36h`` / ``90m`` → timedelta; anything else is a usage error."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) == 0:
        raise click.BadParameter(f"{text!r}: use a positive whole number and d, h or m (e.g. 7d)")
    return timedelta(**{units[unit]: int(number)})


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from agente.storage import migrate

    settings = load_settings()
    configure_logging(settings.log_level)
    migrate.upgrade(settings, revision)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' empties the schema)."""
    from agente.storage import migrate

    settings = load_settings()
    configure_logging(settings.log_level)
    migrate.downgrade(settings, revision)


@main.command()
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


for command in (
    ops_commands.flags,
    ops_commands.ratelimit,
    ops_commands.blocklist,
    ops_commands.pms,
    conversation_commands.chat,
    conversation_commands.nlu,
):
    main.add_command(command)
