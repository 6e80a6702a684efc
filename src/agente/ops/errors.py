"""Errors of the operations controls.

::

    AgenteError
     └── OpsError
          ├── UnknownFlagError        a flag name that is not declared (400)
          └── InvalidControlError     a value an operator gave that cannot work (400)
"""

from __future__ import annotations

from agente.errors import AgenteError


class OpsError(AgenteError):
    """Base of the operations controls' errors."""


class UnknownFlagError(OpsError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown feature flag {name!r}; known flags: {', '.join(known)}")
        self.name = name


class InvalidControlError(OpsError):
    """An operator's value that cannot work (a bad address, a zero window...)."""
