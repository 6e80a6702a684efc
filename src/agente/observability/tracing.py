"""Traces: OpenTelemetry spans for requests, jobs, conversation steps, the PMS, the database and Redis.

The one place that configures OpenTelemetry. :func:`configure_tracing` is called once per
process by ``agente serve`` (service ``agente-api``) and ``agente worker`` (``agente-worker``)
and returns the :class:`Tracing` whose :meth:`~Tracing.shutdown` ends it.

* ``OTEL_EXPORTER_OTLP_ENDPOINT`` unset: nothing is configured and no SDK is imported;
  :func:`span` hands out one shared do-nothing context, so tracing costs a function call.
* Set: spans are sampled (``TRACING_SAMPLE_RATIO``, an incoming ``traceparent`` decides for
  its trace) and sent to ``{endpoint}/v1/traces`` (OTLP/HTTP, protobuf) by a batch processor
  on its own thread. A request only appends its ended spans to a bounded queue
  (``TRACING_QUEUE_SIZE``; when it is full the oldest spans are dropped), never
  waits on the collector; each export gives up after ``TRACING_EXPORT_TIMEOUT`` seconds.
  :meth:`Tracing.shutdown` flushes what is queued for at most ``TRACING_SHUTDOWN_TIMEOUT``
  seconds, so a stop is prompt even when the collector is unreachable.

Span attributes carry identifiers, names of operations, outcomes and counts — never a
guest's message, name, email or phone number. Errors are recorded by exception type only.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from agente import __version__
from agente.observability.redaction import redact_text

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from agente.config import Settings
    from agente.observability.otlp import StoppableExporter

__all__ = [
    "Attributes",
    "RequestSpan",
    "SpanScope",
    "Tracing",
    "active_tracer",
    "add_trace_ids",
    "child_span",
    "configure_tracing",
    "enabled",
    "inject",
    "mark_error",
    "record_error",
    "set_attributes",
    "span",
    "start_request",
    "traced",
]

log = structlog.stdlib.get_logger("agente.tracing")

P = ParamSpec("P")
T = TypeVar("T")
# ``None`` values are left out (the SDK would warn about each).
Attributes = Mapping[str, AttributeValue | None]

# W3C Trace Context only (what nginx and browsers' instrumentation send); baggage is not used.
_W3C = TraceContextTextMapPropagator()
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})
# Statements are SQL with bound parameters (no values); long ones are cut.
# The SDK's own loggers: one line per message a minute, not one per dropped span or failed batch.
_NOISY_LOGGERS = ("opentelemetry.sdk._shared_internal", "opentelemetry.exporter.otlp.proto.http.trace_exporter")


class _State:
    """The process's tracer: ``None`` while tracing is off."""

    tracer: Tracer | None = None


_state = _State()


def active_tracer() -> Tracer | None:
    """The process's tracer, or ``None`` while tracing is off (for instrumentation kept elsewhere,
    such as the database engine's in :mod:`agente.storage.tracing`)."""
    return _state.tracer


def enabled() -> bool:
    return _state.tracer is not None


# --- configuration ------------------------------------------------------------------------


@dataclass
class Tracing:
    """What :func:`configure_tracing` set up; ``provider`` is ``None`` when tracing is off."""

    provider: TracerProvider | None
    shutdown_timeout: float = 2.0
    # The OTLP exporter, stopped early when the final flush overruns.
    exporter: StoppableExporter | None = None

    def shutdown(self) -> bool:
        """Stop tracing, flushing queued spans for at most ``shutdown_timeout`` seconds.

        Returns ``False`` when the flush did not finish in time: what was still queued is
        lost, the export in progress makes no further retry, and the process may exit (the
        export thread is a daemon)."""
        provider, self.provider = self.provider, None
        if provider is None:
            return True
        _state.tracer = None
        stopper = threading.Thread(target=provider.shutdown, name="tracing-shutdown", daemon=True)
        stopper.start()
        stopper.join(self.shutdown_timeout)
        if not stopper.is_alive():
            return True
        if self.exporter is not None:
            self.exporter.shutdown()
        log.warning("trace export unfinished at shutdown; queued spans dropped", timeout=self.shutdown_timeout)
        return False


