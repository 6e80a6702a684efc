"""The operations commands, run as an operator would, against real Redis and the database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_SERVER_URL
from tests.e2e.procs import clean_env, describe, run_agente

pytestmark = pytest.mark.e2e


@pytest.fixture
def shared(tmp_path: Path) -> tuple[dict[str, str], str]:
    prefix = f"test:ops-cli:{uuid.uuid4().hex[:8]}:"
    env = clean_env(REDIS_URL=REDIS_SERVER_URL, REDIS_KEY_PREFIX=prefix)
    assert run_agente("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    return env, prefix


def _redis() -> redis.Redis:
    return redis.Redis.from_url(REDIS_SERVER_URL, decode_responses=True)


def test_flags_set_writes_the_runbook_key(tmp_path: Path, shared: tuple[dict[str, str], str]) -> None:
    env, prefix = shared
    done = run_agente("flags", "set", "pms.fallback.enabled", "true", env=env, cwd=tmp_path)
    assert done.returncode == 0, describe(done)
    assert json.loads(done.stdout)["enabled"] is True
    client = _redis()
    assert client.get(f"{prefix}feature_flags:pms.fallback.enabled") == "true"
    listed = json.loads(run_agente("flags", "list", env=env, cwd=tmp_path).stdout)
    assert {f["name"]: f["source"] for f in listed}["pms.fallback.enabled"] == "redis"
    unknown = run_agente("flags", "set", "pms.fallbak", "true", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "unknown feature flag" in unknown.stderr
    client.delete(*client.keys(f"{prefix}*"))


def test_ratelimit_and_simulator_commands(tmp_path: Path, shared: tuple[dict[str, str], str]) -> None:
    env, prefix = shared
    done = run_agente("ratelimit", "set", "--max-requests", "60", "--strict", env=env, cwd=tmp_path)
    assert done.returncode == 0, describe(done)
    client = _redis()
    assert client.get(f"{prefix}rate_limit:max_requests") == "60"
    assert client.get(f"{prefix}rate_limit:strict_mode") == "true"
    shown = json.loads(run_agente("ratelimit", "show", env=env, cwd=tmp_path).stdout)
    assert shown["max_requests"] == 60 and shown["strict_mode"] is True and shown["defaults"]["max_requests"] == 120

    down = run_agente("pms", "simulate", "--down", env=env, cwd=tmp_path)
    assert down.returncode == 0 and json.loads(down.stdout)["down"] is True
    assert json.loads(client.get(f"{prefix}pms:simulator:faults") or "{}")["down"] is True
    breaker = json.loads(run_agente("pms", "breaker", "--reset", env=env, cwd=tmp_path).stdout)
    assert breaker["state"] == "closed"
    client.delete(*client.keys(f"{prefix}*"))


def test_redis_commands_refuse_without_redis(tmp_path: Path) -> None:
    env = clean_env()
    refused = run_agente("flags", "set", "pms.fallback.enabled", "true", env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "REDIS_URL is not set" in refused.stderr and "admin API" in refused.stderr


def test_blocklist_commands_and_nginx_rendering(tmp_path: Path) -> None:
    env = clean_env()
    assert run_agente("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    added = run_agente("blocklist", "add", "203.0.113.7", "--reason", "scraper", env=env, cwd=tmp_path)
    assert added.returncode == 0, describe(added)
    assert run_agente("blocklist", "add", "10.0.0.0/8", env=env, cwd=tmp_path).returncode == 0
    conf = run_agente("blocklist", "nginx-conf", env=env, cwd=tmp_path)
    assert conf.stdout.splitlines()[1:] == ["deny 203.0.113.7;  # scraper", "deny 10.0.0.0/8;"]
    bad = run_agente("blocklist", "add", "not-an-ip", env=env, cwd=tmp_path)
    assert bad.returncode == 1 and "not an IP address" in bad.stderr
    assert run_agente("blocklist", "remove", "10.0.0.0/8", env=env, cwd=tmp_path).returncode == 0
    missing = run_agente("blocklist", "remove", "10.0.0.0/8", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "not on the blocklist" in missing.stderr


def test_breaker_thresholds_from_the_shell_within_their_range(
    tmp_path: Path, shared: tuple[dict[str, str], str]
) -> None:
    env, prefix = shared
    for value in ("5e-324", "0.5", "nan", "inf", "3601"):
        refused = run_agente("pms", "breaker", "--recovery-timeout", value, env=env, cwd=tmp_path)
        assert refused.returncode == 2, describe(refused)
        assert "Traceback" not in refused.stderr, describe(refused)
    assert "1<=x<=3600" in refused.stderr or "1 and 3600" in refused.stderr, describe(refused)
    too_slow = run_agente("ratelimit", "set", "--window-seconds", "86401", env=env, cwd=tmp_path)
    assert too_slow.returncode == 2, describe(too_slow)
    client = _redis()
    assert client.hgetall(f"{prefix}pms:breaker:config") == {}

    done = run_agente("pms", "breaker", "--recovery-timeout", "60", "--failure-threshold", "8", env=env, cwd=tmp_path)
    assert done.returncode == 0, describe(done)
    config = json.loads(done.stdout)["config"]
    assert config == {"failure_threshold": 8, "recovery_timeout": 60.0, "half_open_max_calls": 1}
    assert client.hgetall(f"{prefix}pms:breaker:config")["recovery_timeout"] == "60.0"
    client.delete(*client.keys(f"{prefix}*"))
