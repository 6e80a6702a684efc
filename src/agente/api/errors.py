"""Errors as JSON: every error answer has the same body, and no stack trace reaches a client.

::

    {"error": {"code": "not_found", "message": "...", "details": [...]}, "request_id": "..."}

``code`` is stable (clients and tests match on it); ``message`` is for people. Domain
errors are mapped here, not raised as ``HTTPException`` deep in the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agente.errors import DependencyUnavailableError, InvalidControlError
from agente.ops.errors import OpsError, UnknownFlagError

log = structlog.stdlib.get_logger("agente.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def error_body(status: int, message: str, *, code: str | None = None, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code or _CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_")),
        "message": message,
    }
    if details is not None:
        error["details"] = details
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return {"error": error, "request_id": request_id}


def error_response(
    status: int, message: str, *, code: str | None = None, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code=code, details=details), status_code=status, headers=headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(exc.status_code, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": list(err.get("loc", ())), "message": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return error_response(422, "The request body or parameters are not valid.", details=details)


async def _dependency_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DependencyUnavailableError)
    log.warning("dependency unavailable", dependency=exc.dependency, error=str(exc))
    return error_response(
        503,
        f"The service cannot reach its {exc.dependency} right now; please retry shortly.",
        code=f"{exc.dependency}_unavailable",
        headers={"Retry-After": "5"},
    )


async def _ops_error(_request: Request, exc: Exception) -> JSONResponse:
    code = "unknown_flag" if isinstance(exc, UnknownFlagError) else "invalid_value"
    return error_response(400, str(exc), code=code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OpsError, _ops_error)
    app.add_exception_handler(InvalidControlError, _ops_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DependencyUnavailableError, _dependency_unavailable)
