"""What the property tests share: reproducible settings, adversarial text and JSON, a CPU-time bound.

Every test runs with ``derandomize=True`` and no example database, so a CI run tests the
same examples as the last one and writes nothing to the work tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

MAX_TEXT = 10_000
# CPU seconds one extractor call may take on 10 kB; linear code takes well under half of it,
# a regex that backtracks quadratically takes seconds.
CALL_BUDGET = 0.2


def fuzz_settings(max_examples: int, *, fixture_shared: bool = False) -> settings:
    """Reproducible settings: fixed seed, no database, no deadline (the bound is asserted instead)."""
    checks = [HealthCheck.too_slow, HealthCheck.data_too_large]
    if fixture_shared:
        # One running service serves every example on purpose: starting one per example is slow.
        checks.append(HealthCheck.function_scoped_fixture)
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=checks,
        print_blob=False,
    )


# Pieces of the grammars the extractors read, so repetition and mixing reach their regexes'
# slow paths: digits and separators, date words, count words, triggers, addresses, quoting.
_PIECES = [
    "1",
    "12",
    "2026",
    " ",
    "  ",
    "\n",
    "\t",
    ",",
    ".",
    "-",
    "/",
    ":",
    "(",
    ")",
    "+",
    "@",
    "'",
    "’",
    "%",
    "€",
    "$",
    "a",
    "á",
    "ñ",
    "ah",
    "AH7C3P9Q",
    "ah-",
    "x",
    "de",
    "del",
    "al",
    "y",
    "and",
    "to",
    "el",
    "the",
    "on",
    "el 12",
    "del 12 al 15 de diciembre",
    "from the 3rd till the 5th",
    "next friday",
    "3 noches",
    "2 nights",
    "dos adultos",
    "2 adults",
    "3 niños",
    "kids",
    "somos 4",
    "habitación",
    "rooms",
    "doble",
    "suite",
    "me llamo",
    "soy",
    "my name is",
    "I'm",
    "ana@example.com",
    "+34 612 345 678",
    "0034",
    "ref",
    "reserva",
    "años",
    "years old",
    "am",
    "pm",
    "14:00",
    "a las",
    "wrote:",
    "escribió:",
    "> ",
    "-- ",
    "-----Original Message-----",
    "Sent from my",
    "§",
    "😀",
    "\u200b",
    "\x00",
]


@st.composite
def _repeated(draw: st.DrawFn) -> str:
    unit = "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4)))
    return (unit * (MAX_TEXT // len(unit) + 1))[: draw(st.integers(min_value=1_000, max_value=MAX_TEXT))]


def adversarial_text() -> st.SearchStrategy[str]:
    """Arbitrary unicode, sentences of grammar pieces, and up to 10 kB of one repeated unit."""
    return st.one_of(
        st.text(max_size=2_000),
        st.lists(st.sampled_from(_PIECES), max_size=200).map("".join),
        st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=5)), max_size=100).map(" ".join),
        _repeated(),
    )


def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """Any JSON document, small enough to post many of."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=40),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=15), inner, max_size=5)),
        max_leaves=max_leaves,
    )


def cpu_seconds(call: Callable[[], T]) -> tuple[T, float]:
    """The result of ``call()`` and the CPU time this thread spent on it.

    CPU time, not wall time, so a loaded CI machine does not fail the bound; when a call
    exceeds the budget it is measured twice more and the least is kept, which filters out a
    garbage collection or a cold cache but never a super-linear regex.
    """
    best = float("inf")
    result: T
    for _ in range(3):
        started = time.thread_time()
        result = call()
        best = min(best, time.thread_time() - started)
        if best <= CALL_BUDGET:
            break
    return result, best
