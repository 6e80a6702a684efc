"""Blocked client addresses and ranges.

The list lives in the database (``blocked_clients``), so it survives restarts and every
process sees the same one. Each process keeps the list in memory and re-reads it at most
every ``refresh_seconds`` (default 2), so a block takes effect everywhere within that
time; if the database does not answer, the last list read stays in force. Entries may
expire; an expired entry stops matching at once and is removed on the next change.

:func:`render_nginx` writes the same list as ``deny`` lines for nginx's
``blacklist.conf``, so the proxy can refuse those clients before they reach the service.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.errors import DependencyUnavailableError, InvalidControlError
from agente.storage import db
from agente.storage.models import BlockedClient

log = structlog.stdlib.get_logger("agente.blocklist")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network:
    """``"203.0.113.7"`` or ``"10.0.0.0/8"`` → a network; raises :class:`InvalidControlError`."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as exc:
        raise InvalidControlError(f"{text!r} is not an IP address or CIDR range") from exc


@dataclass(frozen=True, slots=True)
class Block:
    network: Network
    expires_at: datetime | None


class Blocklist:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        *,
        refresh_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.factory = factory
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._now = now
        self._blocks: list[Block] = []
        self._read_at = float("-inf")

    async def refresh(self, *, force: bool = False) -> None:
        if not force and self._clock() - self._read_at < self.refresh_seconds:
            return
        self._read_at = self._clock()
        try:
            async with db.session_scope(self.factory) as session:
                rows = (await session.execute(select(BlockedClient.network, BlockedClient.expires_at))).all()
        except DependencyUnavailableError as exc:
            log.warning("blocklist: database unavailable, keeping the last list", error=str(exc))
            return
        self._blocks = [Block(ipaddress.ip_network(network), expires) for network, expires in rows]

    async def blocks(self, address: str) -> bool:
        """True when ``address`` falls in a live entry. Unparseable addresses are not blocked."""
        await self.refresh()
        if not self._blocks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        now = self._now()
        return any(ip in block.network for block in self._blocks if block.expires_at is None or block.expires_at > now)

    async def add(
        self, session: AsyncSession, *, address: str, reason: str | None, created_by: str, ttl: timedelta | None
    ) -> BlockedClient:
        """Add (or replace) an entry inside the caller's transaction."""
        network = parse_network(address)
        await self._purge_expired(session)
        existing = (
            await session.execute(select(BlockedClient).where(BlockedClient.network == str(network)))
        ).scalar_one_or_none()
        entry = existing or BlockedClient(network=str(network), created_by=created_by)
        entry.reason = reason
        entry.created_by = created_by
        entry.expires_at = self._now() + ttl if ttl else None
        session.add(entry)
        await session.flush()
        self._read_at = float("-inf")
        return entry

    async def remove(self, session: AsyncSession, address: str) -> BlockedClient | None:
        network = parse_network(address)
        entry = (
            await session.execute(select(BlockedClient).where(BlockedClient.network == str(network)))
        ).scalar_one_or_none()
        if entry is not None:
            await session.delete(entry)
            await session.flush()
        self._read_at = float("-inf")
        return entry

    async def entries(self, session: AsyncSession) -> list[BlockedClient]:
        now = self._now()
        rows = (await session.execute(select(BlockedClient).order_by(BlockedClient.id))).scalars()
        return [row for row in rows if row.expires_at is None or row.expires_at > now]

    async def _purge_expired(self, session: AsyncSession) -> None:
        await session.execute(delete(BlockedClient).where(BlockedClient.expires_at <= self._now()))


def render_nginx(entries: list[BlockedClient]) -> str:
    """The list as nginx ``deny`` lines, one per entry, with its reason and expiry as a comment."""
    lines = ["# Generated by `agente blocklist nginx-conf`; include it in the server block."]
    for entry in entries:
        network = ipaddress.ip_network(entry.network)
        target = str(network.network_address) if network.num_addresses == 1 else str(network)
        notes = [
            n for n in (entry.reason, f"expires {entry.expires_at.isoformat()}" if entry.expires_at else None) if n
        ]
        comment = f"  # {'; '.join(notes)}".replace("\n", " ") if notes else ""
        lines.append(f"deny {target};{comment}")
    return "\n".join(lines) + "\n"
