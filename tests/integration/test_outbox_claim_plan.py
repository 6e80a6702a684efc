"""The outbox claim's cost follows the jobs it looks at, not the square of the backlog.

A worker that falls behind (a burst, a slow PMS) must catch up, not slow down further: the
claim asks, for every due job, whether an earlier job of its guest still waits. Here the
rows PostgreSQL visits to answer one claim (from ``EXPLAIN ANALYZE``, summed over every plan
node and loop) are counted with a backlog of 6,000 jobs for 600 guests, behind 20,000 done
jobs, in a database whose statistics were never gathered (as on a server with autovacuum
off, or before its first run), and with the generic plan the driver's prepared statement
ends up with (values bound as parameters, not known to the planner).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

from agente.storage.repositories.outbox.sql import claimable

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


def _sql_literal(value: object) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


async def test_a_claim_over_a_backlog_visits_rows_in_proportion_to_it(pg_database: str) -> None:
    claim = claimable(datetime.now(UTC) + timedelta(seconds=1), 10).with_for_update(skip_locked=True)
    dialect = pg_asyncpg.dialect()  # type: ignore[no-untyped-call]
    compiled = claim.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    arguments = ", ".join(_sql_literal(compiled.params[name]) for name in compiled.positiontup or [])
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute("BEGIN")  # rolled back: the run's shared database keeps no rows
        try:
            await conn.execute(_JOBS, DONE, WAITING, GUESTS)
            await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            await conn.execute(f"PREPARE claim AS {compiled.string}")
            explained = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim({arguments})")
            plan = json.loads(explained)[0]["Plan"]
            claimed = await conn.fetch(f"EXECUTE claim({arguments})")
        finally:
            await conn.execute("ROLLBACK")
            await conn.execute("DEALLOCATE ALL")
    finally:
        await conn.close()

    # The oldest job of each of the first guests: nothing earlier of theirs waits.
    assert len(claimed) == 10
    visited = _rows_visited(plan)
    # Each waiting job is checked against its own guest's few waiting jobs (10 per guest
    # here): some tens of thousands of rows. Checking each against the whole backlog, as a
    # plan without the partial index of waiting jobs does, visits tens of millions.
    assert visited < 50 * WAITING, f"{visited:,} rows visited for one claim"
