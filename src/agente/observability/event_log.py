"""The ``logs`` table: notable log events (warnings and worse) kept queryable in the database.

stdout stays the primary log. This sink copies each record at or above ``EVENT_LOG_LEVEL``
into a bounded in-memory buffer; :class:`agente.storage.event_log.EventLogWriter`, a task of
the container, writes the buffer to ``logs`` in batches once a second. Logging never waits
on the database: when the buffer is full, or the database is down when a batch is written,
the records are dropped and counted in ``event_log_dropped_total`` — the stdout copy of
each line still exists.

Records are already masked by the logging pipeline (structlog events) or masked here
(standard-library records), so no personal data reaches the table either.
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import UTC, datetime
from typing import Any

from agente.observability.redaction import redact, redact_text

# Fields that have their own column, or that the table does not need to repeat.
_COLUMNS = frozenset({"event", "level", "logger", "request_id", "timestamp", "exc_info", "_record", "_from_structlog"})


class EventLogHandler(logging.Handler):
    """A logging handler that buffers records for :class:`EventLogWriter`."""

    def __init__(self, level: int, capacity: int = 10_000) -> None:
        super().__init__(level)
        self.buffer: deque[dict[str, Any]] = deque()
        self.capacity = capacity
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.buffer) >= self.capacity:
            self.dropped += 1
            return
        if isinstance(record.msg, dict):  # a structlog event, already masked
            fields = dict(record.msg)
            event = str(fields.get("event", ""))
        else:
            fields = {}
            event = redact_text(record.getMessage())
        if record.exc_info and "exception" not in fields:
            fields["exception"] = redact_text(logging.Formatter().formatException(record.exc_info))
        self.buffer.append(
            {
                "created_at": datetime.fromtimestamp(record.created, UTC),
                "level": record.levelname.lower(),
                "event": event[:10_000],
                "logger": record.name[:100],
                "request_id": fields.get("request_id"),
                "data": redact({k: _jsonable(v) for k, v in fields.items() if k not in _COLUMNS}),
            }
        )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)
