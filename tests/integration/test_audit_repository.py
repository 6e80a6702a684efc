"""The audit trail's contract, the same in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agente.storage.repositories.audit import AuditChange
from tests.integration.conftest import Backend


async def test_changes_read_back_newest_first_a_page_at_a_time(backend: Backend) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    async with backend.storage.begin() as uow:
        await uow.audit.add(
            AuditChange("ops", "feature_flag.set", "nlu.enabled", {"enabled": True}, {"enabled": False})
        )
        await uow.audit.add(AuditChange("cli:ana", "blocklist.add", "203.0.113.7/32", None, {"reason": "scraper"}))
        await uow.audit.add(AuditChange("ops", "circuit_breaker.reset", "pms", {"state": "open"}, None, "req-3"))

    async with backend.storage.begin() as uow:
        first = await uow.audit.page(limit=2)
        # Older changes of other tests may share the run's database: the page ends at ours.
        rest = await uow.audit.page(limit=1, before_id=first[-1].id)
    assert [c.action for c in first] == ["circuit_breaker.reset", "blocklist.add"]
    assert [c.action for c in rest] == ["feature_flag.set"]
    assert first[0].id > first[1].id > rest[0].id

    newest, oldest = first[0], rest[0]
    assert (newest.actor, newest.target, newest.before, newest.after) == ("ops", "pms", {"state": "open"}, None)
    assert newest.request_id == "req-3" and oldest.request_id is None
    assert (oldest.before, oldest.after) == ({"enabled": True}, {"enabled": False})
    assert all(c.created_at.tzinfo is not None and c.created_at >= started for c in (*first, *rest))


async def test_a_change_rolled_back_is_not_in_the_trail(backend: Backend) -> None:
    try:
        async with backend.storage.begin() as uow:
            await uow.audit.add(AuditChange("ops", "rate_limits.set", "rate_limit", None, None))
            raise RuntimeError("the change itself failed")
    except RuntimeError:
        pass
    async with backend.storage.begin() as uow:
        assert await uow.audit.page(limit=10) == []
