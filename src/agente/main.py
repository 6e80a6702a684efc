"""The ASGI application: ``create_app(settings)`` and its lifespan.

The app is a factory so every test and process configures its own; the container is built
in the lifespan, and requests get the parts they use (:class:`~agente.api.deps.ApiParts`)
through lifespan state — never the container itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from agente import __version__
from agente.api.body_limit import BodyLimitMiddleware
from agente.api.deps import ApiParts
from agente.api.errors import install_error_handlers
from agente.api.guard import ClientGuardMiddleware
from agente.api.liveness import LivenessMiddleware
from agente.api.middleware import RequestContextMiddleware, RouteTemplates
from agente.api.openapi import document_errors
from agente.api.routes import admin, chat, email_webhook, health, messages, metrics, nlu, test, webhooks
from agente.api.state import STATE_KEY
from agente.config import PmsType, Settings
from agente.container import Container, build_container, worker_parts
from agente.errors import DependencyUnavailableError
from agente.lifecycle import Lifecycle
from agente.worker.main import build_scheduler

log = structlog.stdlib.get_logger("agente")


def api_parts(container: Container, lifecycle: Lifecycle) -> ApiParts:
    settings = container.settings
    return ApiParts(
        settings=settings,
        metrics=container.metrics,
        storage=container.storage,
        conversations=container.conversations,
        nlu=container.nlu,
        facts=container.facts,
        flags=container.flags,
        limiter=container.limiter,
        blocklist=container.blocklist,
        breaker=container.breaker,
        simulator=container.pms_faults if settings.pms_type is PmsType.SIMULATOR else None,
        email=container.email,
        health=container.health,
        self_test=container.self_test,
        lifecycle=lifecycle,
    )


def create_app(
    settings: Settings | None = None,
    *,
    lifecycle: Lifecycle | None = None,
    on_start: Callable[[Container], object] | None = None,
) -> FastAPI:
    """Build the API. ``settings`` defaults to the environment's; ``lifecycle`` lets the
    server flip readiness to 503 on SIGTERM before the listener closes; ``on_start`` is
    called with the container once it is built (tests and benchmarks look inside it)."""
    settings = settings or Settings()
    lifecycle = lifecycle or Lifecycle()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with build_container(settings) as container:
            try:
                await container.facts.seed_if_empty()
            except DependencyUnavailableError as exc:
                log.warning("hotel facts not seeded: database unavailable", error=str(exc))
            await container.nlu.warm_up()  # the first guest must not wait for the model
            log.info(
                "service started",
                version=__version__,
                env=settings.env.value,
                database=container.engine.url.get_backend_name(),
                redis="embedded" if container.redis.embedded else "external",
            )
            if on_start is not None:
                on_start(container)
            scheduler = build_scheduler(worker_parts(container)) if settings.runs_worker_in_process else None
            worker = asyncio.create_task(scheduler.run(), name="worker") if scheduler else None
            try:
                yield {STATE_KEY: api_parts(container, lifecycle)}
            finally:
                lifecycle.begin_drain()
                log.info("service stopping")
                if scheduler and worker:
                    scheduler.stop()
                    await worker

    app = FastAPI(
        title="Agente Hotelero",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        # Spans come from agente.observability.tracing (one server span per request, named by
        # route template, no query strings); FastAPI's own would double them.
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
    )
    install_error_handlers(app)
    routers = [
        health.router,
        metrics.router,
        test.router,
        messages.router,
        nlu.router,
        webhooks.router,
        email_webhook.router,
        chat.router,
        *admin.routers,
    ]
    document_errors(route for router in routers for route in router.routes)  # before the app copies them
    for router in routers:
        app.include_router(router)
    templates = RouteTemplates(
        [(route.path_regex, route.path) for router in routers for route in router.routes if isinstance(route, APIRoute)]
    )
    # Added last = outermost: the request id and access log cover everything below,
    # and the client address they log is the one the proxy headers resolved.
    app.add_middleware(BodyLimitMiddleware)  # inside the guard: a blocked client is refused first
    app.add_middleware(ClientGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, templates=templates)
    if settings.cors_origins:
        # The chat embedded on the hotel's own site calls the API from that origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
            allow_methods=["POST", "GET"],
            allow_headers=["Content-Type", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(LivenessMiddleware)
    return app
