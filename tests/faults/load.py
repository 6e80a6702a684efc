"""Steady traffic against a running API while a test breaks something, with every outcome kept.

Each of ``concurrency`` loops sends its requests back to back until stopped; an outcome
records when the request started, its status (or the transport error) and how long it took,
so a test can look at what clients saw in any stretch of time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType

import httpx

Request = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Outcome:
    started: float
    name: str
    status: int | None
    seconds: float
    body: str = ""
    error: str | None = None


@dataclass
class Load:
    """``requests`` are named callables ``(client, loop_number, count) -> response``, taken in turn."""

    client: httpx.AsyncClient
    requests: dict[str, Request]
    concurrency: int = 4
    outcomes: list[Outcome] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _loop(self, number: int) -> None:
        count = 0
        names = list(self.requests)
        while not self._stop.is_set():
            name = names[count % len(names)]
            started = time.monotonic()
            try:
                response = await self.requests[name](self.client, number, count)
            except httpx.HTTPError as exc:
                self.outcomes.append(Outcome(started, name, None, time.monotonic() - started, error=repr(exc)))
            else:
                body = response.text if response.status_code >= 400 else ""
                self.outcomes.append(Outcome(started, name, response.status_code, time.monotonic() - started, body))
            count += 1
            await asyncio.sleep(0.01)

    async def __aenter__(self) -> Load:
        self._tasks = [asyncio.create_task(self._loop(n)) for n in range(self.concurrency)]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def between(self, start: float, end: float, name: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if start <= o.started < end and (name is None or o.name == name)]

    def failures(self, allowed: frozenset[int] = frozenset({200})) -> list[Outcome]:
        return [o for o in self.outcomes if o.status not in allowed]
