"""Blocked client addresses and ranges, one entry per network.

``network`` is the normalised CIDR text (``"203.0.113.7/32"``, ``"10.0.0.0/8"``) and is
unique: putting an entry for a stored network replaces that entry's reason, author and
expiry, keeping its id and creation time. Which addresses an entry matches, and whether it
is still in force, is the blocklist's business (``ops.blocklist``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BlockEntry:
    id: int
    network: str
    reason: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None


class BlocklistRepository(Protocol):
    async def all(self) -> list[BlockEntry]:
        """Every stored entry, expired or not, oldest (lowest id) first."""
        ...

    async def put(
        self, network: str, *, reason: str | None, created_by: str, expires_at: datetime | None
    ) -> BlockEntry:
        """Add the entry for ``network``, or replace the stored one's reason, author and expiry."""
        ...

    async def remove(self, network: str) -> BlockEntry | None:
        """Delete the entry for ``network``; the entry as it was, or None when there was none."""
        ...

    async def purge_expired(self, now: datetime) -> None:
        """Delete the entries that expired at or before ``now``."""
        ...
