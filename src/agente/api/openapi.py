"""The error answers in the OpenAPI document (``/openapi.json``).

FastAPI documents what a route returns, but many errors come from the layers around it:
the guard (403 blocked, 429 rate limited), the body limit (413), admin auth (401),
validation (422, in this service's error shape, not FastAPI's default), a body that is not
JSON (400) and an unreachable database (503). :func:`document_errors` adds those to every
route from what the route is built of, so a new route is documented as soon as it exists;
an error only one route gives (404, 409...) is declared on that route with
:func:`error_responses`. Every one has the body of :mod:`agente.api.errors` (:data:`ERROR_SCHEMA`).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from agente.api import guard
from agente.api.admin_auth import require_admin
from agente.api.body import body_model
from agente.api.deps import get_storage

# The body of every error answer (agente.api.errors), written out rather than given as a
# model: FastAPI would file a model under the route's own media type, and the error of an
# HTML or plain-text route is JSON all the same.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "request_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable; clients match on it"},
                "message": {"type": "string", "description": "For people"},
                "details": {"description": "What was wrong, when the error can say (validation)"},
            },
        },
        "request_id": {"type": ["string", "null"]},
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for errors answered in the service's JSON error shape."""
    return {
        status: {"description": HTTPStatus(status).phrase, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for status in statuses
    }


def _calls(dependant: Dependant) -> Iterable[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _has_parameters(dependant: Dependant) -> bool:
    own = dependant.path_params or dependant.query_params or dependant.header_params
    return bool(own) or any(_has_parameters(d) for d in dependant.dependencies)


def _json_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    # Admin routes read their body themselves (any content type, see agente.api.body), so
    # FastAPI does not see it; the document still says what it must be.
    try:
        model.model_validate({})
        required = False  # an empty body is read as {} (every field has a default)
    except ValidationError:
        required = True
    body = {"required": required, "content": {"application/json": {"schema": model.model_json_schema()}}}
    return {"requestBody": body}


def _statuses(route: APIRoute, calls: list[Any]) -> list[int]:
    path, writes = route.path, bool((route.methods or set()) & {"POST", "PUT", "PATCH"})
    statuses: list[int] = []
    if not path.startswith(guard.OPEN_PREFIXES):
        statuses.append(403)
        if not path.startswith(guard.UNLIMITED_PREFIXES):
            statuses.append(429)
    if writes:
        statuses.append(413)
    if require_admin in calls:
        statuses.append(401)
    if route.body_field is not None:
        statuses.append(400)
    if route.body_field is not None or _has_parameters(route.dependant):
        statuses.append(422)
    if any(body_model(call) is not None for call in calls):
        statuses.append(422)
    if get_storage in calls:
        statuses.append(503)
    return statuses


def document_errors(routes: Iterable[Any]) -> None:
    """Add the errors each route can give (and the admin JSON bodies) to its OpenAPI entry."""
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        calls = list(_calls(route.dependant))
        for status, entry in error_responses(*_statuses(route, calls)).items():
            route.responses.setdefault(status, entry)
        model = next((m for m in map(body_model, calls) if m is not None), None)
        if model is not None and route.openapi_extra is None:
            route.openapi_extra = _json_body_schema(model)
