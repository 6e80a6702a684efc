"""What a process uses, read from ``/proc``: CPU time, resident memory, open descriptors and
its TCP connections to PostgreSQL and Redis; and the CPU time of the whole machine.

Linux only. The mixed-load benchmark (``mixed_load.py``) samples its service processes with it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_GENERATOR = "load generator"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass(frozen=True)
class CpuClock:
    at: float
    processes: dict[str, float]
    machine_busy_s: float


def cpu_clock(pids: dict[str, int]) -> CpuClock:
    """CPU time so far of each process and of the whole machine (all CPUs, ``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    busy = sum(values) - values[3] - values[4]  # all but idle and iowait
    processes = {name: cpu_seconds(pid) for name, pid in pids.items()}
    return CpuClock(time.monotonic(), processes, busy / CLOCK_TICKS)


def cpu_cores(before: CpuClock, after: CpuClock) -> dict[str, float]:
    """Cores used between two clocks by each process, by everything else, and by the machine.

    On a machine shared with other work, "everything else" shows what the measured
    processes competed with (it also holds PostgreSQL and Redis)."""
    wall = after.at - before.at
    used = {name: (after.processes[name] - before.processes[name]) / wall for name in after.processes}
    machine = (after.machine_busy_s - before.machine_busy_s) / wall
    used["everything else"] = max(0.0, machine - sum(used.values()))
    used["machine"] = machine
    return {name: round(cores, 2) for name, cores in used.items()}


def format_cores(cores: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in cores.items()) + f" (of {os.cpu_count()} CPUs)"


@dataclass(frozen=True)
class ProcessSample:
    rss_bytes: int
    open_fds: int
    client_connections: int  # accepted on the process's own port: as many as its clients keep open
    postgres_connections: int
    redis_connections: int

    @property
    def fds_without_clients(self) -> int:
        """Descriptors the process holds for itself: files, its own connections, its listener."""
        return self.open_fds - self.client_connections


def socket_peers() -> dict[str, tuple[int, int]]:
    """Socket inode → (local port, remote port), for every established TCP connection of this
    machine's network namespace."""
    peers = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "01":  # ESTABLISHED
                    local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
                    peers[fields[9]] = (local, remote)
    return peers


def process_sample(
    pid: int, peers: dict[str, tuple[int, int]], *, listen_port: int, postgres_port: int, redis_port: int
) -> ProcessSample:
    """``pid``'s resident memory, descriptors, connections accepted on ``listen_port``, and
    connections to the PostgreSQL and Redis servers' ports (``peers`` from :func:`socket_peers`).
    ``FileNotFoundError`` when the process is gone."""
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    local_ports: Counter[int] = Counter()
    remote_ports: Counter[int] = Counter()
    fds = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        fds += 1
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:[") and target[8:-1] in peers:
                local, remote = peers[target[8:-1]]
                local_ports[local] += 1
                remote_ports[remote] += 1
    return ProcessSample(
        rss_bytes=rss_kib * 1024,
        open_fds=fds,
        client_connections=local_ports[listen_port],
        postgres_connections=remote_ports[postgres_port],
        redis_connections=remote_ports[redis_port],
    )
