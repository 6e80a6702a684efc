"""The blocklist's contract, the same in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.conftest import Backend

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def test_putting_a_stored_network_replaces_its_details_and_keeps_its_identity(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        first = await uow.blocklist.put("203.0.113.0/24", reason="scraper", created_by="ops", expires_at=None)
        other = await uow.blocklist.put("2001:db8::1/128", reason=None, created_by="ops", expires_at=None)
    async with backend.storage.begin() as uow:
        replaced = await uow.blocklist.put(
            "203.0.113.0/24", reason="still scraping", created_by="cli:ana", expires_at=NOW + timedelta(hours=1)
        )
        stored = await uow.blocklist.all()

    assert first.id != other.id and first.created_at.tzinfo is not None
    assert (replaced.id, replaced.network, replaced.created_at) == (first.id, first.network, first.created_at)
    assert (replaced.reason, replaced.created_by, replaced.expires_at) == (
        "still scraping",
        "cli:ana",
        NOW + timedelta(hours=1),
    )
    assert stored == [replaced, other]


async def test_remove_returns_the_entry_as_it_was(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        added = await uow.blocklist.put("192.0.2.9/32", reason="spam", created_by="ops", expires_at=None)
    async with backend.storage.begin() as uow:
        assert await uow.blocklist.remove("192.0.2.9/32") == added
        assert await uow.blocklist.remove("192.0.2.9/32") is None
        assert await uow.blocklist.all() == []


async def test_purge_deletes_only_what_expired_by_then(backend: Backend) -> None:
    async with backend.storage.begin() as uow:
        for network, expires_at in [
            ("10.0.0.0/8", None),
            ("192.0.2.1/32", NOW - timedelta(minutes=1)),
            ("192.0.2.2/32", NOW),
            ("192.0.2.3/32", NOW + timedelta(minutes=1)),
        ]:
            await uow.blocklist.put(network, reason=None, created_by="ops", expires_at=expires_at)
    async with backend.storage.begin() as uow:
        # All entries are read back, expired or not: what is in force is the blocklist's call.
        assert len(await uow.blocklist.all()) == 4
        await uow.blocklist.purge_expired(NOW)
        left = [entry.network for entry in await uow.blocklist.all()]
    assert left == ["10.0.0.0/8", "192.0.2.3/32"]


async def test_a_unit_that_raises_changes_nothing(backend: Backend) -> None:
    try:
        async with backend.storage.begin() as uow:
            await uow.blocklist.put("198.51.100.0/24", reason=None, created_by="ops", expires_at=None)
            raise RuntimeError("the audit entry could not be written")
    except RuntimeError:
        pass
    async with backend.storage.begin() as uow:
        assert await uow.blocklist.all() == []
