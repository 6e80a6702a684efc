"""A real Prometheus scrapes a real ``agente serve`` with the deployment's rules loaded; every
alert expression and every Grafana panel query must parse and return data.

The app runs embedded (its worker loop inside the API process, so the outbox gauges are
exposed) and gets traffic that makes each metric appear: readiness, the self test, a 404,
an admin call, a booking, the same quote from the cache, a handoff, then the PMS down
(breaker open, fallback quote, pending booking in the outbox) and finally rate-limit
refusals. Prometheus (Debian's binary) scrapes every second from a temporary data folder on
a free loopback port and is stopped by its PID.

**How "returns data" is judged for alerts.** An alert expression compares series with a
number (``ratio > 0.10``) and is empty whenever the alert is not firing. Each comparison with
a number is therefore turned into its ``bool`` form (``ratio > bool 0.10``), which keeps every
series with value 0 or 1: if that returns data, the metrics the alert reads exist, carry the
labels its ``by``/``and`` clauses match on, and the threshold is applied to real series.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import free_port
from tests.deploy.test_prometheus_rules import DASHBOARDS, PROMETHEUS, alert_rules
from tests.e2e.procs import AGENTE, STARTUP_TIMEOUT, clean_env, describe, run_agente, wait_for_http

pytestmark = pytest.mark.e2e

TOKEN = "e2e-prometheus-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
# Grafana fills these in before sending a query; the values suit a run of a few seconds.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "15s"}
COMPARISON_WITH_NUMBER = re.compile(r"(==|!=|>=|<=|>|<)(?=\s*-?[0-9.])")
WAIT = 20.0


def keep_every_series(expr: str) -> str:
    """``x > 0.1`` → ``x > bool 0.1``: the comparison no longer drops series (see module doc)."""
    return COMPARISON_WITH_NUMBER.sub(r"\1 bool", expr)


def grafana_query(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def test_keep_every_series_rewrites_only_comparisons_with_numbers() -> None:
    expr = 'sum(rate(x{status!="done", le="0.3"}[5m])) > 0.1 and y >= 10 and up == 0'
    assert keep_every_series(expr) == (
        'sum(rate(x{status!="done", le="0.3"}[5m])) > bool 0.1 and y >= bool 10 and up == bool 0'
    )


@dataclass
class App:
    url: str
    port: int


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """``agente serve`` embedded, with a breaker that opens after two failures and stays open."""
    env = clean_env(
        ENV="test",
        DATA_DIR=str(tmp_path / "var"),
        ADMIN_TOKEN=f"ops:{TOKEN}",
        PMS_CB_FAILURE_THRESHOLD="2",
        PMS_CB_RECOVERY_TIMEOUT="600",
        LOG_LEVEL="WARNING",
    )
    upgraded = run_agente("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, describe(upgraded)
    port = free_port()
    with (tmp_path / "agente.log").open("wb") as log:
        proc = subprocess.Popen(
            [AGENTE, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health/live", alive=lambda: proc.poll() is None)
        yield App(url, port)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def prometheus(tmp_path: Path, app: App) -> Iterator[str]:
    """deploy/prometheus/prometheus.yml with its rules, its agente-api job aimed at ``app`` and
    its prometheus job at this Prometheus (no Alertmanager: nothing is notified)."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("prometheus is not installed (Debian package prometheus)")
    port = free_port()
    targets = {"agente-api": f"127.0.0.1:{app.port}", "prometheus": f"127.0.0.1:{port}"}
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PROMETHEUS / pattern) for pattern in config["rule_files"]]
    config.pop("alerting")
    config["scrape_configs"] = [job for job in config["scrape_configs"] if job["job_name"] in targets]
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [targets[job["job_name"]]]}]
    assert len(config["scrape_configs"]) == len(targets)
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))

    with (tmp_path / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/-/ready", alive=lambda: proc.poll() is None, timeout=STARTUP_TIMEOUT)
        # Targets reach the scrape loop a few seconds after start; the traffic must come
        # after a first sample, so that every rate() has one from before it.
        _until(lambda: successful_scrape_after(url, 0) is not None, "a first scrape of the app")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- traffic -------------------------------------------------------------------------------


class Guests:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def say(self, guest: str, text: str) -> str:
        response = self.http.post("/api/messages", json={"guest_id": guest, "text": text})
        assert response.status_code == 200, response.text
        reply: str = response.json()["reply"]["text"]
        return reply


def _until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT:g}s"
        time.sleep(0.2)


