from __future__ import annotations

import logging
from pathlib import Path

import structlog
from sqlalchemy import select

from agente.config import Settings
from agente.container import Container, build_container
from agente.observability.logging import configure_logging
from agente.storage import db
from agente.storage.models import LogEntry
from tests.conftest import free_port


async def _rows(container: Container) -> list[LogEntry]:
    async with db.session_scope(container.session_factory) as session:
        return list((await session.execute(select(LogEntry).order_by(LogEntry.id))).scalars())


async def test_warnings_reach_the_logs_table_masked_and_infos_do_not(container: Container) -> None:
    configure_logging("INFO")
    structlog.contextvars.bind_contextvars(request_id="req-7")
    log = structlog.stdlib.get_logger("agente.test.events")
    log.info("routine detail")
    log.warning("guest complained", email="ana@example.org", nights=3)
    logging.getLogger("uvicorn.error").error("socket trouble for +34 612 345 678")
    structlog.contextvars.clear_contextvars()

    assert await container.event_log.flush() == 2
    rows = await _rows(container)
    assert [(r.level, r.event, r.logger) for r in rows] == [
        ("warning", "guest complained", "agente.test.events"),
        ("error", "socket trouble for ***78", "uvicorn.error"),
    ]
    assert rows[0].request_id == "req-7"
    assert rows[0].data == {"email": "a***@example.org", "nights": 3}
    assert rows[0].created_at.tzinfo is not None


async def test_records_are_dropped_and_counted_when_the_database_is_down(tmp_path: Path) -> None:
    dead = f"postgresql://agente@127.0.0.1:{free_port()}/agente_db"
    settings = Settings(env="test", data_dir=tmp_path, database_url=dead, database_timeout=1)
    configure_logging("INFO")
    async with build_container(settings) as container:
        structlog.stdlib.get_logger("agente.test.events").error("one")
        assert await container.event_log.flush() == 0
        assert container.metrics.registry.get_sample_value("event_log_dropped_total") == 1
