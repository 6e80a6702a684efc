"""The app's routes as (method, path template), read from the app itself, so a new route is covered
by the tests that use this as soon as it exists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from agente.config import Settings
from agente.main import create_app

# Values for path parameters: a topic that exists, ids that do not.
PATH_VALUES = {"topic": "wifi", "conversation_id": "00000000-0000-0000-0000-000000000007", "job_id": "1"}


def _walk(routes: Iterable[Any]) -> Iterable[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # an included router
        if included is not None:
            yield from _walk(included.routes)


def operations(app: FastAPI | None = None) -> list[tuple[str, str]]:
    """Every (method, path template): the routes the app serves and those its OpenAPI document lists."""
    app = app or create_app(Settings(env="test"))  # routes only: nothing is started
    found = {(method, route.path) for route in _walk(app.routes) for method in route.methods or ()}
    found |= {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}
    return sorted(found - {("HEAD", path) for _, path in found})


def concrete(path: str) -> str:
    return path.format(**PATH_VALUES)
