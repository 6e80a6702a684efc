"""The outermost layer of every HTTP request: request id, access log, metrics, last-resort 500.

Pure ASGI (not ``BaseHTTPMiddleware``), so it adds no task or body copy per request.

* ``X-Request-ID``: a caller's value is kept if it is a sane token (≤128 chars of
  ``[A-Za-z0-9._-]``), otherwise one is made; it is bound to every log line of the request
  and returned on the response.
* One access line per request: method, route template, path, status, duration and —
  last, for the runbook's ``awk '{print $NF}'`` — the client IP.
* ``http_requests_total`` and ``http_requests_duration_seconds`` are labelled by route
  *template* (``/admin/outbox/{job_id}``), never the raw path, so their cardinality is
  bounded; a path that matched no route counts as ``unmatched``.
* An exception that escaped every handler is logged with its traceback and answered with a
  JSON 500 naming the request id; the client never sees the trace.
* With tracing on, the request runs in a server span named by route template (``GET
  /health/ready``) that continues the caller's ``traceparent``; the access line, written
  inside it, carries its ``trace_id``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agente.api.errors import error_body
from agente.api.state import STATE_KEY
from agente.observability import tracing

if TYPE_CHECKING:
    from agente.api.deps import ApiParts

log = structlog.stdlib.get_logger("agente.access")
_access_level = logging.getLogger("agente.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RouteTemplates:
    """Path → route template, for requests answered before routing (403, 429) or by no route."""

    def __init__(self, routes: list[tuple[re.Pattern[str], str]]) -> None:
        self.routes = routes

    def template(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        for pattern, template in self.routes:
            if pattern.match(scope["path"]):
                return template
        return "unmatched"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, templates: RouteTemplates) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        request_span = tracing.start_request(scope, request_id)
        parts: ApiParts | None = scope.get("state", {}).get(STATE_KEY)
        metrics = parts.metrics if parts else None
        started = time.perf_counter()
        response: dict[str, Any] = {"status": 500, "started": False}
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["started"] = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        if metrics:
            metrics.http_in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            route = self.templates.template(scope)
            log.exception("unhandled error", method=scope["method"], route=route)
            if metrics:
                metrics.unhandled_errors.labels(route).inc()
            response["status"] = 500
            if not response["started"]:
                body = error_body(500, "Something went wrong on our side. The request id identifies it.")
                await JSONResponse(body, status_code=500)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self.templates.template(scope)
            status = response["status"]
            if metrics:
                metrics.http_in_flight.dec()
                metrics.http_requests.labels(scope["method"], route, str(status)).inc()
                metrics.http_duration.labels(scope["method"], route).observe(elapsed)
            client = scope.get("client")
            # Skipping the call when INFO is filtered out saves building the event per request.
            if _access_level.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    method=scope["method"],
                    route=route,
                    path=scope["path"],
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    client_ip=client[0] if client else None,
                )
            request_span.end(route, status)
            structlog.contextvars.clear_contextvars()
