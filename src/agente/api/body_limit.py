"""Request bodies larger than the service can use are refused with a JSON 413.

A declared ``Content-Length`` over the limit is answered at once, before the body is read;
a body sent without one (chunked) is counted as it arrives and refused as soon as it passes
the limit, so no request makes the process hold more than the limit in memory.

Every route but the webhooks takes up to 64 KiB, well above the largest valid body (a
4000-character message written as escaped JSON). The webhook routes refuse, and count in
``webhook_rejections_total``, what passes their own 1 MiB (as much as the reverse proxy lets
through, ``client_max_body_size`` in deploy/nginx); here they are only capped at 2 MiB.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agente.api.errors import error_response

WEBHOOK_LIMIT = 2 * 1024 * 1024
DEFAULT_LIMIT = 64 * 1024


def limit_for(path: str) -> int:
    """The largest body, in bytes, accepted on ``path``."""
    return WEBHOOK_LIMIT if path.startswith("/webhooks/") else DEFAULT_LIMIT


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _message(limit: int) -> str:
    return f"The request body is larger than {limit // 1024} KiB."


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await error_response(413, _message(limit))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised where the route reads its body; the error handlers answer it as JSON.
                    raise HTTPException(413, _message(limit))
            return message

        await self.app(scope, counted, send)