def drive_traffic(http: httpx.Client) -> None:
    """Requests that make every metric the rules and dashboards read appear."""
    assert http.get("/health/ready").status_code == 200
    assert http.post("/api/test", json={"message": "test"}).json()["status"] == "success"
    assert http.get("/no-such-page").status_code == 404
    assert http.get("/admin/outbox", headers=ADMIN).status_code == 200

    guests = Guests(http)
    stay = f"del 12 al 15 de marzo de {date.today().year + 1}, 2 adultos"
    assert "USD" in guests.say("ana", f"hola, precio {stay}")
    guests.say("ana", "la general")
    guests.say("ana", "me llamo Sergio Navarro, sergio.navarro@gmail.com, tel +34 644 555 666")
    assert "AH" in guests.say("ana", "si"), "the booking was not confirmed"
    assert "USD" in guests.say("bea", f"hola, precio {stay}")  # the same stay: from the cache
    assert guests.say("carla", "quiero hablar con una persona de recepcion, no con un bot")
    assert guests.say("carla", "hola?? hay alguien") == "", "the agent spoke during a handoff"

    # The PMS goes down: the breaker opens (503s), quotes come from the last known prices
    # and the booking waits in the outbox.
    flag = {"flag": "pms.fallback.enabled", "enabled": True}
    assert http.post("/admin/feature-flags", json=flag, headers=ADMIN).status_code == 200
    assert http.post("/admin/pms/simulator", json={"down": True}, headers=ADMIN).status_code == 200
    _until(
        lambda: "Circuit breaker is OPEN" in json.dumps(http.post("/api/test", json={"message": "test"}).json()),
        "the PMS breaker opening",
    )
    # Another stay, so the quote cannot come from the availability cache.
    other_stay = f"del 12 al 15 de abril de {date.today().year + 1}, 2 adultos"
    assert "por confirmar" in guests.say("ana", f"genial. y otra habitacion para mis padres, {other_stay}")
    guests.say("ana", "la delux")
    assert "AH" in guests.say("ana", "si, adelante"), "the pending booking was not taken"

    # Last, so it refuses nothing above: one request a minute per client.
    assert http.post("/admin/rate-limits", json={"max_requests": 1}, headers=ADMIN).status_code == 200
    _until(lambda: http.get("/chat").status_code == 429, "a rate-limit refusal")


# --- Prometheus' HTTP API ------------------------------------------------------------------------


def query(prometheus: str, expr: str, at: float | None = None) -> dict[str, Any]:
    params = {"query": expr} if at is None else {"query": expr, "time": str(at)}
    body: dict[str, Any] = httpx.get(f"{prometheus}/api/v1/query", params=params, timeout=10).json()
    return body


def successful_scrape_after(prometheus: str, moment: float) -> float | None:
    """The time of the app's latest scrape if it succeeded after ``moment``.

    Queries are then evaluated at that instant: a scrape that times out on a busy machine
    marks every series stale, and "now" could fall just after one.
    """
    # Empty when the latest scrape failed (up 0); else the timestamp of that scrape's samples.
    result = query(prometheus, 'timestamp(up{job="agente-api"}) and up{job="agente-api"} == 1')["data"]["result"]
    scraped = float(result[0]["value"][1]) if result else 0.0
    return scraped if scraped > moment else None


def _rules(prometheus: str) -> list[dict[str, Any]]:
    groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_every_alert_and_panel_query_returns_data_from_the_running_app(app: App, prometheus: str) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as http:
        drive_traffic(http)
    # Two more scrapes after the last request: every rate() has samples on both sides.
    done = time.time()
    deadline = time.monotonic() + WAIT
    while (at := successful_scrape_after(prometheus, done + 2)) is None:
        assert time.monotonic() < deadline, "no successful scrape of the app after the traffic"
        time.sleep(0.2)

    rules = alert_rules()
    # Every rule of the files is loaded and has been evaluated without error.
    _until(lambda: all(r["health"] == "ok" for r in _rules(prometheus)), "every rule evaluated")
    loaded = _rules(prometheus)
    assert sorted(r["name"] for r in loaded) == sorted(r["alert"] for r in rules)
    assert [r for r in loaded if r.get("lastError")] == []

    failures: list[str] = []

    def check(what: str, expr: str) -> None:
        body = query(prometheus, expr, at)
        if body["status"] != "success":
            failures.append(f"{what}: does not parse ({body.get('error')}): {expr}")
        elif not body["data"]["result"]:
            failures.append(f"{what}: no data: {expr}")

    for rule in rules:
        expr = keep_every_series(rule["expr"])
        assert expr != rule["expr"], f"{rule['alert']}: no comparison with a number to keep series through"
        check(f"alert {rule['alert']}", expr)
    panels = 0
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                panels += 1
                check(f"{board['title']} / {panel['title']} / {target['refId']}", grafana_query(target["expr"]))
    assert panels > 30
    assert failures == [], "\n".join(failures)
