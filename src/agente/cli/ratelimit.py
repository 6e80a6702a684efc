"""``agente ratelimit show|set``: the rate limits (Redis keys ``rate_limit:*``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from agente.cli.controls import actor, echo_json, int_in, with_container
from agente.cli.settings import load_settings
from agente.container import Container
from agente.ops import bounds, changes


@click.group()
def ratelimit() -> None:
    """Rate limits (Redis keys rate_limit:*)."""


@ratelimit.command("show")
def ratelimit_show() -> None:
    """The limits in force and the defaults."""

    async def action(c: Container) -> dict[str, Any]:
        policy = await c.limiter.policy(force=True)
        return {**asdict(policy), "defaults": asdict(c.limiter.defaults)}

    echo_json(with_container(load_settings(), action, needs_redis=True))


@ratelimit.command("set")
@click.option("--max-requests", type=int_in(bounds.MAX_REQUESTS))
@click.option("--window-seconds", type=int_in(bounds.WINDOW_SECONDS))
@click.option("--strict/--no-strict", "strict_mode", default=None)
@click.option("--penalty-seconds", type=int_in(bounds.PENALTY_SECONDS))
def ratelimit_set(
    max_requests: int | None, window_seconds: int | None, strict_mode: bool | None, penalty_seconds: int | None
) -> None:
    """Change limits for every process (from the next window)."""
    if max_requests is None and window_seconds is None and strict_mode is None and penalty_seconds is None:
        raise click.UsageError("give at least one of --max-requests, --window-seconds, --strict, --penalty-seconds")

    async def action(c: Container) -> dict[str, Any]:
        _, after = await changes.set_limits(
            c.limiter,
            c.storage,
            actor(),
            max_requests=max_requests,
            window_seconds=window_seconds,
            strict_mode=strict_mode,
            penalty_seconds=penalty_seconds,
        )
        return asdict(after)

    echo_json(with_container(load_settings(), action, needs_redis=True))
