"""The Graph API double (tests/channels/graph_double.py) on a real port, for real processes.

Served by uvicorn inside the test's event loop; ``WHATSAPP_API_BASE`` points a process at
:attr:`GraphServer.api_base`. Adds what the fault tests observe from outside: how many
requests are in progress (a send "in flight" when a worker is signalled) and every reply
sent, per recipient, in the order the double accepted them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send

from tests.channels.graph_double import VERSION, GraphDouble
from tests.conftest import free_port


class _QuietServer(uvicorn.Server):
    # The test process keeps its own signal handlers (pytest's Ctrl-C).
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class GraphServer:
    def __init__(self, double: GraphDouble | None = None) -> None:
        self.double = double or GraphDouble()
        self.port = free_port()
        self.in_flight = 0
        self.started_requests = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.in_flight += 1
        self.started_requests += 1
        try:
            await self.double(scope, receive, send)
        finally:
            self.in_flight -= 1

    def texts(self, to: str) -> list[str]:
        """The text bodies sent to ``to``, in the order they were accepted."""
        return [message["text"]["body"] for message in self.double.sent.get(to, []) if message.get("type") == "text"]

    def sent(self) -> dict[str, list[dict[str, Any]]]:
        return {to: list(messages) for to, messages in self.double.sent.items()}

    async def wait_for_replies(
        self, expected: Mapping[str, int], *, within: float = 60.0, settle: float = 1.5
    ) -> dict[str, list[str]]:
        """Until every recipient has at least its expected number of texts, then ``settle``
        seconds more so that a late duplicate shows too; the texts per recipient.

        Raises ``AssertionError`` naming the recipients still short when ``within`` seconds pass."""
        deadline = time.monotonic() + within
        while True:
            short = {to: (len(self.texts(to)), n) for to, n in expected.items() if len(self.texts(to)) < n}
            if not short:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"replies missing after {within:g}s (recipient: (sent, expected)): {short}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(settle)
        return {to: self.texts(to) for to in expected}

    async def wait_in_flight(self, count: int = 1, *, within: float = 30.0) -> None:
        """Until ``count`` requests are being answered (the double's ``delay`` holds them)."""
        async with asyncio.timeout(within):
            while self.in_flight < count:
                await asyncio.sleep(0.02)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[GraphServer]:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_config=None, access_log=False, lifespan="off", ws="none"
        )
        server = _QuietServer(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    await task  # raises the bind error
                await asyncio.sleep(0.01)
            yield self
        finally:
            server.should_exit = True
            # Connections held open by a killed process must not keep the test waiting.
            server.force_exit = True
            await task
