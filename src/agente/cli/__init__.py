"""The ``agente`` command: run the API and the worker, migrate, and operate.

Every command builds its settings from the environment once (:func:`~agente.cli.settings.load_settings`)
and uses the same wiring as the service (``create_app`` / ``build_container``). Bad
configuration prints what is wrong and exits with status 2; the service's own errors print
one line and exit with status 1.

One module per group of commands: :mod:`.processes` (serve, worker, health),
:mod:`.database` (db, logs), :mod:`.flags`, :mod:`.ratelimit`, :mod:`.blocklist`,
:mod:`.pms`, :mod:`.chat` and :mod:`.nlu`.
"""

from __future__ import annotations

import sys

import click

from agente.cli import blocklist, chat, database, flags, nlu, pms, processes, ratelimit
from agente.errors import AgenteError

__all__ = ["main"]


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


for command in (
    processes.serve,
    processes.worker,
    processes.health,
    database.db,
    database.logs,
    flags.flags,
    ratelimit.ratelimit,
    blocklist.blocklist,
    pms.pms,
    chat.chat,
    nlu.nlu,
):
    main.add_command(command)
