"""HTTP load benchmark: the service in its embedded default against a bare ASGI app, driven by wrk.

One run starts, one after the other, each as a subprocess on a free 127.0.0.1 port:

* ``bench/bare_app.py`` -- a raw ASGI callable under the service's uvicorn options, the floor;
* ``agente serve`` after ``agente db upgrade``, with ``DATA_DIR`` in a temporary folder and
  nothing else configured (SQLite file, in-process Redis, worker in process), once per
  ``--log-levels`` entry: the access log lines are at INFO, so WARNING leaves them out.

After a warm-up, wrk drives ``GET /health/live`` on both and ``POST /api/test`` on the service.
The output is requests/s, p50 and p99 latency, failed responses, and throughput relative to
the bare app, with the aim that the service's ``/health/live`` reaches at least half of it.

Needs ``wrk`` (``apt-get install -y wrk``). Usage: ``python bench/http_load.py --duration 10``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import FrameType

from agente.config import Settings

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
WRK_INSTALL = "apt-get update && apt-get install -y wrk"
AIM = 0.5
LIVE = "/health/live"
SELF_TEST = "/api/test"
SELF_TEST_BODY = '{"message":"test"}'
POST_SCRIPT = f"""wrk.method = "POST"
wrk.body = '{SELF_TEST_BODY}'
wrk.headers["Content-Type"] = "application/json"
"""
# Settings given to the service besides DATA_DIR, HOST, PORT and LOG_LEVEL. All the load
# comes from one client address, so the default per-client limit would turn nearly every
# POST into a 429: raising it keeps the limiter's per-request work in the measurement while
# the self test behind it is what answers.
SERVICE_OVERRIDES = {"RATE_LIMIT_MAX_REQUESTS": "1000000000", "SHUTDOWN_TIMEOUT": "5"}
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
MIGRATE_TIMEOUT = 120.0
# wrk stops itself after --duration; this is the margin before we stop waiting for it.
WRK_GRACE = 30.0


class BenchError(Exception):
    """A step of the benchmark could not run; the message says which and why."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: int


@dataclass(frozen=True)
class Row:
    target: str
    log_level: str | None
    method: str
    path: str
    result: WrkResult
    ratio_to_bare: float | None


@dataclass(frozen=True)
class Machine:
    nproc: int
    cpu_model: str
    memory_gib: float
    kernel: str
    python: str
    wrk: str
    packages: dict[str, str]


@dataclass(frozen=True)
class Report:
    date: str
    command: str
    source: str
    service_overrides: dict[str, str]
    duration_s: int
    warmup_s: int
    connections: int
    threads: int
    machine: Machine
    rows: list[Row]
    aim: float


# ---------------------------------------------------------------------------------------- wrk

_REQUESTS_PER_S = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE
)
# wrk prints times as "%.2f" plus one of these units (src/units.c).
_TIME_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _percentile_ms(output: str, percent: int) -> float:
    pattern = rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$"
    match = re.search(pattern, output, re.MULTILINE)
    if not match:
        raise BenchError(f"no {percent}% line in wrk's latency distribution (was --latency passed?)")
    return round(float(match.group(1)) * _TIME_UNIT_MS[match.group(2)], 3)


def parse_wrk(output: str) -> WrkResult:
    """The figures of one ``wrk --latency`` report."""
    rps = _REQUESTS_PER_S.search(output)
    total = _TOTAL.search(output)
    if not rps or not total:
        raise BenchError(f"unexpected wrk output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        requests_per_s=float(rps.group(1)),
        p50_ms=_percentile_ms(output, 50),
        p99_ms=_percentile_ms(output, 99),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


@dataclass(frozen=True)
class Load:
    wrk: str
    duration_s: int
    warmup_s: int
    connections: int
    threads: int

    def _run(self, url: str, duration_s: int, script: Path | None) -> str:
        argv = [
            self.wrk,
            "--latency",
            f"--threads={self.threads}",
            f"--connections={self.connections}",
            f"--duration={duration_s}s",
            "--timeout=5s",
        ]
        if script:
            argv.append(f"--script={script}")
        argv.append(url)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + WRK_GRACE, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"wrk did not finish within {duration_s + WRK_GRACE:g}s: {shlex.join(argv)}") from exc
        if done.returncode != 0:
            raise BenchError(f"wrk failed ({done.returncode}): {shlex.join(argv)}\n{done.stdout}{done.stderr}")
        return done.stdout

    def measure(self, url: str, script: Path | None = None) -> WrkResult:
        """Warm up (result discarded), then one measured run."""
        if self.warmup_s > 0:
            self._run(url, self.warmup_s, script)
        return parse_wrk(self._run(url, self.duration_s, script))


