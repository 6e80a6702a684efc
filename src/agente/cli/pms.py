"""``agente pms breaker|simulate``: the PMS circuit breaker and the simulator's faults."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from agente.cli.controls import actor, echo_json, float_in, int_in, with_container
from agente.cli.settings import load_settings
from agente.config import PmsType
from agente.container import Container
from agente.ops import bounds, changes
from agente.pms.adapters.simulator_faults import SimulatorFaults


@click.group()
def pms() -> None:
    """The PMS: circuit breaker and simulator faults."""


@pms.command("breaker")
@click.option("--reset", is_flag=True, help="Close the breaker for every process.")
@click.option("--failure-threshold", type=int_in(bounds.FAILURE_THRESHOLD), help="Failures that open it (1-1000).")
@click.option(
    "--recovery-timeout", type=float_in(bounds.RECOVERY_TIMEOUT), help="Seconds open before a probe (1-3600)."
)
@click.option("--half-open-max-calls", type=int_in(bounds.HALF_OPEN_MAX_CALLS), help="Probes let through (1-100).")
def pms_breaker(
    reset: bool, failure_threshold: int | None, recovery_timeout: float | None, half_open_max_calls: int | None
) -> None:
    """Show the PMS circuit breaker (or reset it, or change its thresholds for every process)."""
    configure = any(v is not None for v in (failure_threshold, recovery_timeout, half_open_max_calls))

    async def action(c: Container) -> dict[str, Any]:
        if reset:
            await changes.reset_breaker(c.breaker, c.storage, actor())
        if configure:
            await changes.configure_breaker(
                c.breaker,
                c.storage,
                actor(),
                failure_threshold=failure_threshold,
                recovery_timeout=recovery_timeout,
                half_open_max_calls=half_open_max_calls,
            )
        snapshot = await c.breaker.snapshot()
        config = await c.breaker.config()
        return {"state": snapshot.state.name.lower(), "failures": snapshot.failures, "config": asdict(config)}

    echo_json(with_container(load_settings(), action, needs_redis=True))


@pms.command("simulate")
@click.option("--latency-ms", type=int_in(bounds.SIMULATOR_LATENCY_MS), default=0, show_default=True)
@click.option("--failure-rate", type=float_in(bounds.SIMULATOR_FAILURE_RATE), default=0.0, show_default=True)
@click.option("--down/--up", default=False, show_default=True)
def pms_simulate(latency_ms: int, failure_rate: float, down: bool) -> None:
    """Make the simulated PMS slow, flaky or down (no options: back to normal)."""
    settings = load_settings()
    if settings.pms_type is not PmsType.SIMULATOR:
        raise click.ClickException("PMS_TYPE is not simulator: there are no faults to set")

    async def action(c: Container) -> dict[str, Any]:
        after = await changes.set_simulator_faults(
            c.pms_faults, c.storage, actor(), SimulatorFaults(latency_ms, failure_rate, down)
        )
        return asdict(after)

    echo_json(with_container(settings, action, needs_redis=True))
