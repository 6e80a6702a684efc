"""Prometheus scrape endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from agente.api.deps import ContainerDep

router = APIRouter(tags=["observability"])


@router.get("/metrics", response_class=Response)
async def metrics(container: ContainerDep) -> Response:
    # The breaker's state is shared in Redis; read it so this replica reports it even if
    # another one made the last transition.
    await container.pms.breaker.snapshot()
    return Response(container.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
