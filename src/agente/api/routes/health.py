"""The readiness probe. Liveness (``/health/live``) is answered by :mod:`agente.api.liveness`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from agente import __version__
from agente.api.deps import HealthDep, LifecycleDep
from agente.readiness import Readiness, Status

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(health: HealthDep, lifecycle: LifecycleDep) -> JSONResponse:
    """Whether this replica should receive traffic: 503 when the database is unreachable or
    the process is shutting down; 200 with ``degraded`` when it serves on fallbacks."""
    result = await health.readiness(version=__version__, shutting_down=lifecycle.draining)
    code = 503 if result.status is Status.UNHEALTHY else 200
    return JSONResponse(result.model_dump(mode="json"), status_code=code)
