"""``/admin/circuit-breakers`` and ``/admin/pms/simulator``: the PMS controls."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, model_validator

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.bounds import InRange
from agente.api.deps import BreakerDep, SimulatorDep, StorageDep
from agente.api.openapi import error_responses
from agente.ops import bounds, changes
from agente.pms.adapters.simulator_faults import FaultSwitch, SimulatorFaults
from agente.pms.resilience.breaker import Snapshot
from agente.pms.resilience.controls import BreakerControls

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


class BreakerChange(BaseModel):
    failure_threshold: Annotated[int, InRange(bounds.FAILURE_THRESHOLD)] | None = None
    recovery_timeout: Annotated[float, InRange(bounds.RECOVERY_TIMEOUT)] | None = None
    half_open_max_calls: Annotated[int, InRange(bounds.HALF_OPEN_MAX_CALLS)] | None = None

    @model_validator(mode="after")
    def _something(self) -> BreakerChange:
        if all(v is None for v in self.model_dump().values()):
            raise ValueError("give at least one of failure_threshold, recovery_timeout, half_open_max_calls")
        return self


class FaultChange(BaseModel):
    latency_ms: Annotated[int, InRange(bounds.SIMULATOR_LATENCY_MS)] = 0
    failure_rate: Annotated[float, InRange(bounds.SIMULATOR_FAILURE_RATE)] = 0.0
    down: bool = False


async def _breaker_view(snapshot: Snapshot, breaker: BreakerControls) -> dict[str, Any]:
    return {
        "state": snapshot.state.name.lower(),
        "state_code": int(snapshot.state),
        "failures": snapshot.failures,
        "since": snapshot.since or None,
        "probes_in_flight": snapshot.probes,
        "config": asdict(await breaker.config()),
        "defaults": asdict(breaker.defaults),
    }


@router.get("/circuit-breakers")
async def breakers(breaker: BreakerDep) -> dict[str, Any]:
    """Every breaker (today: the PMS's) with its shared state and thresholds."""
    return {"pms": await _breaker_view(await breaker.snapshot(), breaker)}


@router.post("/circuit-breakers/pms/reset")
async def reset_breaker(breaker: BreakerDep, storage: StorageDep, actor: AdminDep) -> dict[str, Any]:
    """Close the PMS breaker now, in every process."""
    after, before = await changes.reset_breaker(breaker, storage, actor)
    return {"pms": await _breaker_view(after, breaker), "previous_state": before.state.name.lower()}


@router.post("/circuit-breakers/pms/config", responses=error_responses(400))
async def configure_breaker(
    change: Annotated[BreakerChange, Depends(json_body(BreakerChange))],
    breaker: BreakerDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Change the thresholds for every process (no restart, no code edit). Failure threshold
    1–1000, recovery timeout 1–3600 seconds, half-open probes 1–100."""
    before, after = await changes.configure_breaker(breaker, storage, actor, **change.model_dump())
    return {"config": asdict(after), "previous": asdict(before)}


def _simulator_only(simulator: FaultSwitch | None) -> FaultSwitch:
    if simulator is None:
        raise HTTPException(409, "The PMS is not the simulator (PMS_TYPE); there are no faults to set.")
    return simulator


@router.get("/pms/simulator", responses=error_responses(409))
async def simulator_faults(simulator: SimulatorDep) -> dict[str, Any]:
    return asdict(await _simulator_only(simulator).current())


@router.post("/pms/simulator", responses=error_responses(409))
async def set_simulator_faults(
    change: Annotated[FaultChange, Depends(json_body(FaultChange))],
    simulator: SimulatorDep,
    storage: StorageDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Make the simulated PMS slow, flaky or down (all fields reset to normal when left out)."""
    switch = _simulator_only(simulator)
    after = await changes.set_simulator_faults(switch, storage, actor, SimulatorFaults(**change.model_dump()))
    return asdict(after)
