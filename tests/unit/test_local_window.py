"""The rate limiter's in-process fallback (``LocalWindow``): what it keeps while Redis is down."""

from __future__ import annotations

from agente.ops.rate_limit import LimitPolicy, LocalWindow

STRICT = LimitPolicy(max_requests=1, window_seconds=60, strict_mode=True, penalty_seconds=300)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_penalty_ends_and_the_client_is_counted_afresh() -> None:
    clock = Clock()
    window = LocalWindow(clock)
    assert window.hit("10.0.0.1", STRICT)[0]
    allowed, _, _, retry_ms = window.hit("10.0.0.1", STRICT)
    assert not allowed and retry_ms == 300_000
    clock.now += 299
    assert not window.hit("10.0.0.1", STRICT)[0]
    clock.now += 2
    assert window.hit("10.0.0.1", STRICT)[0]


def test_penalties_are_bounded_like_the_counters_the_oldest_forgiven_first() -> None:
    """A flood of offenders while Redis is down holds at most ``capacity`` penalties."""
    clock = Clock()
    window = LocalWindow(clock, capacity=2)
    offenders = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    for client in offenders:
        assert window.hit(client, STRICT)[0]
        assert not window.hit(client, STRICT)[0]
        clock.now += 1
    first, *others = offenders
    assert window.hit(first, STRICT)[0]  # its penalty (and its count) made room for the later ones
    for client in others:
        allowed, _, _, retry_ms = window.hit(client, STRICT)
        assert not allowed and retry_ms > 290_000
