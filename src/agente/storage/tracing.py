"""Database spans: the engine's statements as client spans of the trace that runs them.

Kept here, beside the engine, so that only :mod:`agente.storage` knows SQLAlchemy; the
tracer itself comes from :mod:`agente.observability.tracing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from opentelemetry.util.types import AttributeValue
from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from agente.observability.tracing import SpanScope, active_tracer, child_span, mark_error

# Statements are long when a batch is inlined; the span keeps their start.
STATEMENT_CHARS = 2000


def _database(url: URL) -> tuple[str, dict[str, AttributeValue]]:
    """The database's name and the attributes every one of its statements' spans carries."""
    backend = url.get_backend_name()
    database = (url.database or "").rsplit("/", 1)[-1] or backend
    base: dict[str, AttributeValue] = {
        "db.system.name": "postgresql" if backend == "postgresql" else backend,
        "db.namespace": database,
    }
    if url.host:
        base["server.address"] = url.host
        base["server.port"] = url.port or 5432
    return database, base


def statement_spans(url: URL) -> Callable[[str, str], SpanScope]:
    """For statements run on the driver itself: ``span(operation, sql)`` is the client span
    :func:`trace_engine` would have made for it (only inside a recorded span)."""
    database, base = _database(url)

    def statement_span(operation: str, sql: str) -> SpanScope:
        attributes = {**base, "db.operation.name": operation, "db.query.text": sql.strip()[:STATEMENT_CHARS]}
        return child_span(f"{operation} {database}", attributes=attributes)

    return statement_span


def trace_engine(engine: AsyncEngine) -> None:
    """A client span per statement the engine runs inside a recorded span.

    Named ``{operation} {database}`` (``SELECT agente``), with the SQL text — bound parameters
    stay out of it. Costs one check per statement while tracing is off."""
    database, base = _database(engine.url)

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        tracer = active_tracer()
        if tracer is None or context is None or not trace.get_current_span().is_recording():
            return
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        context._agente_span = tracer.start_span(
            f"{operation} {database}",
            kind=SpanKind.CLIENT,
            attributes={**base, "db.operation.name": operation, "db.query.text": statement[:STATEMENT_CHARS]},
        )

    def after(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        ended: Span | None = getattr(context, "_agente_span", None)
        if ended is not None:
            context._agente_span = None
            ended.end()

    def failed(error: ExceptionContext) -> None:
        failing: Span | None = getattr(error.execution_context, "_agente_span", None)
        if failing is not None:
            error.execution_context._agente_span = None  # type: ignore[union-attr]
            mark_error(failing, error.original_exception)
            failing.end()

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    event.listen(engine.sync_engine, "handle_error", failed)
