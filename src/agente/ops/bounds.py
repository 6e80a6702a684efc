"""The ranges an operator's numbers must fall in, one definition for the admin API and the CLI.

A value outside its range is refused where it is typed (a 422 naming the range, a usage error
of ``agente``), before anything changes: a breaker that waits 5e-324 seconds before probing a
dead PMS, or a limit window of NaN, is never stored. Not-a-number and infinities are outside
every range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bound:
    low: int | float
    high: int | float
    unit: str = ""

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"between {_number(self.low)} and {_number(self.high)}{unit}"

    def holds(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high


# The PMS circuit breaker (a recovery under a second would probe a dead PMS continuously).
FAILURE_THRESHOLD = Bound(1, 1000, "failures")
RECOVERY_TIMEOUT = Bound(1, 3600, "seconds")
HALF_OPEN_MAX_CALLS = Bound(1, 100, "calls")
# Rate limits.
MAX_REQUESTS = Bound(1, 1_000_000, "requests")
WINDOW_SECONDS = Bound(1, 86_400, "seconds")
PENALTY_SECONDS = Bound(1, 86_400, "seconds")
# How long a blocklist entry lasts.
BLOCK_SECONDS = Bound(1, 365 * 86_400, "seconds")
# The PMS simulator's faults.
SIMULATOR_LATENCY_MS = Bound(0, 120_000, "ms")
SIMULATOR_FAILURE_RATE = Bound(0, 1)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
