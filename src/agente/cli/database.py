"""``agente db upgrade|downgrade`` (schema migrations) and ``agente logs prune`` (the event log)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta

import click

from agente.cli.settings import load_settings
from agente.observability.logging import configure_logging


@click.group()
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


@click.group()
def logs() -> None:
    """The application event log (table ``logs``)."""


@logs.command("prune")
@click.option(
    "--older-than", "older_than", default="7d", show_default=True, help="Age of the rows to delete: 7d, 36h, 90m."
)
def logs_prune(older_than: str) -> None:
    """Delete log rows older than the given age, in batches; print how many."""
    from agente.container import build_container
    from agente.worker.retention import prune_logs

    age = parse_age(older_than)
    settings = load_settings()
    configure_logging(settings.log_level, stream=sys.stderr)  # stdout carries the JSON answer

    async def run() -> int:
        async with build_container(settings) as container:
            return await prune_logs(container.storage, older_than=age, batch_size=settings.retention_batch_size)

    deleted = asyncio.run(run())
    click.echo(json.dumps({"deleted": deleted, "older_than": older_than}))


def parse_age(text: str) -> timedelta:
    """``7d`` / ``36h`` / ``90m`` → timedelta; anything else is a usage error."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) == 0:
        raise click.BadParameter(f"{text!r}: use a positive whole number and d, h or m (e.g. 7d)")
    return timedelta(**{units[unit]: int(number)})
