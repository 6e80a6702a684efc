"""``agente flags list|set``: feature flags (Redis keys ``feature_flags:<name>``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from agente.cli.controls import actor, echo_json, with_container
from agente.cli.settings import load_settings
from agente.container import Container
from agente.ops import changes
from agente.ops.flags import parse_flag_value


@click.group()
def flags() -> None:
    """Feature flags (Redis keys feature_flags:<name>)."""


@flags.command("list")
def flags_list() -> None:
    """Every known flag with its value, default and source."""

    async def action(c: Container) -> list[dict[str, Any]]:
        return [asdict(s) for s in await c.flags.states()]

    echo_json(with_container(load_settings(), action, needs_redis=True))


@flags.command("set")
@click.argument("name")
@click.argument("value")
def flags_set(name: str, value: str) -> None:
    """Set flag NAME to true or false for every process."""
    enabled = parse_flag_value(value)
    if enabled is None:
        raise click.BadParameter(f"{value!r}: use true or false", param_hint="VALUE")

    async def action(c: Container) -> dict[str, Any]:
        _, after = await changes.set_flag(c.flags, c.storage, actor(), name, enabled)
        return asdict(after)

    echo_json(with_container(load_settings(), action, needs_redis=True))
