"""docs/runbook.md and deploy/runbook-check: every command the runbook gives an operator works.

``deploy/runbook-check`` is run here as an operator runs it (``make runbook-check``), and its
JSON report is read: which commands ran, under which heading, and why the others did not.
The sections are also found in the Markdown independently of the script, so a block the
script failed to read would show up as a section without commands.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.deploy import DEPLOY, REPO

CHECK = DEPLOY / "runbook-check"
RUNBOOK = REPO / "docs" / "runbook.md"
CHECK_TIMEOUT = 240
# What the check starts and what the runbook's commands call (Debian packages).
TOOLS = ("nginx", "prometheus", "prometheus-alertmanager", "redis-server", "redis-cli", "psql", "jq", "curl")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None and shutil.which(f"/usr/sbin/{tool}") is None]
needs_tools = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (see .ci/run)")

# What an operator is told to do, by kind, and a fragment of the runbook's own text that each
# kind's commands carry: each must have run, not only been read.
RUNNABLE_KINDS = {
    "readiness": "/health/ready",
    "self test": "/api/test",
    "Prometheus query": "localhost:9090/api/v1/query",
    "Alertmanager alerts": "localhost:9094/api/v1/alerts",
    "feature flag in Redis": 'redis-cli SET "feature_flags:',
    "rate limit in Redis": 'redis-cli SET "rate_limit:',
    "admin API": "Authorization: Bearer $ADMIN_TOKEN",
    "dead job replay": "/admin/outbox/$JOB_ID/retry",
    "conversation handed back": "/admin/conversations/$CONV_ID/release",
    "hotel fact": "/admin/hotel-facts/parking",
    "log grep": "docker logs agente-api-prod",
    "SQL": "psql -U agente -d agente_db",
    "agente command": "docker exec agente-api-prod agente",
    "nginx blacklist and reload": "nginx -s reload",
    "nginx in front": "http://localhost/",
}


def run_check(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(CHECK), "--json", str(report), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
        check=False,
    )
    assert report.exists(), f"no report (exit {done.returncode})\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done, json.loads(report.read_text())


def sections_with_bash_blocks(markdown: str) -> set[str]:
    """Headings under which at least one ```bash block opens (fences may be indented)."""
    found: set[str] = set()
    section = ""
    in_block = False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            if not in_block and stripped == "```bash":
                found.add(section)
            in_block = not in_block
        elif not in_block and (heading := re.match(r"#{1,6}\s+(.+?)\s*$", line)):
            section = heading[1]
    return found


def failures(report: dict[str, Any]) -> str:
    failed = [c for c in report["commands"] if c["status"] == "failed"]
    return "\n\n".join(f"line {c['line']}: {c['reason']}\n$ {c['ran']}\n{c['output']}" for c in failed)


def test_every_command_is_read_and_every_table_entry_is_needed(tmp_path: Path) -> None:
    """Without starting anything: every block splits into commands, no command keeps a
    production name the local stack has no stand-in for, and the script's substitutions and
    skips are each used by some command (the tables cannot outgrow the runbook)."""
    done, report = run_check(tmp_path, "--list")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert report["unused_rules"] == []
    commands = report["commands"]
    assert {c["section"] for c in commands} == sections_with_bash_blocks(RUNBOOK.read_text(encoding="utf-8"))
    text = RUNBOOK.read_text(encoding="utf-8")
    for command in commands:
        # Commands are the runbook's own lines (indented blocks lose only their indent).
        first = command["command"].splitlines()[0]
        assert first in text, first
        assert command["status"] in {"ok", "skipped"}, command
        if command["status"] == "skipped":
            assert command["reason"], command


@pytest.mark.e2e
@needs_tools
@pytest.mark.timeout(CHECK_TIMEOUT + 30)
def test_every_runnable_command_of_the_runbook_works_against_a_local_stack(tmp_path: Path) -> None:
    done, report = run_check(tmp_path)
    assert done.returncode == 0, failures(report) or done.stderr[-5000:]
    commands = report["commands"]
    ran = [c for c in commands if c["status"] == "ok"]
    assert report["counts"] == {"ok": len(ran), "failed": 0, "skipped": len(commands) - len(ran)}
    # Most of the runbook runs here; what does not needs Docker or the production host.
    assert len(ran) >= 100 and len(ran) >= 0.65 * len(commands), report["counts"]
    for skipped in (c for c in commands if c["status"] == "skipped"):
        assert re.match(r"(needs Docker|needs postgres-prod|production host|the hotel's PMS)", skipped["reason"])

    by_section: dict[str, list[str]] = defaultdict(list)
    for command in commands:
        by_section[command["section"]].append(command["status"])
    without_a_run = [section for section, statuses in by_section.items() if "ok" not in statuses]
    assert without_a_run == [], "sections none of whose commands ran"

    for kind, fragment in RUNNABLE_KINDS.items():
        assert any(fragment in c["command"] for c in ran), f"no {kind} command ran ({fragment})"
    # The runbook's own token extraction fed every admin call after it.
    assert ran[0]["command"].startswith("export ADMIN_TOKEN=")
    replayed = next(c for c in ran if c["command"].startswith("for i in {1..15}"))
    assert replayed["output"].strip().splitlines()[-1] == "done"


TINY_RUNBOOK = """# Prueba

## Bien
```bash
curl -s http://localhost:8002/health/ready | jq -r .status  # Debe ser healthy
```

## Error HTTP que curl no ve
```bash
curl -s http://localhost:8002/admin/outbox -H "Authorization: Bearer wrong-token" | jq .
```

## Salida equivocada
```bash
redis-cli PING  # Debe ser PANG
```

## Puerto sin equivalente local
```bash
curl -s http://localhost:8081/health
```

## Solo en producción
```bash
docker restart agente-api-prod
```
"""


@pytest.mark.e2e
@needs_tools
@pytest.mark.timeout(CHECK_TIMEOUT + 30)
def test_a_command_that_does_not_work_fails_the_check(tmp_path: Path) -> None:
    runbook = tmp_path / "runbook.md"
    runbook.write_text(TINY_RUNBOOK, encoding="utf-8")
    done, report = run_check(tmp_path, "--runbook", str(runbook))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    outcome = {c["section"]: c for c in report["commands"]}
    assert outcome["Bien"]["status"] == "ok"
    http_error = outcome["Error HTTP que curl no ve"]
    assert http_error["status"] == "failed" and "curl exited 22" in http_error["reason"]
    assert "The admin token is not valid." in http_error["output"]
    wrong = outcome["Salida equivocada"]
    assert wrong["status"] == "failed" and wrong["reason"] == "the output should be PANG, it is 'PONG'"
    unmapped = outcome["Puerto sin equivalente local"]
    assert unmapped["status"] == "failed" and "no local mapping for 'localhost'" in unmapped["reason"]
    assert outcome["Solo en producción"]["status"] == "skipped"
    assert outcome["Solo en producción"]["reason"].startswith("needs Docker")
    assert "FAILED" in done.stdout and "5 commands: 1 ok, 3 failed, 1 skipped" in done.stdout
