"""Settings for a command: read once from the environment, bad ones told as a list, exit 2."""

from __future__ import annotations

import sys

import click
from pydantic import ValidationError

from agente.config import Settings


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
