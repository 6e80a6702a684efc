"""``agente blocklist list|add|remove|nginx-conf``: blocked client addresses and ranges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from agente.cli.controls import actor, echo_json, int_in, with_container
from agente.cli.settings import load_settings
from agente.container import Container
from agente.ops import bounds, changes
from agente.ops.blocklist import render_nginx


@click.group()
def blocklist() -> None:
    """Blocked client addresses and ranges."""


@blocklist.command("list")
def blocklist_list() -> None:
    async def action(c: Container) -> list[dict[str, Any]]:
        entries = await c.blocklist.entries()
        return [{"address": e.network, "reason": e.reason, "expires_at": e.expires_at} for e in entries]

    echo_json(with_container(load_settings(), action))


@blocklist.command("add")
@click.argument("address")
@click.option("--reason")
@click.option("--expires-in-seconds", type=int_in(bounds.BLOCK_SECONDS))
def blocklist_add(address: str, reason: str | None, expires_in_seconds: int | None) -> None:
    """Block ADDRESS (an IP or a CIDR range)."""
    ttl = timedelta(seconds=expires_in_seconds) if expires_in_seconds else None

    async def action(c: Container) -> dict[str, Any]:
        entry = await changes.block(c.blocklist, c.storage, actor(), address=address, reason=reason, ttl=ttl)
        return changes.blocked_view(entry)

    echo_json(with_container(load_settings(), action))


@blocklist.command("remove")
@click.argument("address")
def blocklist_remove(address: str) -> None:
    async def action(c: Container) -> bool:
        return await changes.unblock(c.blocklist, c.storage, actor(), address) is not None

    if not with_container(load_settings(), action):
        raise click.ClickException(f"{address} is not on the blocklist")
    echo_json({"removed": address})


@blocklist.command("nginx-conf")
def blocklist_nginx_conf() -> None:
    """Print the list as nginx deny lines (for blacklist.conf)."""

    async def action(c: Container) -> str:
        return render_nginx(await c.blocklist.entries())

    click.echo(with_container(load_settings(), action), nl=False)
