"""What operators and readiness may do with the PMS circuit breaker, and nothing more.

The breaker itself lives inside :class:`~agente.pms.resilience.resilient.ResilientPms`; the
ops changes, the admin API, the CLI and readiness are handed this object instead of the PMS
client, so none of them reaches into it. Every method acts on the state shared by all
processes (Redis).
"""

from __future__ import annotations

from agente.pms.resilience.breaker import BreakerConfig, CircuitBreaker, Snapshot


class BreakerControls:
    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker

    async def snapshot(self) -> Snapshot:
        """The shared state now (and the ``pms_circuit_breaker_state`` gauge follows it)."""
        return await self._breaker.snapshot()

    async def config(self) -> BreakerConfig:
        """The thresholds in force, re-read from the shared store when a second old."""
        return await self._breaker.config()

    @property
    def defaults(self) -> BreakerConfig:
        """The thresholds from settings (``PMS_CB_*``), in force until someone changes them."""
        return self._breaker.defaults

    async def reset(self) -> tuple[Snapshot, Snapshot]:
        """Close the breaker for every process; returns (state after, state before)."""
        return await self._breaker.reset()

    async def configure(
        self,
        *,
        failure_threshold: int | None = None,
        recovery_timeout: float | None = None,
        half_open_max_calls: int | None = None,
    ) -> tuple[BreakerConfig, BreakerConfig]:
        """Change the thresholds for every process; returns (before, after). Values left
        ``None`` keep their current value; a config that cannot work raises
        :class:`~agente.errors.InvalidControlError`."""
        return await self._breaker.configure(
            failure_threshold=failure_threshold,
            recovery_timeout=recovery_timeout,
            half_open_max_calls=half_open_max_calls,
        )
