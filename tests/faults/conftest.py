"""Fixtures of the fault tests: a database of their own per test (their workers must not
pick up jobs other tests left behind), a Redis key prefix per test, the Graph API double on
a port, and one trained intent model that every started process loads instead of training."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agente.config import Settings
from agente.conversation.nlu.intents import load_or_train
from agente.storage import migrate
from tests.conftest import _admin, _pg_url
from tests.faults.graph_server import GraphServer


@pytest.fixture(scope="session")
def nlu_model_dir() -> Path:
    """The run's model folder (tests/conftest.py), trained once here for every process."""
    path = Path(os.environ["NLU_MODEL_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    load_or_train(path)
    return path


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """URL of a new PostgreSQL database on the test server, migrated to head, dropped after."""
    name = f"agente_faults_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    try:
        migrate.upgrade(Settings(database_url=url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_namespace(redis_prefix: str) -> str:
    """A key prefix of this test's own under the run's (which is cleaned at the end of the run)."""
    return f"{redis_prefix}faults:{uuid.uuid4().hex[:6]}:"


@pytest.fixture
async def graph() -> AsyncIterator[GraphServer]:
    server = GraphServer()
    async with server.serving():
        yield server
