"""How long a failed job waits before its next attempt."""

from __future__ import annotations

import random

__all__ = ["backoff"]


def backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, capped, with ±50 % jitter."""
    raw: float = min(cap, base * 2 ** max(0, attempt - 1))
    jitter: float = (rng or random).random()
    return raw * (0.5 + jitter)
