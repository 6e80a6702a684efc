"""Errors of the PMS side, whatever the adapter.

::

    AgenteError
     └── PmsError
          ├── PmsUnavailableError         the PMS could not be asked (refused, 5xx, dropped)
          │    ├── PmsTimeoutError        it did not answer in PMS_TIMEOUT
          │    └── CircuitOpenError       not asked at all: the breaker is open
          ├── PmsRejectedError            it answered no to this request
          │    ├── RoomsNotAvailableError the rooms are not free for those dates
          │    └── BookingNotFoundError   no booking with that reference
          └── PmsConfigurationError       it cannot work as configured (bad key, wrong host)

Unavailable errors count against the circuit breaker; a rejection is a healthy PMS
saying no, and does not. Adapters raise only these: httpx errors stop in the adapter.
"""

from __future__ import annotations

from agente.errors import AgenteError


class PmsError(AgenteError):
    """Base of everything the PMS side raises."""


class PmsUnavailableError(PmsError):
    """The PMS could not be asked, or did not give a usable answer. Safe to retry reads."""


class PmsTimeoutError(PmsUnavailableError):
    """The PMS did not answer within the configured timeout."""


class CircuitOpenError(PmsUnavailableError):
    """The breaker is open: the call was refused without reaching the PMS."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"Circuit breaker is OPEN; next probe in {retry_in:.0f}s")
        self.retry_in = retry_in


class PmsRejectedError(PmsError):
    """The PMS answered and refused the request (invalid, or not possible)."""


class RoomsNotAvailableError(PmsRejectedError):
    """The requested rooms are not free for the stay."""


class BookingNotFoundError(PmsRejectedError):
    """No booking has that reference."""


class PmsConfigurationError(PmsError):
    """The PMS cannot work as configured (key refused, host mismatch, webservice off)."""
