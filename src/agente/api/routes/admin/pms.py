"""``/admin/circuit-breakers`` and ``/admin/pms/simulator``: the PMS controls."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field, model_validator

from agente.api.admin_auth import AdminDep, require_admin
from agente.api.body import json_body
from agente.api.deps import ContainerDep, SessionDep
from agente.api.openapi import error_responses
from agente.container import Container
from agente.ops import changes
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.resilience.breaker import Snapshot

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


class BreakerChange(BaseModel):
    failure_threshold: int | None = Field(default=None, ge=1, le=1000)
    recovery_timeout: float | None = Field(default=None, gt=0, le=3600)
    half_open_max_calls: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _something(self) -> BreakerChange:
        if all(v is None for v in self.model_dump().values()):
            raise ValueError("give at least one of failure_threshold, recovery_timeout, half_open_max_calls")
        return self


class FaultChange(BaseModel):
    latency_ms: int = Field(default=0, ge=0, le=120_000)
    failure_rate: float = Field(default=0.0, ge=0, le=1)
    down: bool = False


def _breaker_view(snapshot: Snapshot, container: Container) -> dict[str, Any]:
    config = container.pms.breaker.current_config
    return {
        "state": snapshot.state.name.lower(),
        "state_code": int(snapshot.state),
        "failures": snapshot.failures,
        "since": snapshot.since or None,
        "probes_in_flight": snapshot.probes,
        "config": asdict(config),
        "defaults": asdict(container.pms.breaker.defaults),
    }


@router.get("/circuit-breakers")
async def breakers(container: ContainerDep) -> dict[str, Any]:
    """Every breaker (today: the PMS's) with its shared state and thresholds."""
    await container.pms.breaker.config()
    return {"pms": _breaker_view(await container.pms.breaker.snapshot(), container)}


@router.post("/circuit-breakers/pms/reset")
async def reset_breaker(container: ContainerDep, session: SessionDep, actor: AdminDep) -> dict[str, Any]:
    """Close the PMS breaker now, in every process."""
    after, before = await changes.reset_breaker(container, session, actor)
    return {"pms": _breaker_view(after, container), "previous_state": before.state.name.lower()}


@router.post("/circuit-breakers/pms/config", responses=error_responses(400))
async def configure_breaker(
    change: Annotated[BreakerChange, Depends(json_body(BreakerChange))],
    container: ContainerDep,
    session: SessionDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Change the thresholds for every process (no restart, no code edit)."""
    before, after = await changes.configure_breaker(container, session, actor, **change.model_dump())
    return {"config": asdict(after), "previous": asdict(before)}


def _simulator_only(container: Container) -> None:
    if container.pms.kind != "simulator":
        raise HTTPException(409, "The PMS is not the simulator (PMS_TYPE); there are no faults to set.")


@router.get("/pms/simulator", responses=error_responses(409))
async def simulator_faults(container: ContainerDep) -> dict[str, Any]:
    _simulator_only(container)
    return asdict(await container.pms_faults.current())


@router.post("/pms/simulator", responses=error_responses(409))
async def set_simulator_faults(
    change: Annotated[FaultChange, Depends(json_body(FaultChange))],
    container: ContainerDep,
    session: SessionDep,
    actor: AdminDep,
) -> dict[str, Any]:
    """Make the simulated PMS slow, flaky or down (all fields reset to normal when left out)."""
    _simulator_only(container)
    after = await changes.set_simulator_faults(container, session, actor, SimulatorFaults(**change.model_dump()))
    return asdict(after)
