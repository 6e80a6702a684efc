"""Root of the service's exception hierarchy.

::

    AgenteError
     ├── ConfigurationError          settings that cannot work (raised at start-up)
     ├── InvalidControlError         a value an operator gave that cannot work (400)
     ├── DependencyUnavailableError  a backing service (database, Redis) did not answer
     │    ├── DatabaseUnavailableError
     │    └── RedisUnavailableError
     └── DuplicateRecordError        a unique key already holds what was to be written

Each package adds its own subtree in ``<package>/errors.py``. Foreign exceptions (asyncpg,
redis-py, httpx) are translated into these at the boundary that meets them, so callers
never catch a driver's exception.
"""

from __future__ import annotations


class AgenteError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigurationError(AgenteError):
    """The configuration cannot work; raised before the service starts serving."""


class InvalidControlError(AgenteError):
    """An operator's value that cannot work (a bad address, a zero window, a breaker threshold...).

    Raised by the parts that own the value (breaker, limiter, blocklist, simulator faults,
    hotel facts), whichever layer they sit in; the API answers it with a 400."""


class DependencyUnavailableError(AgenteError):
    """A backing service did not answer in time or refused the connection."""

    dependency = "dependency"


class DatabaseUnavailableError(DependencyUnavailableError):
    dependency = "postgres"


class RedisUnavailableError(DependencyUnavailableError):
    dependency = "redis"


class DuplicateRecordError(AgenteError):
    """A write would duplicate what a unique key already holds (a redelivered message, a
    record a concurrent request created first). Raised by storage; nothing was written."""
