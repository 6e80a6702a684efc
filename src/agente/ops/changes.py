"""Operator changes, each applied and audited in one place.

The admin API and the ``agente`` command both call these, so a change made over HTTP and
one made from a shell write the same audit row (actor, action, target, before, after).
Each function takes the part it changes and the :class:`~agente.storage.unit_of_work.Storage`
the audit row goes to; it returns once that row is committed (for the blocklist, in one unit
of work with the change itself).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from agente.ops import audit
from agente.ops.blocklist import Blocklist
from agente.ops.flags import FeatureFlags, FlagState
from agente.ops.rate_limit import LimitPolicy, RateLimiter
from agente.pms.adapters.simulator_faults import FaultSwitch, SimulatorFaults
from agente.pms.resilience.breaker import BreakerConfig, Snapshot
from agente.pms.resilience.controls import BreakerControls
from agente.storage.repositories.blocklist import BlockEntry
from agente.storage.unit_of_work import Storage


def _flag(state: FlagState) -> dict[str, Any]:
    return {"enabled": state.enabled, "source": state.source}


def blocked_view(entry: BlockEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "address": entry.network,
        "reason": entry.reason,
        "created_by": entry.created_by,
        "created_at": entry.created_at.isoformat(),
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
    }


async def _audited(storage: Storage, actor: str, action: str, target: str, before: Any, after: Any) -> None:
    async with storage.begin() as uow:
        await audit.record(uow.audit, actor=actor, action=action, target=target, before=before, after=after)


async def set_flag(
    flags: FeatureFlags, storage: Storage, actor: str, name: str, enabled: bool
) -> tuple[FlagState, FlagState]:
    before, after = await flags.set(name, enabled)
    await _audited(storage, actor, "feature_flag.set", name, _flag(before), _flag(after))
    return before, after


async def set_limits(
    limiter: RateLimiter,
    storage: Storage,
    actor: str,
    *,
    max_requests: int | None = None,
    window_seconds: int | None = None,
    strict_mode: bool | None = None,
    penalty_seconds: int | None = None,
) -> tuple[LimitPolicy, LimitPolicy]:
    before, after = await limiter.update(
        max_requests=max_requests,
        window_seconds=window_seconds,
        strict_mode=strict_mode,
        penalty_seconds=penalty_seconds,
    )
    await _audited(storage, actor, "rate_limits.set", "rate_limit", asdict(before), asdict(after))
    return before, after


async def block(
    blocklist: Blocklist,
    storage: Storage,
    actor: str,
    *,
    address: str,
    reason: str | None,
    ttl: timedelta | None,
) -> BlockEntry:
    async with storage.begin() as uow:
        entry = await blocklist.add(uow.blocklist, address=address, reason=reason, created_by=actor, ttl=ttl)
        await audit.record(
            uow.audit, actor=actor, action="blocklist.add", target=entry.network, before=None, after=blocked_view(entry)
        )
    return entry


async def unblock(blocklist: Blocklist, storage: Storage, actor: str, address: str) -> BlockEntry | None:
    async with storage.begin() as uow:
        entry = await blocklist.remove(uow.blocklist, address)
        if entry is not None:
            await audit.record(
                uow.audit,
                actor=actor,
                action="blocklist.remove",
                target=entry.network,
                before=blocked_view(entry),
                after=None,
            )
    return entry


async def reset_breaker(breaker: BreakerControls, storage: Storage, actor: str) -> tuple[Snapshot, Snapshot]:
    """Close the PMS breaker; returns (state after, state before)."""
    after, before = await breaker.reset()
    await _audited(
        storage,
        actor,
        "circuit_breaker.reset",
        "pms",
        {"state": before.state.name.lower(), "failures": before.failures},
        {"state": after.state.name.lower()},
    )
    return after, before


async def configure_breaker(
    breaker: BreakerControls,
    storage: Storage,
    actor: str,
    *,
    failure_threshold: int | None = None,
    recovery_timeout: float | None = None,
    half_open_max_calls: int | None = None,
) -> tuple[BreakerConfig, BreakerConfig]:
    before, after = await breaker.configure(
        failure_threshold=failure_threshold, recovery_timeout=recovery_timeout, half_open_max_calls=half_open_max_calls
    )
    await _audited(storage, actor, "circuit_breaker.configure", "pms", asdict(before), asdict(after))
    return before, after


async def set_simulator_faults(
    switch: FaultSwitch, storage: Storage, actor: str, faults: SimulatorFaults
) -> SimulatorFaults:
    before = await switch.current()
    after = await switch.set(faults)
    await _audited(storage, actor, "pms_simulator.faults", "pms", asdict(before), asdict(after))
    return after
