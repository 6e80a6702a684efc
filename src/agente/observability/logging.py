"""Structured logging: one JSON object per line on stdout.

Every line carries ``timestamp``, ``level``, ``event``, ``logger`` and, inside a request,
``request_id``. Personal data is masked (:mod:`agente.observability.redaction`). When a
line has a ``client_ip`` it is written as the object's last member, so ``awk '{print
$NF}'`` — as the runbook uses it — prints the client address. With tracing on, a line
written while a span is current (a request, a job) also has its ``trace_id`` and ``span_id``.

Standard-library loggers (uvicorn, alembic, SQLAlchemy) go through the same renderer.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

from agente.observability.event_log import EventLogHandler
from agente.observability.redaction import redact_processor
from agente.observability.tracing import add_trace_ids

_STDOUT_HANDLER = "agente-stdout"


def _client_ip_last(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    if "client_ip" in event_dict:
        event_dict["client_ip"] = event_dict.pop("client_ip")
    return event_dict


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stdout`` is at the time of each record (it may be replaced)."""

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route structlog and the standard library to JSON lines on ``stream`` (stdout). Safe to call again."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_processor,
    ]
    renderer: list[Any] = [_client_ip_last, structlog.processors.JSONRenderer()]

    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )
    handler: logging.StreamHandler[TextIO] = logging.StreamHandler(stream) if stream else _StdoutHandler()
    handler.set_name(_STDOUT_HANDLER)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace our own stdout handler (and pytest's or basicConfig's), keep others such as
    # the event-log handler a running container added.
    root.handlers[:] = [h for h in root.handlers if isinstance(h, EventLogHandler)] + [handler]
    root.setLevel(level)
    # aiosqlite's DEBUG lines repeat every SQL statement with its parameters, guests' messages
    # and names among them, which no redaction can recognise: never below INFO.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # uvicorn's own access log would duplicate ours (which has the request id and route).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
