"""The outbox claim's cost follows the jobs it looks at, not the square of the backlog.

A worker that falls behind (a burst, a slow PMS) must catch up, not slow down further: the
claim asks, for every due job, whether an earlier job of its guest still waits. Here the
rows PostgreSQL visits to answer one claim (from ``EXPLAIN ANALYZE``, summed over every plan
node and loop) are counted with a backlog of 6,000 jobs for 600 guests, behind 20,000 done
jobs, in a database whose statistics were never gathered (as on a server with autovacuum
off, or before its first run).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects import postgresql

from agente.worker.outbox import claimable

pytestmark = pytest.mark.postgres

DONE, WAITING, GUESTS = 20_000, 6_000, 600

_JOBS = """
INSERT INTO outbox (kind, payload, status, attempts, max_attempts, next_attempt_at, created_at, updated_at,
                    dedup_key, ordering_key)
SELECT 'whatsapp.delivery', '{}'::json, CASE WHEN i <= $1::int THEN 'done' ELSE 'pending' END, 0, 10,
       now() - interval '1 minute', now(), now(), 'claim-plan-' || i, 'whatsapp:guest-' || (i % $3::int)
FROM generate_series(1, $1::int + $2::int) AS i
"""


def _rows_visited(node: dict[str, Any]) -> int:
    own = int(node.get("Actual Rows", 0)) * int(node.get("Actual Loops", 1))
    return own + sum(_rows_visited(child) for child in node.get("Plans", []))


async def test_a_claim_over_a_backlog_visits_rows_in_proportion_to_it(pg_database: str) -> None:
    claim = claimable(datetime.now(UTC) + timedelta(seconds=1), 10).with_for_update(skip_locked=True)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    sql = str(claim.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute("BEGIN")  # rolled back: the run's shared database keeps no rows
        try:
            await conn.execute(_JOBS, DONE, WAITING, GUESTS)
            plan = json.loads(await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))[0]["Plan"]
            claimed = await conn.fetch(sql)
        finally:
            await conn.execute("ROLLBACK")
    finally:
        await conn.close()

    # The oldest job of each of the first guests: nothing earlier of theirs waits.
    assert len(claimed) == 10
    visited = _rows_visited(plan)
    # Each waiting job is checked against its own guest's few waiting jobs (10 per guest
    # here): some tens of thousands of rows. Checking each against the whole backlog, as an
    # index over every job ever run let the planner do, visits tens of millions.
    assert visited < 50 * WAITING, f"{visited:,} rows visited for one claim"
