"""``agente chat``: the conversation in a terminal, as a guest would have it on the web chat."""

from __future__ import annotations

import asyncio
import sys
import uuid

import click

from agente.cli.settings import load_settings
from agente.container import build_container
from agente.observability.logging import configure_logging


@click.command()
@click.option("--guest", default=None, help="Guest id (default: a new one per run).")
@click.option("--language", type=click.Choice(["es", "en"]), default=None)
def chat(guest: str | None, language: str | None) -> None:
    """Talk to the agent in this terminal, as a guest would on the web chat. Ctrl-D ends."""
    settings = load_settings()
    configure_logging("WARNING", stream=sys.stderr)
    guest_id = guest or f"terminal-{uuid.uuid4().hex[:8]}"

    async def run() -> None:
        async with build_container(settings) as container:
            await container.facts.seed_if_empty()
            loop = asyncio.get_running_loop()
            while True:
                line = await loop.run_in_executor(None, _prompt)
                if line is None:
                    return
                if not line.strip():
                    continue
                reply = await container.conversations.handle(
                    channel="api", external_id=guest_id, text=line[: settings.message_max_chars], language=language
                )
                click.echo(reply.text if reply.text else "(staff will answer this conversation)")

    asyncio.run(run())


def _prompt() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
