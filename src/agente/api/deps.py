"""Request-scoped accessors: the container built by the lifespan, and a database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from agente.container import Container
from agente.lifecycle import Lifecycle
from agente.storage import db


def get_container(request: Request) -> Container:
    container: Container = request.state.container
    return container


def get_lifecycle(request: Request) -> Lifecycle:
    lifecycle: Lifecycle = request.state.lifecycle
    return lifecycle


async def get_session(container: Annotated[Container, Depends(get_container)]) -> AsyncIterator[AsyncSession]:
    """One session per request, committed when the route returns, rolled back if it raises."""
    async with db.session_scope(container.session_factory) as session:
        yield session


ContainerDep = Annotated[Container, Depends(get_container)]
LifecycleDep = Annotated[Lifecycle, Depends(get_lifecycle)]
# "function" scope: the commit runs before the response is sent, so a commit that fails (the
# database went away) answers 503 instead of a 200 for something that was never stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
