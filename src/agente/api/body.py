"""JSON bodies whatever the declared content type.

The runbook posts with ``curl -d '{...}'``, which labels the body
``application/x-www-form-urlencoded``. Admin endpoints read the raw bytes as JSON and
validate them against a model, so that call works as written; what is not JSON, or not
the model, is a 422 with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

MAX_ADMIN_BODY = 64 * 1024

# Each parser json_body made → its model, so the OpenAPI document can show the body.
_MODELS: dict[Callable[..., Any], type[BaseModel]] = {}


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    async def parse(request: Request) -> M:
        raw = await request.body()
        if len(raw) > MAX_ADMIN_BODY:
            raise RequestValidationError(
                [{"loc": ("body",), "msg": f"body larger than {MAX_ADMIN_BODY} bytes", "type": "too_large"}]
            )
        try:
            # Strict: the types the OpenAPI document gives ("enabled": 0 is not a boolean).
            return model.model_validate_json(raw or b"{}", strict=True)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**err, "loc": ("body", *err.get("loc", ()))} for err in exc.errors(include_url=False)]
            ) from None

    _MODELS[parse] = model
    return parse


def body_model(call: Callable[..., Any] | None) -> type[BaseModel] | None:
    """The model a dependency made by :func:`json_body` parses; ``None`` for any other callable."""
    return _MODELS.get(call) if call is not None else None
