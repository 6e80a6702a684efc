"""What the operations commands share: a container for one action, the actor, JSON output.

The commands use the same container and the same code as the admin API
(:mod:`agente.ops.changes`), and write the same audit rows (actor ``cli:<user>``), so a
change made from a shell during an incident is as visible afterwards as one made over HTTP.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import math
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from agente.config import Settings
from agente.container import Container, build_container
from agente.observability.logging import configure_logging
from agente.ops.bounds import Bound

T = TypeVar("T")


def with_container(settings: Settings, action: Callable[[Container], Awaitable[T]], *, needs_redis: bool = False) -> T:
    """Build the container, run ``action`` on it, close it; the action's result."""
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


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def int_in(bound: Bound) -> click.IntRange:
    """A click option type for a whole number inside ``bound`` (the admin API's range)."""
    return click.IntRange(int(bound.low), int(bound.high))


def float_in(bound: Bound) -> click.FloatRange:
    """A click option type for a number inside ``bound``; NaN and infinities are refused too."""
    return _FiniteRange(bound.low, bound.high)


class _FiniteRange(click.FloatRange):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        # A range check alone lets NaN through: it compares false with both ends.
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number
