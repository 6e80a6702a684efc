"""``agente worker`` as a real process: its own /metrics and health port, and a clean SIGTERM."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_SERVER_URL, free_port
from tests.e2e.procs import AGENTE, clean_env, process_output, wait_for_http

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_the_worker_serves_metrics_and_health_and_stops_on_sigterm(
    tmp_path: Path, pg_database: str, redis_prefix: str
) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=pg_database,
        REDIS_URL=REDIS_SERVER_URL,
        REDIS_KEY_PREFIX=redis_prefix + "worker:",
        WORKER_METRICS_HOST="127.0.0.1",
        WORKER_METRICS_PORT=str(port),
        OUTBOX_POLL_SECONDS="0.2",
        LOG_LEVEL="INFO",
    )
    stdout, stderr = tmp_path / "worker.out", tmp_path / "worker.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen([AGENTE, "worker"], env=env, stdout=out, stderr=err)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/health/live", alive=lambda: proc.poll() is None)
            assert httpx.get(f"{base}/health/ready", timeout=5).json()["status"] == "ready"
            metrics = httpx.get(f"{base}/metrics", timeout=5).text
            assert 'dependency_up{dependency="postgres"} 1.0' in metrics
            assert 'worker_jobs_total{job="outbox",outcome="ok"}' in metrics
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0, process_output(stdout, stderr)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "worker stopped" in stdout.read_text() + stderr.read_text()
