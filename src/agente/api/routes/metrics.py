"""Prometheus scrape endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from agente.api.deps import ContainerDep
from agente.observability.health import scrape

router = APIRouter(tags=["observability"])


@router.get("/metrics", response_class=Response)
async def metrics(container: ContainerDep) -> Response:
    return Response(await scrape(container), media_type=CONTENT_TYPE_LATEST)
