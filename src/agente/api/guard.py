"""Blocklist and rate limit, applied before any other work on a request.

Runs inside :class:`~agente.api.middleware.RequestContextMiddleware`, so refusals get a
request id, an access line and a count in ``http_requests_total`` (status 403 or 429).
The client address is the one the proxy-headers middleware resolved (``X-Forwarded-For``
is believed only from ``TRUSTED_PROXIES``).

Exempt from the rate limit: health probes and metrics (the platform must always reach
them), signed webhooks (the sender is authenticated and retries on refusal, so limiting
it would only multiply traffic) and the admin API (operators in an incident must not be
locked out by a limit they just lowered; it requires a token). Health and metrics are
exempt from the blocklist too, so a blocked range can never take the replica out of its
load balancer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agente.api.errors import error_body
from agente.api.state import STATE_KEY
from agente.ops.rate_limit import Decision

if TYPE_CHECKING:
    from agente.api.deps import ApiParts

log = structlog.stdlib.get_logger("agente.guard")

OPEN_PREFIXES = ("/health/", "/metrics")
UNLIMITED_PREFIXES = (*OPEN_PREFIXES, "/webhooks/", "/admin/")


def rate_limit_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    """IETF httpapi ``RateLimit-Policy`` / ``RateLimit`` header fields for a decision."""
    policy = decision.policy
    return [
        (b"ratelimit-policy", f'"default";q={policy.max_requests};w={policy.window_seconds}'.encode()),
        (b"ratelimit", f'"default";r={decision.remaining};t={decision.reset_seconds}'.encode()),
    ]


class ClientGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        parts: ApiParts | None = scope.get("state", {}).get(STATE_KEY)
        if scope["type"] != "http" or parts is None or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"

        if await parts.blocklist.blocks(address):
            log.warning("Blocked client refused", reason="blocklist", path=path, client_ip=address)
            await JSONResponse(error_body(403, "This address is blocked.", code="blocked"), status_code=403)(
                scope, receive, send
            )
            return

        if path.startswith(UNLIMITED_PREFIXES) or not parts.settings.rate_limit_enabled:
            await self.app(scope, receive, send)
            return

        decision = await parts.limiter.hit(address)
        headers = rate_limit_headers(decision)
        if not decision.allowed:
            parts.metrics.rate_limit_rejections.labels(
                "strict" if decision.policy.strict_mode else "normal", decision.backend
            ).inc()
            log.warning(
                "Rate limit exceeded",
                reason="rate_limit",
                path=path,
                limit=decision.policy.max_requests,
                window_seconds=decision.policy.window_seconds,
                strict_mode=decision.policy.strict_mode,
                client_ip=address,
            )
            response = JSONResponse(
                error_body(429, f"Too many requests; retry in {decision.retry_after_seconds} s.", code="rate_limited"),
                status_code=429,
                headers={"Retry-After": str(decision.retry_after_seconds)},
            )
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
