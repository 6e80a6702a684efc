"""Errors of the reservations package.

::

    AgenteError
     └── ReservationError
          └── BookingsDisabledError   the bookings.enabled kill switch is off
"""

from __future__ import annotations

from agente.errors import AgenteError


class ReservationError(AgenteError):
    """Base of the reservations package's errors."""


class BookingsDisabledError(ReservationError):
    """New bookings are switched off (feature flag ``bookings.enabled``)."""
