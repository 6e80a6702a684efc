"""deploy/nginx: checked by ``nginx -t``, then run for real in front of a real ``agente serve``.

The files are used as they are, with a handful of textual substitutions, each of which must
match (so a reshaped file fails here instead of being tested half-way): the API's address
becomes a loopback port, nginx listens on another, and the absolute paths of the container
(/etc/nginx, /var/cache/nginx, the pid file) move into a temporary prefix. ``nginx -t``
needs the upstream address resolvable; the production file names the container and
resolves it per request through Docker's DNS, which these substitutions leave unused.

Clients take different loopback source addresses (127.0.0.2, 127.0.0.3...), so the
application can be seen telling them apart through nginx's X-Forwarded-For.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port
from tests.deploy import DEPLOY, agente_server
from tests.e2e.procs import STARTUP_TIMEOUT, clean_env, describe, json_lines, run_agente

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")

RELOAD_TIMEOUT = 10.0


@dataclass
class Rendered:
    prefix: Path
    conf: Path
    blacklist: Path
    port: int

    def nginx(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert NGINX is not None
        command = [NGINX, "-p", f"{self.prefix}/", "-c", str(self.conf), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def _substitute(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements.items():
        assert old in text, f"{path.name} no longer contains {old!r}"
        text = text.replace(old, new)
    path.write_text(text)


def render(root: Path, *, upstream_port: int) -> Rendered:
    """deploy/nginx under ``root``, listening on a free loopback port, proxying to ``upstream_port``."""
    prefix = root / "nginx"
    conf_dir = prefix / "conf"
    shutil.copytree(DEPLOY / "nginx", conf_dir)
    (prefix / "cache").mkdir()
    blacklist = conf_dir / "conf.d" / "blacklist.conf"
    blacklist.parent.mkdir()
    # What the container's first start does: seed the live list from the shipped one.
    shutil.copy(conf_dir / "agente" / "blacklist.conf", blacklist)
    port = free_port()
    _substitute(
        conf_dir / "nginx.conf",
        {
            "pid /var/run/nginx.pid;": f"pid {prefix}/nginx.pid;",
            "/var/cache/nginx/": f"{prefix}/cache/",
            "/etc/nginx/": f"{conf_dir}/",
        },
    )
    _substitute(
        conf_dir / "agente" / "site.conf",
        {
            "listen 80 default_server;": f"listen 127.0.0.1:{port} default_server;",
            "set $agente_api agente-api-prod:8002;": f"set $agente_api 127.0.0.1:{upstream_port};",
            "/etc/nginx/": f"{conf_dir}/",
        },
    )
    return Rendered(prefix, conf_dir / "nginx.conf", blacklist, port)


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    rendered = render(tmp_path, upstream_port=free_port())
    checked = rendered.nginx("-t")
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_nginx_rejects_a_malformed_blacklist_line(tmp_path: Path) -> None:
    """The blacklist is really included: a bad line appended to it fails the check."""
    rendered = render(tmp_path, upstream_port=free_port())
    with rendered.blacklist.open("a") as blacklist:
        blacklist.write("deny 192.168.1.300;\n")
    checked = rendered.nginx("-t")
    assert checked.returncode != 0
    assert "blacklist.conf" in checked.stderr


@contextmanager
def running_nginx(rendered: Rendered) -> Iterator[str]:
    """nginx on ``rendered`` as a foreground process; yields its base URL once it answers,
    stops it by its PID on the way out."""
    assert NGINX is not None
    log = rendered.prefix.parent / "nginx.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [NGINX, "-p", f"{rendered.prefix}/", "-c", str(rendered.conf), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{rendered.port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert proc.poll() is None, f"nginx exited\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/nginx-health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"nginx did not answer\n{log.read_text()}"
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def nginx_in_front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rendered, str]]:
    """nginx in front of ``agente serve``, which blocks 127.0.0.2 and allows 5 requests a
    minute per client; yields nginx and its base URL.

    Shared by the module's end-to-end tests, each of which uses client addresses of its own."""
    tmp_path = tmp_path_factory.mktemp("nginx-e2e")
    env = clean_env(DATA_DIR=str(tmp_path / "var"))
    upgraded = run_agente("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, describe(upgraded)
    added = run_agente("blocklist", "add", "127.0.0.2", "--reason", "test", env=env, cwd=tmp_path)
    assert added.returncode == 0, describe(added)
    with agente_server(tmp_path, TRUSTED_PROXIES="127.0.0.1", RATE_LIMIT_MAX_REQUESTS="5") as api:
        rendered = render(tmp_path, upstream_port=int(api.rsplit(":", 1)[1]))
        with running_nginx(rendered) as base:
            yield rendered, base


@pytest.mark.e2e
def test_nginx_answers_json_503_while_the_api_is_down(tmp_path: Path) -> None:
    with running_nginx(render(tmp_path, upstream_port=free_port())) as base:
        down = httpx.get(f"{base}/api/test", timeout=10)
    assert down.status_code == 503
    assert error_code(down) == "service_unavailable" and down.headers["Retry-After"] == "5"


def client(source: str) -> httpx.Client:
    """A client whose requests come from the loopback address ``source``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=10)


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


@pytest.mark.e2e
def test_nginx_passes_the_client_and_request_id_to_the_app(nginx_in_front: tuple[Rendered, str]) -> None:
    rendered, base = nginx_in_front
    with client("127.0.0.1") as local:
        ready = local.get(f"{base}/health/ready", headers={"X-Request-ID": "desk-42"})
        assert ready.status_code == 200 and ready.json()["status"] == "healthy"
        assert ready.headers["X-Request-ID"] == "desk-42"
        # Without one, nginx makes the id, and the application answers with nginx's own.
        fresh = local.get(f"{base}/chat")
        assert fresh.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    # nginx's access line carries the id the application answered with.
    (logged,) = _access_entries(rendered, request_id=fresh.headers["X-Request-ID"])
    assert (logged["uri"], logged["client_ip"], logged["status"]) == ("/chat", "127.0.0.1", 200)

    # The application's blocklist names 127.0.0.2: through nginx it sees that address, and a
    # forged X-Forwarded-For does not get the client past it.
    with client("127.0.0.2") as blocked:
        for headers in ({}, {"X-Forwarded-For": "127.0.0.1"}):
            refused = blocked.get(f"{base}/chat", headers=headers)
            assert refused.status_code == 403 and error_code(refused) == "blocked"

    # The application's limiter counts per forwarded client: 127.0.0.3 runs out, 127.0.0.4 does not.
    with client("127.0.0.3") as busy, client("127.0.0.4") as other:
        statuses = [busy.get(f"{base}/chat").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        limited = busy.get(f"{base}/chat")
        assert error_code(limited) == "rate_limited" and "RateLimit-Policy" in limited.headers
        assert other.get(f"{base}/chat").status_code == 200


@pytest.mark.e2e
def test_nginx_keeps_metrics_and_admin_internal(nginx_in_front: tuple[Rendered, str]) -> None:
    _, base = nginx_in_front
    with client("127.0.0.1") as local, client("127.0.0.5") as outsider:
        assert "http_requests_total" in local.get(f"{base}/metrics").text
        # The admin API itself answers (it wants a token).
        assert local.get(f"{base}/admin/feature-flags").status_code == 401
        for path in ("/metrics", "/admin/feature-flags", "/admin"):
            refused = outsider.get(f"{base}{path}")
            assert refused.status_code == 403, path
            assert error_code(refused) == "forbidden"
        assert outsider.get(f"{base}/health/ready").status_code == 200
        too_big = local.post(f"{base}/api/messages", content=b"x" * (2 * 1024 * 1024))
        assert too_big.status_code == 413 and error_code(too_big) == "payload_too_large"


@pytest.mark.e2e
def test_a_deny_line_takes_effect_on_reload(nginx_in_front: tuple[Rendered, str]) -> None:
    """The runbook's block: append a deny line to blacklist.conf, then nginx -s reload."""
    rendered, base = nginx_in_front
    with client("127.0.0.6") as attacker, client("127.0.0.1") as local:
        assert attacker.get(f"{base}/chat").status_code == 200
        with rendered.blacklist.open("a") as blacklist:
            blacklist.write("deny 127.0.0.6;\n")
        reloaded = rendered.nginx("-s", "reload")
        assert reloaded.returncode == 0, reloaded.stderr
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while True:
            try:
                answer = attacker.get(f"{base}/chat")
            except httpx.TransportError:
                # An old worker closes its idle keep-alive connections as the reload retires it.
                assert time.monotonic() < deadline, "no answer after the reload"
                continue
            if answer.status_code == 403:
                break
            assert time.monotonic() < deadline, f"still {answer.status_code} after the reload"
            time.sleep(0.1)
        assert error_code(answer) == "forbidden"
        assert answer.json()["request_id"] == answer.headers["X-Request-ID"]
        assert local.get(f"{base}/chat").status_code == 200


def _access_entries(rendered: Rendered, *, request_id: str) -> list[dict[str, Any]]:
    """nginx's access lines with ``request_id``, waiting for the first (a line is written
    after the response has gone out)."""
    log = rendered.prefix.parent / "nginx.log"
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while True:
        lines = [line for line in log.read_text().splitlines() if line.startswith('{"time"')]
        entries = [entry for entry in json_lines("\n".join(lines)) if entry["request_id"] == request_id]
        if entries or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


def test_blacklist_seed_has_no_rule() -> None:
    """The shipped file only explains itself: a fresh deployment blocks nobody."""
    lines = (DEPLOY / "nginx" / "agente" / "blacklist.conf").read_text().splitlines()
    assert lines and all(line.startswith("#") or not line.strip() for line in lines)
