"""Admin authentication: ``Authorization: Bearer <token>`` against ``ADMIN_TOKEN``.

Tokens are named (``ops:…,oncall:…``); the audit log records the *name* of the token that
made a change, never the token. Every configured token is compared in constant time, so
the answer's timing says nothing about which token or how much of it matched. A missing
or wrong token is a 401 with a JSON body, and the attempt is logged with the client
address — without the presented value.
"""

from __future__ import annotations

import hmac
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request

from agente.api.deps import SettingsDep

log = structlog.stdlib.get_logger("agente.admin")


def _match(presented: str, tokens: dict[str, str]) -> str | None:
    found: str | None = None
    for name, token in tokens.items():
        # No early exit: every token is compared whatever matched before.
        if hmac.compare_digest(presented.encode(), token.encode()):
            found = name
    return found


async def require_admin(request: Request, settings: SettingsDep) -> str:
    """The name of the admin token presented; 401 otherwise."""
    tokens = settings.admin_tokens()
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    client = request.client.host if request.client else None
    if not tokens:
        log.warning("admin access refused", reason="no ADMIN_TOKEN configured", path=request.url.path, client_ip=client)
        raise HTTPException(401, "Admin access is not configured (set ADMIN_TOKEN).", {"WWW-Authenticate": "Bearer"})
    if scheme.lower() != "bearer" or not presented.strip():
        log.warning("admin access refused", reason="missing bearer token", path=request.url.path, client_ip=client)
        raise HTTPException(401, "An admin bearer token is required.", {"WWW-Authenticate": "Bearer"})
    actor = _match(presented.strip(), tokens)
    if actor is None:
        log.warning("admin access refused", reason="wrong token", path=request.url.path, client_ip=client)
        raise HTTPException(401, "The admin token is not valid.", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    structlog.contextvars.bind_contextvars(actor=actor)
    return actor


AdminDep = Annotated[str, Depends(require_admin)]
