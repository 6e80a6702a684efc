"""Rate limiter cost: throughput through a limited endpoint with the limiter on and off.

Two services in one run, both the embedded default (in-process Redis: the same Lua script
as production), identical but for ``RATE_LIMIT_ENABLED``. The limit is raised so no
request is refused: what is measured is the work the limiter adds to every request.
The endpoint is ``GET /openapi.json`` — public, so limited, and cheap enough that the
limiter's share shows. Aim: limiter on ≥ 80 % of limiter off.

Needs ``wrk``. Usage: ``python bench/rate_limit.py [--duration 10]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from http_load import WRK_INSTALL, BenchError, Load, agente_executable, free_port, migrate, running, service_env

PATH = "/openapi.json"
AIM = 0.8


def measure(load: Load, work: Path, enabled: bool, redis_url: str | None) -> float:
    agente = agente_executable()
    data_dir = work / f"data-{enabled}"
    data_dir.mkdir()
    port = free_port()
    env = service_env(data_dir, port, "WARNING")
    env["RATE_LIMIT_ENABLED"] = "true" if enabled else "false"
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=f"bench:{port}:")
    migrate(agente, env)
    with running(
        f"service (limiter {'on' if enabled else 'off'})", [agente, "serve"], env, work / f"{enabled}.log", port
    ) as server:
        result = load.measure(server.url(PATH))
    if result.non_2xx_3xx or result.socket_errors:
        raise BenchError(f"{result.non_2xx_3xx} refused and {result.socket_errors} failed requests: not a clean run")
    return result.requests_per_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--redis-url", help="count in this Redis (as in production) instead of in process")
    args = parser.parse_args()
    import shutil

    wrk = shutil.which("wrk")
    if wrk is None:
        print(f"wrk is not installed: {WRK_INSTALL}")
        return 2
    load = Load(wrk=wrk, duration_s=args.duration, warmup_s=2, connections=args.connections, threads=1)
    with tempfile.TemporaryDirectory() as tmp:
        off = measure(load, Path(tmp), enabled=False, redis_url=args.redis_url)
        on = measure(load, Path(tmp), enabled=True, redis_url=args.redis_url)
    ratio = on / off
    where = "Redis at " + args.redis_url if args.redis_url else "in-process store"
    print(f"counts kept in: {where}")
    print(f"GET {PATH}: limiter off {off:,.0f} req/s, limiter on {on:,.0f} req/s, on/off {ratio:.2f}")
    print(f"{'meets' if ratio >= AIM else 'misses'} the {AIM:.0%} aim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
