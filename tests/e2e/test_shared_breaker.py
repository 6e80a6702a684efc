"""Two API processes on one PostgreSQL and one Redis see one PMS circuit breaker."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_SERVER_URL, free_port
from tests.e2e.procs import AGENTE, clean_env, wait_for_http

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
ADMIN = {"Authorization": "Bearer e2e-admin-token"}


def _running(proc: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: proc.poll() is None


@pytest.fixture
def two_replicas(tmp_path: Path, pg_database: str, redis_prefix: str) -> Iterator[tuple[str, str]]:
    env = clean_env(
        DATABASE_URL=pg_database,
        REDIS_URL=REDIS_SERVER_URL,
        REDIS_KEY_PREFIX=redis_prefix + "replicas:",
        ADMIN_TOKEN="ops:e2e-admin-token",
        PMS_CB_FAILURE_THRESHOLD="2",
        LOG_LEVEL="WARNING",
    )
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    urls = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = (tmp_path / f"{name}.log").open("wb")
            logs.append(log)
            proc = subprocess.Popen(
                [AGENTE, "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=log, stderr=log
            )
            procs.append(proc)
            url = f"http://127.0.0.1:{port}"
            wait_for_http(f"{url}/health/live", alive=_running(proc))
            urls.append(url)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()


def test_a_breaker_opened_by_one_replica_refuses_on_the_other(two_replicas: tuple[str, str]) -> None:
    a, b = two_replicas
    with httpx.Client(timeout=10) as http:
        assert http.post(f"{a}/admin/pms/simulator", json={"down": True}, headers=ADMIN).status_code == 200
        # Both replicas re-read the fault switch within a second; A's self tests trip the breaker.
        failed = []
        for _ in range(20):
            body = http.post(f"{a}/api/test", json={"message": "test"}).json()
            failed.append(body["checks"]["pms"]["detail"])
            if "Circuit breaker is OPEN" in failed[-1]:
                break
        assert "Circuit breaker is OPEN" in failed[-1], failed

        on_b = http.post(f"{b}/api/test", json={"message": "test"}).json()
        assert on_b["failed"] == ["pms"] and "Circuit breaker is OPEN" in on_b["checks"]["pms"]["detail"]
        assert http.get(f"{b}/admin/circuit-breakers", headers=ADMIN).json()["pms"]["state"] == "open"
        ready_b = http.get(f"{b}/health/ready").json()
        assert ready_b["status"] == "degraded" and ready_b["dependencies"]["pms"]["info"]["circuit_breaker"] == "open"
        assert "pms_circuit_breaker_state 1.0" in http.get(f"{b}/metrics").text

        http.post(f"{b}/admin/pms/simulator", json={}, headers=ADMIN)
        time.sleep(1.2)  # every replica re-reads the healed fault switch before the breaker closes
        assert http.post(f"{b}/admin/circuit-breakers/pms/reset", headers=ADMIN).status_code == 200
        assert http.get(f"{a}/admin/circuit-breakers", headers=ADMIN).json()["pms"]["state"] == "closed"
        assert http.post(f"{a}/api/test", json={"message": "test"}).json()["status"] == "success"
