"""The OTLP/HTTP span exporter as the service uses it (imported only when tracing is on).

Spans go to ``{OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`` as protobuf, with the headers of
``OTEL_EXPORTER_OTLP_HEADERS``; one export gives up after ``TRACING_EXPORT_TIMEOUT``
seconds, retries included. :meth:`StoppableExporter.shutdown` may be called early to abort
an export that is retrying, so a collector that never answers cannot keep the export
thread alive long after the process decided to stop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

if TYPE_CHECKING:
    from agente.config import Settings


class StoppableExporter(SpanExporter):
    """Delegates to ``inner``; the first :meth:`shutdown` stops it, later ones do nothing."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner
        self.stopped = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export(spans)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)

    def shutdown(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.inner.shutdown()


def otlp_exporter(settings: Settings) -> StoppableExporter:
    """The exporter for ``settings`` (whose collector endpoint is set)."""
    assert settings.otel_exporter_otlp_endpoint is not None
    raw = settings.otel_exporter_otlp_headers.get_secret_value() if settings.otel_exporter_otlp_headers else ""
    pairs = (item.partition("=") for item in raw.split(","))
    headers = {name.strip(): value.strip() for name, sep, value in pairs if sep and name.strip()}
    return StoppableExporter(
        OTLPSpanExporter(
            endpoint=settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces",
            headers=headers,
            timeout=settings.tracing_export_timeout,
        )
    )
