"""What a job's handler raises to tell the relay what became of the job.

    AgenteError
    ├── RetryLater              not now: run again after ``delay`` seconds
    └── PermanentJobError       never: dead-letter the job at once
        └── UnreadablePayloadError   the job's payload is not in the form its handler reads

Any other exception is retried with back-off, except data the database cannot store
(``storage.errors.is_unstorable``), which no retry can fix either.
"""

from __future__ import annotations

from typing import Any

from agente.errors import AgenteError

__all__ = ["PermanentJobError", "RetryLater", "UnreadablePayloadError"]


class RetryLater(AgenteError):
    """Raised by a handler: try again after ``delay`` seconds."""

    def __init__(
        self, reason: str, *, delay: float, spend_attempt: bool = True, progress: dict[str, Any] | None = None
    ) -> None:
        super().__init__(reason)
        self.delay = delay
        self.spend_attempt = spend_attempt
        # Merged into the job's payload, so the next run resumes where this one stopped
        # (the parts of a long reply already sent are not sent again).
        self.progress = progress or {}


class PermanentJobError(AgenteError):
    """Raised by a handler: this job can never succeed; mark it dead now.

    The message is stored as the job's ``last_error`` for an operator: it names what failed,
    not the guest's data."""


class UnreadablePayloadError(PermanentJobError):
    """Raised by a handler whose job payload does not parse (a body that is no delivery,
    fields missing): running it again reads the same payload."""
