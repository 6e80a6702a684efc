"""Operator changes, each applied and audited in one place.

The admin API and the ``agente`` command both call these, so a change made over HTTP and
one made from a shell write the same audit row (actor, action, target, before, after).
Each function takes the part it changes and the caller's database session: the audit row
commits with the caller's transaction (and, for the blocklist, together with the change itself).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agente.ops import audit
from agente.ops.blocklist import Blocklist
from agente.ops.flags import FeatureFlags, FlagState
from agente.ops.rate_limit import LimitPolicy, RateLimiter
from agente.pms.adapters.simulator_faults import FaultSwitch, SimulatorFaults
from agente.pms.resilience.breaker import BreakerConfig, Snapshot
from agente.pms.resilience.controls import BreakerControls
from agente.storage.models import BlockedClient
from agente.storage.repositories.audit.sql import SqlAudit


def _flag(state: FlagState) -> dict[str, Any]:
    return {"enabled": state.enabled, "source": state.source}


def blocked_view(entry: BlockedClient) -> dict[str, Any]:
    return {
        "id": entry.id,
        "address": entry.network,
        "reason": entry.reason,
        "created_by": entry.created_by,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
    }


async def set_flag(
    flags: FeatureFlags, session: AsyncSession, actor: str, name: str, enabled: bool
) -> tuple[FlagState, FlagState]:
    before, after = await flags.set(name, enabled)
    await audit.record(
        SqlAudit(session), actor=actor, action="feature_flag.set", target=name, before=_flag(before), after=_flag(after)
    )
    return before, after


async def set_limits(
    limiter: RateLimiter,
    session: AsyncSession,
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
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="rate_limits.set",
        target="rate_limit",
        before=asdict(before),
        after=asdict(after),
    )
    return before, after


async def block(
    blocklist: Blocklist,
    session: AsyncSession,
    actor: str,
    *,
    address: str,
    reason: str | None,
    ttl: timedelta | None,
) -> BlockedClient:
    entry = await blocklist.add(session, address=address, reason=reason, created_by=actor, ttl=ttl)
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="blocklist.add",
        target=entry.network,
        before=None,
        after=blocked_view(entry),
    )
    return entry


async def unblock(blocklist: Blocklist, session: AsyncSession, actor: str, address: str) -> BlockedClient | None:
    entry = await blocklist.remove(session, address)
    if entry is not None:
        await audit.record(
            SqlAudit(session),
            actor=actor,
            action="blocklist.remove",
            target=entry.network,
            before=blocked_view(entry),
            after=None,
        )
    return entry


async def reset_breaker(breaker: BreakerControls, session: AsyncSession, actor: str) -> tuple[Snapshot, Snapshot]:
    """Close the PMS breaker; returns (state after, state before)."""
    after, before = await breaker.reset()
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="circuit_breaker.reset",
        target="pms",
        before={"state": before.state.name.lower(), "failures": before.failures},
        after={"state": after.state.name.lower()},
    )
    return after, before


async def configure_breaker(
    breaker: BreakerControls,
    session: AsyncSession,
    actor: str,
    *,
    failure_threshold: int | None = None,
    recovery_timeout: float | None = None,
    half_open_max_calls: int | None = None,
) -> tuple[BreakerConfig, BreakerConfig]:
    before, after = await breaker.configure(
        failure_threshold=failure_threshold, recovery_timeout=recovery_timeout, half_open_max_calls=half_open_max_calls
    )
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="circuit_breaker.configure",
        target="pms",
        before=asdict(before),
        after=asdict(after),
    )
    return before, after


async def set_simulator_faults(
    switch: FaultSwitch, session: AsyncSession, actor: str, faults: SimulatorFaults
) -> SimulatorFaults:
    before = await switch.current()
    after = await switch.set(faults)
    await audit.record(
        SqlAudit(session),
        actor=actor,
        action="pms_simulator.faults",
        target="pms",
        before=asdict(before),
        after=asdict(after),
    )
    return after
