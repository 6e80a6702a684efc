"""Prometheus alert rules, their promtool unit tests, the scrape config and the Grafana files.

The promtool checks run Debian's real binary (package ``prometheus``); they skip only when
it is not installed. The other checks read the files as an operator's tools would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
UNIT_TEST_FILES = sorted((PROMETHEUS / "tests").glob("*.yml"))
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
RUNBOOK = ROOT / "docs" / "runbook.md"
SEVERITIES = {"critical", "high", "medium"}

# What the issue asks to be watched, by alert name.
REQUIRED_ALERTS = {
    "AgenteApiDown",
    "HighErrorRate",
    "HighLatencyP95",
    "PmsCircuitBreakerOpen",
    "PmsFallbackInUse",
    "CacheHitRatioLow",
    "MemoryLeakSuspected",
    "PodMemoryExceeded",
    "RedisUnavailable",
    "PostgresUnavailable",
    "RateLimitRejectionsSurge",
    "OutboxBacklogGrowing",
    "OutboxDeadJobs",
    "TargetDown",
}
# The runbook's severity table ("Paso 2: Clasificar la Severidad"), symptom by symptom.
RUNBOOK_SEVERITY = {
    "HighLatencyP95": "medium",  # API respondiendo lentamente
    "HighErrorRate": "critical",  # API no responde (5xx errors)
    "AgenteApiDown": "critical",  # API no responde
    "PostgresUnavailable": "critical",  # Base de datos no accesible
    "RedisUnavailable": "high",  # Redis no accesible
    "MemoryLeakSuspected": "high",  # Memory leak detectado
    "PodMemoryExceeded": "high",  # Memory leak detectado
    "PmsCircuitBreakerOpen": "medium",  # Circuit breaker abierto
}


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule of deploy/prometheus/rules, as written."""
    rules: list[dict[str, Any]] = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules.extend(rule for rule in group["rules"] if "alert" in rule)
    return rules


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation and emoji dropped,
    spaces turned into hyphens (``### P95 Latency > 300ms`` → ``p95-latency--300ms``)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def runbook_anchors() -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)
    return {github_anchor(h) for h in headings}


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package prometheus)")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


# --- promtool ----------------------------------------------------------------------------


def test_promtool_accepts_every_rule_file() -> None:
    promtool = _binary("promtool")
    assert RULE_FILES, "no rule file in deploy/prometheus/rules"
    checked = _run(promtool, "check", "rules", *map(str, RULE_FILES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("SUCCESS") == len(RULE_FILES)


def test_promtool_unit_tests_pass() -> None:
    promtool = _binary("promtool")
    tested = _run(promtool, "test", "rules", *map(str, UNIT_TEST_FILES))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.count("SUCCESS") == len(UNIT_TEST_FILES)


def test_promtool_accepts_the_scrape_config_and_finds_every_rule_file() -> None:
    promtool = _binary("promtool")
    checked = _run(promtool, "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The rule_files globs are relative to the config's folder, as in the container's mount.
    assert f"SUCCESS: {len(RULE_FILES)} rule files found" in checked.stdout


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for path in UNIT_TEST_FILES:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert names - firing == set(), "alerts never tested firing"
    assert names - silent == set(), "alerts never tested staying silent"


# --- the rules as an operator reads them -----------------------------------------------------


def test_the_issue_alerts_exist_once_each() -> None:
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names)), "an alert name is used twice"
    assert REQUIRED_ALERTS <= set(names)


def test_severities_follow_the_runbook_table() -> None:
    by_name = {rule["alert"]: rule for rule in alert_rules()}
    for rule in by_name.values():
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
    assert {name: by_name[name]["labels"]["severity"] for name in RUNBOOK_SEVERITY} == RUNBOOK_SEVERITY


def test_every_alert_says_what_happened_and_which_service() -> None:
    for rule in alert_rules():
        annotations = rule["annotations"]
        assert annotations["summary"].strip() and annotations["description"].strip(), rule["alert"]
        # Alertmanager groups by (alertname, service).
        assert rule["labels"]["service"], rule["alert"]


def test_every_runbook_url_points_at_a_section_of_the_runbook() -> None:
    assert RUNBOOK.exists(), "docs/runbook.md is missing: every alert links into it"
    anchors = runbook_anchors()
    for rule in alert_rules():
        url = rule["annotations"]["runbook_url"]
        path, _, anchor = url.partition("#")
        assert path == "docs/runbook.md", f"{rule['alert']}: {url}"
        assert anchor in anchors, f"{rule['alert']}: no heading of docs/runbook.md has the anchor #{anchor}"


def test_github_anchor_matches_githubs_rules() -> None:
    assert github_anchor("Escenario 1: API No Responde (HTTP 5xx errors > 10%)") == (
        "escenario-1-api-no-responde-http-5xx-errors--10"
    )
    assert github_anchor("P95 Latency > 300ms") == "p95-latency--300ms"
    assert github_anchor('Alert: "Pod Memory Exceeded"') == "alert-pod-memory-exceeded"
    assert github_anchor("🆘 ESCALACIÓN") == "-escalación"


# --- Grafana ---------------------------------------------------------------------------------


def _dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in DASHBOARDS}


def test_grafana_provisions_the_prometheus_datasource_and_the_dashboards_folder() -> None:
    datasources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert (source["type"], source["uid"], source["url"]) == ("prometheus", "prometheus", "http://prometheus:9090")
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "agente.yml").read_text())
    (provider,) = providers["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_the_dashboards_the_runbook_names_exist_with_unique_uids() -> None:
    boards = _dashboards()
    titles = {board["title"] for board in boards.values()}
    assert {"API Performance", "PMS Adapter Status", "Conversations"} <= titles
    uids = [board["uid"] for board in boards.values()]
    assert len(uids) == len(set(uids)) and all(uids)


def _overlap(a: dict[str, int], b: dict[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def test_every_panel_queries_the_provisioned_datasource_without_overlapping_another() -> None:
    for name, board in _dashboards().items():
        assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36, name
        panels = board["panels"]
        assert panels, name
        assert len({p["id"] for p in panels}) == len(panels), f"{name}: duplicate panel ids"
        for panel in panels:
            where = f"{name}: {panel['title']}"
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, where
            assert panel["targets"], where
            for target in panel["targets"]:
                assert target["expr"].strip() and target["refId"], where
            grid = panel["gridPos"]
            assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, where
        for i, a in enumerate(panels):
            for b in panels[i + 1 :]:
                assert not _overlap(a["gridPos"], b["gridPos"]), f"{name}: {a['title']} overlaps {b['title']}"
