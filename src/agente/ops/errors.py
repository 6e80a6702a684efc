"""Errors of the operations controls.

::

    AgenteError
     └── OpsError
          └── UnknownFlagError        a flag name that is not declared (400)

(An operator's value that cannot work is :class:`agente.errors.InvalidControlError`: the PMS
breaker and the simulator raise it too, and they sit below this package.)
"""

from __future__ import annotations

from agente.errors import AgenteError


class OpsError(AgenteError):
    """Base of the operations controls' errors."""


class UnknownFlagError(OpsError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown feature flag {name!r}; known flags: {', '.join(known)}")
        self.name = name
