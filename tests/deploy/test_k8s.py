"""deploy/k8s: every manifest validated by ``kubernetes-validate --strict`` (the API schemas
it ships, offline), then what the schemas cannot see: probes on the health endpoints, a
termination grace period that covers the application's graceful shutdown, non-root pods,
and selectors that find the pods they mean."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from agente.config import Settings
from tests.deploy import DEPLOY, shutdown_seconds

K8S = DEPLOY / "k8s"
VALIDATE = str(Path(sys.executable).with_name("kubernetes-validate"))
# The newest schemas the tool ships, and an older release still in wide use.
KUBERNETES_VERSIONS = ("1.37.0", "1.30.0")
REAL_SECRETS = {"admin_token": "ops:" + "a1" * 16, "pms_api_key": "K" * 32}


def manifests() -> list[Path]:
    found = sorted(K8S.glob("*.yaml"))
    assert found, "no manifests in deploy/k8s"
    return found


@cache
def resources() -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) → resource, over every document of every manifest."""
    loaded: dict[tuple[str, str], dict[str, Any]] = {}
    for path in manifests():
        for document in yaml.safe_load_all(path.read_text()):
            loaded[(document["kind"], document["metadata"]["name"])] = document
    return loaded


def resource(kind: str, name: str) -> dict[str, Any]:
    return resources()[(kind, name)]


