"""``ResilientPms``: the PMS as the rest of the service uses it.

It wraps an adapter (simulator or QloApps) with, in this order:

1. a cache for availability and the catalog (:mod:`.cache`);
2. a deadline (``PMS_TIMEOUT``) on every call, so no caller waits longer whatever the
   adapter does;
3. the circuit breaker (:mod:`.breaker`), shared by every process;
4. the fallback policy while the PMS cannot be asked: hotel facts and room types from the
   last known copy; availability from the last known answer — or, failing that, rack rates
   — **only** when the flag ``pms.fallback.enabled`` is on, always marked ``stale`` so the
   agent says "to be confirmed". With the flag off, callers get ``PmsUnavailableError``.

Writes are never retried blindly: when a booking write fails in a way that may have
reached the PMS, the booking is looked up (``find_booking``) before anyone tries again.

With tracing on, each operation is a client span ``pms <operation>`` recording the cache
result (``pms.cache``: hit, miss), the breaker state after the call, the outcome and, when
availability came from a fallback, its source.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ParamSpec, Protocol, TypeVar

import structlog
from opentelemetry.trace import SpanKind

from agente.observability import tracing
from agente.observability.metrics import Metrics
from agente.pms.errors import (
    CircuitOpenError,
    PmsError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
)
from agente.pms.port import PmsClient
from agente.pms.resilience.breaker import CircuitBreaker
from agente.pms.resilience.cache import PmsCache
from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    HotelInfo,
    PmsHealth,
    RoomOffer,
    RoomType,
    StayQuery,
)

log = structlog.stdlib.get_logger("agente.pms")
T = TypeVar("T")
P = ParamSpec("P")
FALLBACK_FLAG = "pms.fallback.enabled"


class FlagReader(Protocol):
    """What the fallback policy reads of the feature flags (``agente.ops.flags.FeatureFlags``
    sits above this package and is handed in)."""

    async def is_enabled(self, name: str) -> bool: ...


def _outcome(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    if isinstance(exc, CircuitOpenError):
        return "open"
    if isinstance(exc, PmsTimeoutError):
        return "timeout"
    if isinstance(exc, PmsUnavailableError):
        return "unavailable"
    if isinstance(exc, PmsRejectedError):
        return "rejected"
    return "error"


def _traced(operation: str) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Coroutine[Any, Any, T]]]:
    return tracing.traced(f"pms {operation}", kind=SpanKind.CLIENT, attributes={"pms.operation": operation})


class ResilientPms:
    """A :class:`~agente.pms.port.PmsClient` that is fast when the PMS is healthy and safe when it is not."""

    def __init__(
        self,
        inner: PmsClient,
        *,
        breaker: CircuitBreaker,
        cache: PmsCache,
        flags: FlagReader,
        metrics: Metrics,
        timeout: float,
        kind: str,
    ) -> None:
        self.inner = inner
        self.breaker = breaker
        self.cache = cache
        self.flags = flags
        self.metrics = metrics
        self.timeout = timeout
        self.kind = kind

    async def _call(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        async def bounded() -> T:
            try:
                async with asyncio.timeout(self.timeout):
                    return await call()
            except TimeoutError:
                raise PmsTimeoutError(f"PMS did not answer {operation} within {self.timeout:g}s") from None

        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            return await self.breaker.call(bounded)
        except PmsError as exc:
            failure = exc
            raise
        finally:
            outcome = _outcome(failure)
            tracing.set_attributes(
                {"pms.system": self.kind, "pms.outcome": outcome, "pms.breaker.state": self.breaker.state.name.lower()}
            )
            self.metrics.pms_requests.labels(operation, outcome).inc()
            self.metrics.pms_latency.labels(operation).observe(time.perf_counter() - started)

    @_traced("hotel")
    async def hotel(self) -> HotelInfo:
        cached = await self.cache.hotel()
        tracing.set_attributes({"pms.cache": "miss" if cached is None else "hit"})
        if cached is not None:
            return cached
        try:
            hotel = await self._call("hotel", self.inner.hotel)
        except PmsUnavailableError:
            known = await self.cache.hotel(last_known=True)
            if known is None:
                raise
            return known
        await self.cache.store_hotel(hotel)
        return hotel

    @_traced("room_types")
    async def room_types(self) -> tuple[RoomType, ...]:
        cached = await self.cache.room_types()
        tracing.set_attributes({"pms.cache": "miss" if cached is None else "hit"})
        if cached is not None:
            return cached
        try:
            room_types = await self._call("room_types", self.inner.room_types)
        except PmsUnavailableError:
            known = await self.cache.room_types(last_known=True)
            if known is None:
                raise
            return known
        await self.cache.store_room_types(room_types)
        return room_types

    @_traced("availability")
    async def availability(self, query: StayQuery) -> Availability:
        cached = await self.cache.availability(query)
        tracing.set_attributes({"pms.cache": "miss" if cached is None else "hit"})
        if cached is not None:
            return replace(cached, source="cache")
        try:
            answer = await self._call("availability", lambda: self.inner.availability(query))
        except PmsUnavailableError as exc:
            return await self._fallback(query, exc)
        await self.cache.store_availability(answer)
        return answer

    async def _fallback(self, query: StayQuery, cause: PmsUnavailableError) -> Availability:
        if not await self.flags.is_enabled(FALLBACK_FLAG):
            raise cause
        known = await self.cache.last_known_availability(query)
        if known is not None:
            self.metrics.pms_fallbacks.labels("last_known").inc()
            tracing.set_attributes({"pms.fallback": "last_known"})
            log.info("availability from last known answer", reason=str(cause), fetched_at=known.fetched_at.isoformat())
            return replace(known, stale=True, source="last_known")
        room_types = await self.cache.room_types(last_known=True)
        hotel = await self.cache.hotel(last_known=True)
        if not room_types or hotel is None:
            raise cause
        self.metrics.pms_fallbacks.labels("rack_rates").inc()
        tracing.set_attributes({"pms.fallback": "rack_rates"})
        offers = tuple(
            RoomOffer(
                room_type_id=rt.id,
                name=rt.name,
                available_rooms=None,
                nightly_price=rt.base_price,
                total_price=rt.base_price * query.nights * query.rooms,
                currency=hotel.currency,
                max_adults=rt.max_adults,
                max_children=rt.max_children,
            )
            for rt in room_types
            if rt.fits(query.adults, query.children) and (query.room_type_id in (None, rt.id))
        )
        return Availability(
            query=query,
            offers=offers,
            currency=hotel.currency,
            fetched_at=datetime.now(UTC),
            stale=True,
            source="rack_rates",
        )

    @_traced("create_booking")
    async def create_booking(self, request: BookingRequest) -> Booking:
        try:
            booking = await self._call("create_booking", lambda: self.inner.create_booking(request))
        except CircuitOpenError:
            raise  # never sent: nothing to reconcile
        except PmsUnavailableError:
            # The write may have reached the PMS before the answer was lost.
            found = await self._reconcile(request)
            if found is None:
                raise
            booking = found
        await self.cache.invalidate_availability()
        return booking

    @_traced("reconcile")
    async def _reconcile(self, request: BookingRequest) -> Booking | None:
        try:
            found = await self._call("find_booking", lambda: self.inner.find_booking(request))
        except PmsUnavailableError:
            return None
        if found is not None:
            log.warning("booking write answer lost; booking found by lookup", booking_id=found.id)
        return found

    @_traced("find_booking")
    async def find_booking(self, request: BookingRequest) -> Booking | None:
        return await self._call("find_booking", lambda: self.inner.find_booking(request))

    @_traced("get_booking")
    async def get_booking(self, booking_id: str) -> Booking:
        return await self._call("get_booking", lambda: self.inner.get_booking(booking_id))

    @_traced("modify_booking")
    async def modify_booking(self, booking_id: str, change: BookingChange) -> Booking:
        try:
            return await self._call("modify_booking", lambda: self.inner.modify_booking(booking_id, change))
        finally:
            await self.cache.invalidate_availability()

    @_traced("cancel_booking")
    async def cancel_booking(self, booking_id: str) -> Booking:
        try:
            return await self._call("cancel_booking", lambda: self.inner.cancel_booking(booking_id))
        finally:
            await self.cache.invalidate_availability()

    @_traced("round_trip")
    async def round_trip(self) -> int:
        """One live read through the breaker, bypassing the cache (the self test); returns room types seen."""
        room_types = await self._call("room_types", self.inner.room_types)
        await self.cache.store_room_types(room_types)
        return len(room_types)

    @_traced("health")
    async def health(self) -> PmsHealth:
        """The adapter's own probe, bounded by the timeout; never raises, never trips the breaker."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self.inner.health()
        except TimeoutError:
            return PmsHealth(ok=False, latency_ms=self.timeout * 1000, detail=f"no answer within {self.timeout:g}s")

    async def aclose(self) -> None:
        await self.inner.aclose()
