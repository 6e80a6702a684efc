"""``GET /health/live``, answered before the application stack.

Liveness is asked every few seconds by every probe and load balancer, and must stay cheap
even when the process is busy: it says only that the event loop answers. So it is served
by this outermost middleware with fixed bytes, without routing, dependencies, the access
log or a request id (probes would otherwise fill the log). It is still counted in
``http_requests_total{route="/health/live"}`` and ``http_requests_duration_seconds``.
It touches no dependency; readiness (``/health/ready``) is where dependencies are checked.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from agente.api.state import STATE_KEY

if TYPE_CHECKING:
    from agente.api.deps import ApiParts

PATH = "/health/live"
_BODY = b'{"status":"alive"}'
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"cache-control", b"no-store"),
]


class LivenessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": _BODY if scope["method"] == "GET" else b""})
        parts: ApiParts | None = scope.get("state", {}).get(STATE_KEY)
        if parts is not None:
            metrics = parts.metrics
            metrics.http_requests.labels(scope["method"], PATH, "200").inc()
            metrics.http_duration.labels(scope["method"], PATH).observe(time.perf_counter() - started)