def validate(*paths: Path, version: str) -> subprocess.CompletedProcess[str]:
    command = [VALIDATE, "--strict", "--kubernetes-version", version, *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_passes_strict_validation(version: str) -> None:
    checked = validate(*manifests(), version=version)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    passed = [line for line in checked.stdout.splitlines() if " passed for resource " in line]
    assert len(passed) == len(resources())


def test_strict_validation_rejects_an_unknown_field(tmp_path: Path) -> None:
    broken = tmp_path / "api-deployment.yaml"
    broken.write_text((K8S / "api-deployment.yaml").read_text().replace("revisionHistoryLimit", "revisionHistory"))
    checked = validate(broken, version=KUBERNETES_VERSIONS[0])
    assert checked.returncode != 0
    assert "'revisionHistory' was unexpected" in checked.stdout + checked.stderr


def pod_spec(kind: str, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = resource(kind, name)["spec"]["template"]["spec"]
    return spec


WORKLOADS = [("Deployment", "agente-api"), ("Deployment", "agente-worker"), ("Job", "agente-migrate")]


def test_api_probes_use_the_health_endpoints() -> None:
    (api,) = pod_spec("Deployment", "agente-api")["containers"]
    assert api["args"] == ["serve"]
    port = {p["name"]: p["containerPort"] for p in api["ports"]}["http"]
    assert str(port) == resource("ConfigMap", "agente-config")["data"]["PORT"] == "8002"
    probes = {kind: api[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes == {
        "startupProbe": {"path": "/health/live", "port": "http"},
        "livenessProbe": {"path": "/health/live", "port": "http"},
        "readinessProbe": {"path": "/health/ready", "port": "http"},
    }


def test_worker_probes_and_scrape_annotations_use_its_own_port() -> None:
    (worker,) = pod_spec("Deployment", "agente-worker")["containers"]
    port = {p["name"]: p["containerPort"] for p in worker["ports"]}["metrics"]
    # The port the process binds: the setting's default, not overridden in the ConfigMap.
    assert "WORKER_METRICS_PORT" not in resource("ConfigMap", "agente-config")["data"]
    assert port == Settings.model_fields["worker_metrics_port"].default == 9102
    probes = {kind: worker[kind]["httpGet"] for kind in ("livenessProbe", "readinessProbe")}
    assert probes == {
        "livenessProbe": {"path": "/health/live", "port": "metrics"},
        "readinessProbe": {"path": "/health/ready", "port": "metrics"},
    }
    # The endpoint waits two minutes without a scheduler round before answering 503; the
    # kubelet then tolerates at least as long again (and as long for the port to open).
    liveness = worker["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 120
    annotations = resource("Deployment", "agente-worker")["spec"]["template"]["metadata"]["annotations"]
    api_annotations = resource("Deployment", "agente-api")["spec"]["template"]["metadata"]["annotations"]
    assert annotations.keys() == api_annotations.keys()
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port),
        "prometheus.io/path": "/metrics",
    }


@pytest.mark.parametrize("name", ["agente-api", "agente-worker"])
def test_termination_grace_covers_prestop_and_graceful_shutdown(name: str) -> None:
    spec = pod_spec("Deployment", name)
    (container,) = spec["containers"]
    pre_stop = 0.0
    if "lifecycle" in container:
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep"
        pre_stop = float(command[1])
    # The kubelet counts the grace period from the start of preStop; SIGKILL comes after it.
    needed = pre_stop + shutdown_seconds(resource("ConfigMap", "agente-config")["data"])
    assert spec["terminationGracePeriodSeconds"] >= needed + 5


def test_api_leaves_the_service_before_it_stops_listening() -> None:
    (api,) = pod_spec("Deployment", "agente-api")["containers"]
    assert float(api["lifecycle"]["preStop"]["exec"]["command"][1]) >= 5


@pytest.mark.parametrize(("kind", "name"), WORKLOADS)
def test_pods_run_unprivileged_on_a_read_only_root(kind: str, name: str) -> None:
    spec = pod_spec(kind, name)
    dockerfile_user = next(
        line.split()[1] for line in (DEPLOY / "Dockerfile").read_text().splitlines() if line.startswith("USER ")
    )
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert f"{spec['securityContext']['runAsUser']}:{spec['securityContext']['runAsGroup']}" == dockerfile_user
    assert spec["automountServiceAccountToken"] is False
    (container,) = spec["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # The one writable place is a bounded scratch volume.
    assert [mount["mountPath"] for mount in container["volumeMounts"]] == ["/tmp"]
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    assert [source for source in container["envFrom"]] == [
        {"configMapRef": {"name": "agente-config"}},
        {"secretRef": {"name": "agente-secrets"}},
    ]


def test_one_image_for_api_worker_and_migration() -> None:
    images = {pod_spec(kind, name)["containers"][0]["image"] for kind, name in WORKLOADS}
    assert len(images) == 1
    (job,) = pod_spec("Job", "agente-migrate")["containers"]
    assert job["args"] == ["db", "upgrade"]
    assert pod_spec("Deployment", "agente-worker")["containers"][0]["args"] == ["worker"]


def _pod_labels(kind: str, name: str) -> dict[str, str]:
    labels: dict[str, str] = resource(kind, name)["spec"]["template"]["metadata"]["labels"]
    return labels


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def test_selectors_find_their_pods_and_only_them() -> None:
    api, worker = _pod_labels("Deployment", "agente-api"), _pod_labels("Deployment", "agente-worker")
    for name, labels in (("agente-api", api), ("agente-worker", worker)):
        deployment_selector = resource("Deployment", name)["spec"]["selector"]["matchLabels"]
        pdb_selector = resource("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"]
        assert _selects(deployment_selector, labels) and _selects(pdb_selector, labels)
    service = resource("Service", "agente-api")["spec"]
    assert _selects(service["selector"], api) and not _selects(service["selector"], worker)
    assert service["ports"][0]["targetPort"] == "http"
    hpa = resource("HorizontalPodAutoscaler", "agente-api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "agente-api"}
    assert hpa["spec"]["minReplicas"] >= 2
    assert resource("PodDisruptionBudget", "agente-api")["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]


def test_config_and_secret_template_make_a_production_configuration_only_once_filled() -> None:
    config = resource("ConfigMap", "agente-config")["data"]
    secret = resource("Secret", "agente-secrets")["stringData"]
    # Credentials (the connection URLs carry passwords) live in the Secret only.
    assert not [key for key in config if any(word in key for word in ("TOKEN", "SECRET", "PASSWORD", "API_KEY"))]
    assert {"DATABASE_URL", "REDIS_URL"} <= secret.keys() and not {"DATABASE_URL", "REDIS_URL"} & config.keys()
    values = {key.lower(): value for key, value in {**config, **secret}.items()}
    assert values["env"] == "production"
    for placeholder in REAL_SECRETS:
        with pytest.raises(ValueError, match=placeholder.upper()):
            Settings(**{**values, **REAL_SECRETS, placeholder: values[placeholder]})
    settings = Settings(**{**values, **REAL_SECRETS})
    assert settings.sqlalchemy_url.startswith("postgresql+asyncpg://")
    assert settings.redis_key_prefix == "" and not settings.runs_worker_in_process
