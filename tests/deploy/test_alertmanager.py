"""Alertmanager: the config is accepted, each severity reaches its receiver, and a cause holds
back its symptoms.

Runs Debian's real binaries (package ``prometheus-alertmanager``: ``amtool`` and
``prometheus-alertmanager``); the tests skip only when they are not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from tests.conftest import free_port
from tests.deploy.test_prometheus_rules import alert_rules

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
STARTUP_TIMEOUT = 15.0
MATCHER = re.compile(r'(?P<label>\w+)(=~|!~|!=|=)"(?P<value>[^"]*)"')


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package prometheus-alertmanager)")
    return path


def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return loaded


def test_amtool_accepts_the_config() -> None:
    checked = subprocess.run(
        [_binary("amtool"), "check-config", str(CONFIG)], capture_output=True, text=True, timeout=30, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=critical"], "critical-all-hands"),
        (["severity=high"], "high-senior-oncall"),
        (["severity=medium"], "medium-devops-lead"),
        # The runbook's own alerts, with the labels the rules give them.
        (["alertname=HighErrorRate", "service=agente-api", "severity=critical"], "critical-all-hands"),
        (["alertname=PmsCircuitBreakerOpen", "service=pms", "severity=medium"], "medium-devops-lead"),
        # Nothing is dropped: an alert without a known severity pages the on-call engineer.
        (["alertname=Unlabelled"], "high-senior-oncall"),
        (["severity=low"], "high-senior-oncall"),
    ],
)
def test_each_severity_reaches_its_receiver(labels: list[str], receiver: str) -> None:
    routed = subprocess.run(
        [_binary("amtool"), "config", "routes", "test", f"--config.file={CONFIG}", *labels],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert routed.returncode == 0, routed.stderr
    assert routed.stdout.strip() == receiver


def test_every_severity_the_rules_use_has_its_own_route_grouped_by_alertname_and_service() -> None:
    route = _config()["route"]
    assert route["group_by"] == ["alertname", "service"]
    routed = {matcher for child in route["routes"] for matcher in child["matchers"]}
    used = {rule["labels"]["severity"] for rule in alert_rules()}
    assert {f'severity="{severity}"' for severity in used} <= routed


def test_inhibit_rules_name_only_alerts_that_exist() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    for inhibit in _config()["inhibit_rules"]:
        for matcher in inhibit["source_matchers"] + inhibit["target_matchers"]:
            parsed = MATCHER.fullmatch(matcher)
            assert parsed is not None and parsed["label"] == "alertname", matcher
            for name in parsed["value"].split("|"):
                assert name in names, f"{matcher}: no alert named {name}"


def test_receivers_hold_no_credentials() -> None:
    for receiver in _config()["receivers"]:
        assert set(receiver) == {"name", "webhook_configs"}, receiver["name"]
        for hook in receiver["webhook_configs"]:
            url = urlsplit(hook["url"])
            assert url.username is None and url.password is None and not url.query, receiver["name"]


# --- inhibition, as a running Alertmanager applies it ----------------------------------------


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager on a free loopback port with the deployment's config; stopped by PID."""
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    proc = subprocess.Popen(
        [
            _binary("prometheus-alertmanager"),
            f"--config.file={CONFIG}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip: a single instance
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert proc.poll() is None, (tmp_path / "alertmanager.log").read_text()
            try:
                if httpx.get(f"{url}/-/ready", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Alertmanager did not become ready"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _alert(name: str, job: str, severity: str, service: str) -> dict[str, Any]:
    return {"labels": {"alertname": name, "job": job, "severity": severity, "service": service}}


@pytest.mark.e2e
def test_a_cause_holds_back_its_symptoms_on_the_same_job(alertmanager: str) -> None:
    sent = [
        _alert("AgenteApiDown", "agente-api", "critical", "agente-api"),
        _alert("HighLatencyP95", "agente-api", "medium", "agente-api"),
        _alert("HighErrorRate", "agente-api", "critical", "agente-api"),
        # Another deployment's symptom: its own API is up.
        _alert("HighLatencyP95", "agente-api-staging", "medium", "agente-api"),
        _alert("PmsCircuitBreakerOpen", "agente-api-staging", "medium", "pms"),
        _alert("PmsFallbackInUse", "agente-api-staging", "medium", "pms"),
        _alert("RedisUnavailable", "agente-api-eu", "high", "redis"),
        _alert("CacheHitRatioLow", "agente-api-eu", "medium", "redis"),
    ]
    assert httpx.post(f"{alertmanager}/api/v2/alerts", json=sent, timeout=5).status_code == 200
    alerts = httpx.get(f"{alertmanager}/api/v2/alerts", timeout=5).json()
    state = {(a["labels"]["alertname"], a["labels"]["job"]): a["status"] for a in alerts}
    assert len(state) == len(sent)

    def held_back(name: str, job: str) -> bool:
        status = state[(name, job)]
        return bool(status["state"] == "suppressed" and status["inhibitedBy"])

    assert held_back("HighLatencyP95", "agente-api")
    assert held_back("HighErrorRate", "agente-api")
    assert held_back("PmsFallbackInUse", "agente-api-staging")
    assert held_back("CacheHitRatioLow", "agente-api-eu")
    # Causes always reach someone, and another job's symptoms are not hidden.
    causes = [("AgenteApiDown", "agente-api"), ("PmsCircuitBreakerOpen", "agente-api-staging")]
    for cause in [*causes, ("RedisUnavailable", "agente-api-eu")]:
        assert state[cause]["state"] == "active", cause
    assert state[("HighLatencyP95", "agente-api-staging")]["state"] == "active"