def configure_tracing(settings: Settings, *, service_name: str, exporter: SpanExporter | None = None) -> Tracing:
    """Turn tracing on for this process when ``settings`` name a collector (or ``exporter`` is given).

    ``service_name`` is the resource's ``service.name`` unless ``OTEL_SERVICE_NAME`` is set.
    ``exporter`` replaces OTLP and receives each span as it ends (tests use an in-memory one).
    """
    if exporter is None and settings.otel_exporter_otlp_endpoint is None:
        return Tracing(None)
    # Imported here: a process that does not trace never loads the SDK, protobuf or requests.
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from agente.observability.otlp import otlp_exporter

    resource = Resource(
        {
            "service.name": settings.otel_service_name or service_name,
            "service.version": __version__,
            "deployment.environment.name": settings.env.value,
        }
    )
    provider = TracerProvider(
        sampler=ParentBased(TraceIdRatioBased(settings.tracing_sample_ratio)),
        resource=resource,
        # Shutdown is ours (bounded); the SDK's exit hook would wait on the collector.
        shutdown_on_exit=False,
    )
    otlp = None
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        otlp = otlp_exporter(settings)
        provider.add_span_processor(
            BatchSpanProcessor(
                otlp,
                max_queue_size=settings.tracing_queue_size,
                max_export_batch_size=min(512, settings.tracing_queue_size),
                schedule_delay_millis=1000,
            )
        )
    _quiet_sdk_logs()
    _state.tracer = provider.get_tracer("agente", __version__)
    return Tracing(provider, settings.tracing_shutdown_timeout, otlp)


class _Throttle(logging.Filter):
    """Lets a message through at most once per ``interval`` seconds."""

    def __init__(self, interval: float = 60.0) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        key = str(record.msg)
        if now - self._last.get(key, float("-inf")) < self.interval:
            return False
        self._last[key] = now
        return True


def _quiet_sdk_logs() -> None:
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, _Throttle)]:
            logger.removeFilter(old)
        logger.addFilter(_Throttle())


# --- spans ----------------------------------------------------------------------------------


class SpanScope:
    """A span made current for a ``with`` or ``async with`` block and ended after it.

    An exception leaving the block marks the span as an error (its type only) and goes on."""

    __slots__ = ("_cm",)

    def __init__(self, cm: AbstractContextManager[Span]) -> None:
        self._cm = cm

    def __enter__(self) -> Span:
        return self._cm.__enter__()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cm.__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> Span:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)


# Shared by every caller while tracing is off: nullcontext can be entered any number of times.
_OFF = SpanScope(nullcontext(INVALID_SPAN))


@contextmanager
def _current(tracer: Tracer, name: str, kind: SpanKind, attributes: Attributes | None) -> Iterator[Span]:
    present = {k: v for k, v in attributes.items() if v is not None} if attributes else None
    with tracer.start_as_current_span(
        name, kind=kind, attributes=present, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except Exception as exc:
            mark_error(current, exc)
            raise


def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, attributes: Attributes | None = None) -> SpanScope:
    """A span named ``name``, child of the current one: ``with tracing.span("conversation.parse"):``."""
    tracer = _state.tracer
    if tracer is None:
        return _OFF
    return SpanScope(_current(tracer, name, kind, attributes))


def child_span(name: str, *, kind: SpanKind = SpanKind.CLIENT, attributes: Attributes | None = None) -> SpanScope:
    """Like :func:`span`, but only inside a recorded span: storage calls made by a request or
    a job are traced, the worker's idle polling does not start a trace a second."""
    if _state.tracer is None or not trace.get_current_span().is_recording():
        return _OFF
    return span(name, kind=kind, attributes=attributes)