# ------------------------------------------------------------------------------------ servers

# No proxy from the environment: every request of the benchmark stays on 127.0.0.1.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def request_status(url: str, body: str | None = None, timeout: float = 2.0) -> int:
    data = body.encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with _LOCAL.open(request, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    log_path: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"


def _wait_until_live(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise BenchError(f"{server.name} exited with status {code} before answering:\n{_log_tail(server.log_path)}")
        with contextlib.suppress(OSError):
            if request_status(server.url(LIVE), timeout=1.0) == 200:
                return
        time.sleep(0.1)
    raise BenchError(f"{server.name} did not answer {LIVE} within {START_TIMEOUT:g}s:\n{_log_tail(server.log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running(name: str, argv: Sequence[str], env: dict[str, str], log_path: Path, port: int) -> Iterator[Server]:
    """``argv`` as a subprocess (output to ``log_path``) until it answers; stopped on exit, always."""
    server = Server(name=name, port=port, log_path=log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_live(server, process)
        yield server
    finally:
        _stop(process)


def agente_executable() -> str:
    beside = Path(sys.executable).with_name("agente")
    found = str(beside) if beside.exists() else shutil.which("agente")
    if not found:
        raise BenchError("the `agente` command is not installed next to this Python; run `make install-dev` first")
    return found


def service_env(data_dir: Path, port: int, log_level: str) -> dict[str, str]:
    """The caller's environment without any of the service's settings, so the run is the
    embedded default whatever DATABASE_URL, REDIS_URL or ENV the shell happens to have."""
    owned = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in owned}
    env.update(SERVICE_OVERRIDES)
    env.update(DATA_DIR=str(data_dir), HOST=HOST, PORT=str(port), LOG_LEVEL=log_level)
    return env


def migrate(agente: str, env: dict[str, str]) -> None:
    try:
        done = subprocess.run(
            [agente, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=MIGRATE_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`agente db upgrade` did not finish within {MIGRATE_TIMEOUT:g}s") from exc
    if done.returncode != 0:
        raise BenchError(f"`agente db upgrade` failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def check_answers(server: Server, path: str, body: str | None) -> None:
    try:
        status = request_status(server.url(path), body=body, timeout=10.0)
    except OSError as exc:
        raise BenchError(f"{server.name}: {path} did not answer: {exc}") from exc
    if not 200 <= status < 300:
        raise BenchError(f"{server.name}: {'POST' if body else 'GET'} {path} answered {status}, not 2xx")


# ------------------------------------------------------------------------------------ machine


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return 0.0


def _wrk_version(wrk: str) -> str:
    # wrk has no --version; its usage banner names the version and exits 1.
    try:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "wrk (version unknown)"
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def source_revision() -> str:
    """The commit measured, and whether src/ differed from it."""
    # Read-only: no optional index refresh that could race with someone else's git command.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    root = str(BENCH_DIR.parent)
    try:
        head = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"], env=env, capture_output=True, text=True, timeout=10
        )
        status = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--", "src"],
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (git unavailable)"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" + uncommitted changes in src/" if status.stdout.strip() else "")


def machine_facts(wrk: str) -> Machine:
    packages = {}
    for name in ("uvicorn", "uvloop", "httptools", "starlette", "fastapi", "structlog", "prometheus-client"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    return Machine(
        nproc=len(os.sched_getaffinity(0)),
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        kernel=platform.release(),
        python=platform.python_version(),
        wrk=_wrk_version(wrk),
        packages=packages,
    )


# -------------------------------------------------------------------------------------- report


def _fmt_ratio(ratio: float | None) -> str:
    return "1.00 (floor)" if ratio is None else f"{ratio:.2f}"


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| target | LOG_LEVEL | request | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors | req/s vs bare |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row.result
        lines.append(
            f"| {row.target} | {row.log_level or '-'} | {row.method} {row.path} | {r.requests_per_s:,.0f} "
            f"| {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.non_2xx_3xx} | {r.socket_errors} "
            f"| {_fmt_ratio(row.ratio_to_bare)} |"
        )
    return "\n".join(lines)


def verdicts(rows: Sequence[Row], aim: float) -> list[str]:
    lines = []
    for row in rows:
        if row.target == "service" and row.path == LIVE and row.ratio_to_bare is not None:
            met = "meets" if row.ratio_to_bare >= aim else "BELOW"
            lines.append(
                f"service GET {LIVE} at LOG_LEVEL={row.log_level}: {row.ratio_to_bare:.0%} of the bare app "
                f"({met} the {aim:.0%} aim)"
            )
    return lines


def print_machine(machine: Machine) -> None:
    print(f"machine: {machine.nproc} CPUs ({machine.cpu_model}), {machine.memory_gib} GiB, Linux {machine.kernel}")
    print(f"python {machine.python}, {machine.wrk}, " + ", ".join(f"{k} {v}" for k, v in machine.packages.items()))


# ----------------------------------------------------------------------------------------- run


def bench_bare(load: Load, work: Path) -> Row:
    port = free_port()
    argv = [sys.executable, str(BENCH_DIR / "bare_app.py"), "--port", str(port)]
    with running("bare app", argv, dict(os.environ), work / "bare.log", port) as server:
        check_answers(server, LIVE, None)
        print(f"  bare app GET {LIVE} ...", flush=True)
        return Row("bare", None, "GET", LIVE, load.measure(server.url(LIVE)), None)


def bench_service(load: Load, work: Path, log_level: str, bare_rps: float) -> list[Row]:
    agente = agente_executable()
    data_dir = work / "data"
    data_dir.mkdir(exist_ok=True)
    port = free_port()
    env = service_env(data_dir, port, log_level)
    migrate(agente, env)
    post_script = work / "post.lua"
    post_script.write_text(POST_SCRIPT)
    log_path = work / f"service-{log_level.lower()}.log"
    rows = []
    with running(f"service (LOG_LEVEL={log_level})", [agente, "serve"], env, log_path, port) as server:
        check_answers(server, SELF_TEST, SELF_TEST_BODY)
        for method, path, script in (("GET", LIVE, None), ("POST", SELF_TEST, post_script)):
            print(f"  service LOG_LEVEL={log_level} {method} {path} ...", flush=True)
            result = load.measure(server.url(path), script)
            rows.append(Row("service", log_level, method, path, result, result.requests_per_s / bare_rps))
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Throughput and latency of the service against a bare ASGI app, measured with wrk.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per request kind")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each measurement")
    # Two CPUs are shared by wrk and the server: one wrk thread keeps most of a core for the server.
    parser.add_argument("--connections", type=int, default=32, help="wrk open connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--log-levels",
        default="WARNING,INFO",
        help="comma-separated LOG_LEVELs, one service run each (access log lines are INFO)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0:
        parser.error("--duration must be ≥ 1 and --warmup ≥ 0")
    if args.threads < 1 or args.connections < args.threads:
        parser.error("need --threads ≥ 1 and --connections ≥ --threads")
    args.log_levels = [level.strip().upper() for level in args.log_levels.split(",") if level.strip()]
    if not args.log_levels:
        parser.error("--log-levels needs at least one level")
    return args


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through the finally blocks that stop the servers.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace, wrk: str) -> Report:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load = Load(wrk, args.duration, args.warmup, args.connections, args.threads)
    machine = machine_facts(wrk)
    print_machine(machine)
    source = source_revision()
    print(f"source: {source}")
    print(
        f"wrk: {args.threads} thread(s), {args.connections} connections, {args.warmup}s warm-up + "
        f"{args.duration}s measured per request kind; servers on {HOST}; service also gets "
        + " ".join(f"{key}={value}" for key, value in SERVICE_OVERRIDES.items()),
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="agente-bench-") as tmp:
        work = Path(tmp)
        bare = bench_bare(load, work)
        if bare.result.requests_per_s <= 0:
            raise BenchError("the bare app served no request; nothing to compare against")
        rows = [bare]
        for level in args.log_levels:
            rows.extend(bench_service(load, work, level, bare.result.requests_per_s))
    return Report(
        date=started,
        command=shlex.join(sys.orig_argv),
        source=source,
        service_overrides=SERVICE_OVERRIDES,
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        threads=args.threads,
        machine=machine,
        rows=rows,
        aim=AIM,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk:
        print(f"http_load: `wrk` is not installed; install it with:\n  {WRK_INSTALL}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        report = run(args, wrk)
    except BenchError as exc:
        print(f"http_load: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("http_load: interrupted; servers stopped", file=sys.stderr)
        return 130
    print()
    print(markdown_table(report.rows))
    print()
    for line in verdicts(report.rows, report.aim):
        print(line)
    troubled = [row for row in report.rows if row.result.non_2xx_3xx or row.result.socket_errors]
    for row in troubled:
        print(f"warning: {row.target} {row.method} {row.path} had failed responses or socket errors", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), indent=2) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
