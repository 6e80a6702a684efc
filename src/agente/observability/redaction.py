"""Masking of personal data and secrets before anything is written to a log.

Emails keep their first character and domain (``j***@example.com``); phone numbers keep
their last two digits (``***45``). Dates, UUIDs and IP addresses are left alone: a phone
number is nine or more digits joined only by spaces, dashes or parentheses. Secrets that
an exception message or URL may carry are replaced by ``***``: ``password=...``,
``token: ...``, ``Bearer ...`` and the password in ``scheme://user:password@host``.
"""

from __future__ import annotations

import re
from typing import Any

# The local part is bounded by its RFC 5321 maximum (64): unbounded, a long run of address
# characters without "@" (a request path, say) costs quadratic time to scan.
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{0,63}@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token|authorization)"
    r"(\"?\s*[=:]\s*)(\"?)(?!(?:bearer|basic)\s)[^\s\",;&]+"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+):[^@\s]+@")
_PHONE = re.compile(r"(?<![\w./-])\+?\d(?:[ \-]?\(?\d\)?){8,16}(?![\w.:/-])")

# Values under these keys are produced by the service itself and carry no guest data.
_SAFE_KEYS = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "request_id",
        "trace_id",
        "span_id",
        "client_ip",
        "duration_ms",
        "status",
        "method",
        "route",
    }
)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "***" + digits[-2:]


def redact_text(value: str) -> str:
    """``value`` with every secret, email and phone number masked."""
    value = _URL_PASSWORD.sub(r"\1:***@", value)
    value = _BEARER.sub(lambda m: f"{m.group(1)} ***", value)
    value = _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}***", value)
    value = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)
    return _PHONE.sub(_mask_phone, value)


def redact(value: Any) -> Any:
    """Mask personal data inside strings, lists and dicts, recursively."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: v if k in _SAFE_KEYS else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def redact_processor(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask personal data in every field of the event."""
    return {k: v if k in _SAFE_KEYS else redact(v) for k, v in event_dict.items()}
