"""Prometheus scrape endpoint."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from agente.api.deps import ContainerDep
from agente.observability.health import check_database, check_redis

router = APIRouter(tags=["observability"])


@router.get("/metrics", response_class=Response)
async def metrics(container: ContainerDep) -> Response:
    # The breaker's state is shared in Redis; read it so this replica reports it even if
    # another one made the last transition.
    await container.pms.breaker.snapshot()
    # Checked at every scrape, so dependency_up is current without anyone calling /health/ready.
    await asyncio.gather(check_database(container), check_redis(container))
    return Response(container.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
