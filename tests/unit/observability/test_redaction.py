from __future__ import annotations

import pytest

from agente.observability.redaction import redact, redact_text


@pytest.mark.parametrize(
    "raw, hidden, shown",
    [
        ("write to juan.perez@example.com please", "juan.perez", "j***@example.com"),
        ("mi número es +34 612 345 678", "612 345", "***78"),
        ("call 612-345-678 now", "612-345", "***78"),
        ("whatsapp:5215512345678", "5512345", "***78"),
        ("connect to postgresql://agente:s3cr3t@db:5432/agente_db", "s3cr3t", "agente:***@db"),
        ("password=hunter2 rejected", "hunter2", "password=***"),
        ('{"token": "abc.def"}', "abc.def", '"token": "***'),
        ("Authorization: Bearer eyJhbGciOi.xyz", "eyJhbGciOi", "Bearer ***"),
    ],
)
def test_redact_text_masks_personal_data_and_secrets(raw: str, hidden: str, shown: str) -> None:
    masked = redact_text(raw)
    assert hidden not in masked
    assert shown in masked


@pytest.mark.parametrize(
    "keep",
    [
        "2026-12-12",
        "del 12 al 15 de diciembre, 3 noches",
        "550e8400-e29b-41d4-a716-446655440000",
        "client 192.168.100.200",
        "1.250,00 USD",
        "booking AH-20261212-0042",
    ],
)
def test_redact_text_leaves_dates_ids_and_addresses(keep: str) -> None:
    assert redact_text(keep) == keep


def test_redact_walks_nested_values_but_keeps_own_fields() -> None:
    event = {"guest": {"emails": ["ana@example.org"], "phone": "+1 (555) 123-4567"}, "client_ip": "10.0.0.1"}
    masked = redact(event)
    assert masked["guest"]["emails"] == ["a***@example.org"]
    assert masked["guest"]["phone"] == "***67"
    assert masked["client_ip"] == "10.0.0.1"
