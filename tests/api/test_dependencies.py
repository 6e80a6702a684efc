"""Request dependencies are ``async def``: FastAPI runs a plain ``def`` in its threadpool, a
hop per request for nothing."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from agente.config import Settings
from agente.main import create_app


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router, resolved lazily by FastAPI
            yield from _routes(route.original_router.routes)


def test_no_route_dependency_runs_in_the_threadpool(settings: Settings) -> None:
    routes = list(_routes(create_app(settings).routes))
    calls = {call for route in routes for call in _calls(route.dependant)}
    assert calls, "the routes have dependencies"
    sync = sorted(
        f"{call.__module__}.{call.__qualname__}"
        for call in calls
        if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call))
    )
    assert sync == []
