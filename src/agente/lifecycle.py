"""Whether this process is shutting down: readiness reads it, the server sets it on SIGTERM."""

from __future__ import annotations


class Lifecycle:
    """Set once, never cleared: a draining process does not come back."""

    def __init__(self) -> None:
        self.draining = False

    def begin_drain(self) -> None:
        self.draining = True