def traced(
    name: str, *, kind: SpanKind = SpanKind.INTERNAL, attributes: Attributes | None = None
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Coroutine[Any, Any, T]]]:
    """Decorator: each call of the coroutine function runs in a span named ``name``."""

    def decorate(function: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(function)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with span(name, kind=kind, attributes=attributes):
                return await function(*args, **kwargs)

        return wrapper

    return decorate


def set_attributes(attributes: Attributes) -> None:
    """Add attributes to the current span (``None`` values are left out)."""
    if _state.tracer is None:
        return
    current = trace.get_current_span()
    if current.is_recording():
        current.set_attributes({k: v for k, v in attributes.items() if v is not None})


def record_error(exc: BaseException) -> None:
    """Mark the current span as failed by ``exc`` (for errors that are handled, not raised)."""
    if _state.tracer is None:
        return
    current = trace.get_current_span()
    if current.is_recording():
        mark_error(current, exc)


def mark_error(current: Span, exc: BaseException) -> None:
    """Mark ``current`` as failed by ``exc``."""
    # The type, never the message: messages can quote what a guest wrote.
    kind = type(exc)
    error_type = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    current.set_attribute("error.type", error_type)
    current.set_status(Status(StatusCode.ERROR, kind.__name__))


def inject(headers: MutableMapping[str, str]) -> None:
    """Add ``traceparent`` (and ``tracestate``) for the current span to outgoing ``headers``."""
    if _state.tracer is not None:
        _W3C.inject(headers)


# --- HTTP server spans ------------------------------------------------------------------------


class RequestSpan:
    """The server span of one HTTP request, current from :func:`start_request` to :meth:`end`."""

    __slots__ = ("_method", "_span", "_token")

    def __init__(self, current: Span, token: object, method: str) -> None:
        self._span = current
        self._token = token
        self._method = method

    def end(self, route: str, status: int) -> None:
        """Name the span after the route template (``POST /api/messages``) and end it."""
        if route != "unmatched":
            self._span.update_name(f"{self._method} {route}")
            self._span.set_attribute("http.route", route)
        self._span.set_attribute("http.response.status_code", status)
        if status >= 500:
            self._span.set_attribute("error.type", str(status))
            self._span.set_status(Status(StatusCode.ERROR))
        self._span.end()
        otel_context.detach(self._token)  # type: ignore[arg-type]


class _NoRequestSpan(RequestSpan):
    def __init__(self) -> None:
        pass

    def end(self, route: str, status: int) -> None:
        pass


_NO_REQUEST = _NoRequestSpan()


def start_request(scope: Mapping[str, Any], request_id: str) -> RequestSpan:
    """Start the server span of an ASGI HTTP request, continuing the caller's W3C ``traceparent``."""
    tracer = _state.tracer
    if tracer is None:
        return _NO_REQUEST
    carrier: dict[str, str] = {}
    for header, value in scope["headers"]:
        if header in (b"traceparent", b"tracestate"):
            carrier[header.decode("latin-1")] = value.decode("latin-1")
    parent = _W3C.extract(carrier) if carrier else otel_context.Context()
    method = scope["method"] if scope["method"] in _METHODS else "_OTHER"
    current = tracer.start_span(
        "HTTP" if method == "_OTHER" else method,
        context=parent,
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": method,
            "url.scheme": scope.get("scheme", "http"),
            "url.path": redact_text(scope["path"]),
            "network.protocol.version": scope.get("http_version", "1.1"),
            "agente.request_id": request_id,
        },
    )
    token = otel_context.attach(trace.set_span_in_context(current, parent))
    return RequestSpan(current, token, method if method != "_OTHER" else "HTTP")


# --- logs -------------------------------------------------------------------------------------


def add_trace_ids(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: ``trace_id`` and ``span_id`` of the current span, when there is one."""
    ids = trace.get_current_span().get_span_context()
    if ids.is_valid:
        event_dict["trace_id"] = format(ids.trace_id, "032x")
        event_dict["span_id"] = format(ids.span_id, "016x")
    return event_dict
