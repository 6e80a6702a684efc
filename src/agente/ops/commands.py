"""The operations controls as shell commands: ``agente flags``, ``ratelimit``, ``blocklist``.

They use the same container and the same code as the admin API, and write the same
audit rows (actor ``cli:<user>``), so a change made from a shell during an incident is as
visible afterwards as one made over HTTP.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any, TypeVar

import click

from agente.config import Settings
from agente.container import Container, build_container
from agente.observability.logging import configure_logging
from agente.ops import changes
from agente.ops.blocklist import render_nginx
from agente.ops.flags import parse_flag_value
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.storage import db

T = TypeVar("T")


def _run(settings: Settings, action: Callable[[Container], Awaitable[T]], *, needs_redis: bool = False) -> T:
    if needs_redis and settings.redis_url is None:
        # Embedded, each process has its own in-process store: a value set here would
        # vanish with this command and never reach the running service.
        raise click.ClickException(
            "REDIS_URL is not set: the running service keeps flags, limits, the breaker and simulator "
            "faults in its own memory. Use its admin API instead (docs/operations.md)."
        )
    configure_logging(settings.log_level, stream=sys.stderr)

    async def main() -> T:
        async with build_container(settings) as container:
            return await action(container)

    return asyncio.run(main())


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _settings() -> Settings:
    from agente.cli import load_settings  # the one place that turns bad settings into a message

    return load_settings()


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group()
def flags() -> None:
    """Feature flags (Redis keys feature_flags:<name>)."""


@flags.command("list")
def flags_list() -> None:
    """Every known flag with its value, default and source."""

    async def action(c: Container) -> list[dict[str, Any]]:
        return [asdict(s) for s in await c.flags.states()]

    _echo(_run(_settings(), action, needs_redis=True))


@flags.command("set")
@click.argument("name")
@click.argument("value")
def flags_set(name: str, value: str) -> None:
    """Set flag NAME to true or false for every process."""
    enabled = parse_flag_value(value)
    if enabled is None:
        raise click.BadParameter(f"{value!r}: use true or false", param_hint="VALUE")

    async def action(c: Container) -> dict[str, Any]:
        async with db.session_scope(c.session_factory) as session:
            _, after = await changes.set_flag(c, session, _actor(), name, enabled)
        return asdict(after)

    _echo(_run(_settings(), action, needs_redis=True))


@click.group()
def ratelimit() -> None:
    """Rate limits (Redis keys rate_limit:*)."""


@ratelimit.command("show")
def ratelimit_show() -> None:
    """The limits in force and the defaults."""

    async def action(c: Container) -> dict[str, Any]:
        policy = await c.limiter.policy(force=True)
        return {**asdict(policy), "defaults": asdict(c.limiter.defaults)}

    _echo(_run(_settings(), action, needs_redis=True))


@ratelimit.command("set")
@click.option("--max-requests", type=click.IntRange(min=1))
@click.option("--window-seconds", type=click.IntRange(min=1))
@click.option("--strict/--no-strict", "strict_mode", default=None)
@click.option("--penalty-seconds", type=click.IntRange(min=1))
def ratelimit_set(
    max_requests: int | None, window_seconds: int | None, strict_mode: bool | None, penalty_seconds: int | None
) -> None:
    """Change limits for every process (from the next window)."""
    if max_requests is None and window_seconds is None and strict_mode is None and penalty_seconds is None:
        raise click.UsageError("give at least one of --max-requests, --window-seconds, --strict, --penalty-seconds")

    async def action(c: Container) -> dict[str, Any]:
        async with db.session_scope(c.session_factory) as session:
            _, after = await changes.set_limits(
                c,
                session,
                _actor(),
                max_requests=max_requests,
                window_seconds=window_seconds,
                strict_mode=strict_mode,
                penalty_seconds=penalty_seconds,
            )
        return asdict(after)

    _echo(_run(_settings(), action, needs_redis=True))


@click.group()
def blocklist() -> None:
    """Blocked client addresses and ranges."""


@blocklist.command("list")
def blocklist_list() -> None:
    async def action(c: Container) -> list[dict[str, Any]]:
        async with db.session_scope(c.session_factory) as session:
            entries = await c.blocklist.entries(session)
            return [{"address": e.network, "reason": e.reason, "expires_at": e.expires_at} for e in entries]

    _echo(_run(_settings(), action))


@blocklist.command("add")
@click.argument("address")
@click.option("--reason")
@click.option("--expires-in-seconds", type=click.IntRange(min=1))
def blocklist_add(address: str, reason: str | None, expires_in_seconds: int | None) -> None:
    """Block ADDRESS (an IP or a CIDR range)."""
    ttl = timedelta(seconds=expires_in_seconds) if expires_in_seconds else None

    async def action(c: Container) -> dict[str, Any]:
        async with db.session_scope(c.session_factory) as session:
            entry = await changes.block(c, session, _actor(), address=address, reason=reason, ttl=ttl)
            return changes.blocked_view(entry)

    _echo(_run(_settings(), action))


@blocklist.command("remove")
@click.argument("address")
def blocklist_remove(address: str) -> None:
    async def action(c: Container) -> bool:
        async with db.session_scope(c.session_factory) as session:
            return await changes.unblock(c, session, _actor(), address) is not None

    if not _run(_settings(), action):
        raise click.ClickException(f"{address} is not on the blocklist")
    _echo({"removed": address})


@blocklist.command("nginx-conf")
def blocklist_nginx_conf() -> None:
    """Print the list as nginx deny lines (for blacklist.conf)."""

    async def action(c: Container) -> str:
        async with db.session_scope(c.session_factory) as session:
            return render_nginx(await c.blocklist.entries(session))

    click.echo(_run(_settings(), action), nl=False)


@click.group()
def pms() -> None:
    """The PMS: circuit breaker and simulator faults."""


@pms.command("breaker")
@click.option("--reset", is_flag=True, help="Close the breaker for every process.")
def pms_breaker(reset: bool) -> None:
    """Show the PMS circuit breaker (or reset it)."""

    async def action(c: Container) -> dict[str, Any]:
        if reset:
            async with db.session_scope(c.session_factory) as session:
                await changes.reset_breaker(c, session, _actor())
        snapshot = await c.pms.breaker.snapshot()
        config = await c.pms.breaker.config()
        return {"state": snapshot.state.name.lower(), "failures": snapshot.failures, "config": asdict(config)}

    _echo(_run(_settings(), action, needs_redis=True))


@pms.command("simulate")
@click.option("--latency-ms", type=click.IntRange(0, 120_000), default=0, show_default=True)
@click.option("--failure-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--down/--up", default=False, show_default=True)
def pms_simulate(latency_ms: int, failure_rate: float, down: bool) -> None:
    """Make the simulated PMS slow, flaky or down (no options: back to normal)."""

    async def action(c: Container) -> dict[str, Any]:
        if c.pms.kind != "simulator":
            raise click.ClickException("PMS_TYPE is not simulator: there are no faults to set")
        async with db.session_scope(c.session_factory) as session:
            after = await changes.set_simulator_faults(
                c, session, _actor(), SimulatorFaults(latency_ms, failure_rate, down)
            )
        return asdict(after)

    _echo(_run(_settings(), action, needs_redis=True))
