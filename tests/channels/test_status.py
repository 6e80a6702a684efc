from __future__ import annotations

import itertools

import pytest

from agente.channels.whatsapp.parse import should_update, status_rank


def test_status_rank_orders_receipts() -> None:
    assert status_rank("sent") < status_rank("failed") < status_rank("delivered") < status_rank("read")
    assert status_rank("deleted") == 0


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        (None, "sent", True),
        (None, "failed", True),
        (None, "read", True),
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("sent", "read", True),
        ("sent", "failed", True),
        ("delivered", "sent", False),
        ("read", "delivered", False),
        ("read", "sent", False),
        ("delivered", "failed", False),
        ("read", "failed", False),
        ("failed", "sent", False),
        ("failed", "delivered", True),
        ("read", "read", False),
        ("sent", "sent", False),
        (None, "deleted", False),
        ("sent", "warning", False),
        ("mystery", "sent", True),
    ],
)
def test_should_update(current: str | None, new: str, expected: bool) -> None:
    assert should_update(current, new) is expected


@pytest.mark.parametrize("order", list(itertools.permutations(["sent", "delivered", "read"])))
def test_receipts_in_any_order_end_at_read(order: tuple[str, ...]) -> None:
    final: str | None = None
    for status in order:
        if should_update(final, status):
            final = status
    assert final == "read"
