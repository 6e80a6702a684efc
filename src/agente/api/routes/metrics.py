"""Prometheus scrape endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from agente.api.deps import HealthDep

router = APIRouter(tags=["observability"])


@router.get("/metrics", response_class=Response)
async def metrics(health: HealthDep) -> Response:
    return Response(await health.scrape(), media_type=CONTENT_TYPE_LATEST)
