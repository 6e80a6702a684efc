"""The channel parsers on arbitrary bytes and on mutated real deliveries.

``parse_delivery`` either returns a delivery or raises its ``PayloadError``, never anything
else, and quickly; the email form either validates or raises pydantic's ``ValidationError``
(the webhook's 422) or ``PayloadError`` (400); the quote stripper keeps only what the guest
wrote, a subset of the lines it was given. Whatever a parser returns can be stored: no
U+0000 or unpaired surrogate, no id longer than its column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from agente.channels.email.inbound import MAX_ADDRESS_LENGTH, InboundEmail, read_json
from agente.channels.email.quoting import strip_quoted
from agente.channels.errors import PayloadError
from agente.channels.storable import MESSAGE_KEY_LENGTH, is_storable
from agente.channels.whatsapp.parse import MAX_WA_ID_LENGTH, SUPPORTED_KINDS, parse_delivery
from tests.fuzz.strategies import CALL_BUDGET, adversarial_text, cpu_seconds, fuzz_settings, json_values

PAYLOADS = sorted((Path(__file__).parents[1] / "channels" / "payloads").glob("*.json"))
GOOD_EMAIL: dict[str, Any] = {
    "message_id": "<abc-1@mail.example.com>",
    "from": "Ana García <Ana.Garcia@example.com>",
    "to": ["reservas@hotel.example"],
    "subject": "Habitación",
    "text": "Hola, ¿tenéis sitio del 12 al 15?",
    "in_reply_to": "<x@hotel.example>",
    "references": "<a@x> <b@y>",
}


UNSTORABLE = ["\x00", "a\x00b", "\ud800", "x\udfffy", "\ud83d"]
ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from([None, "", 0, -1, 2**64, 10**400, 1e308, True, [], {}, "x" * 300, ["button_reply"], *UNSTORABLE]),
    json_values(6),
)
ODD_KEYS = st.sampled_from(["type", "interactive", "latitude", "timestamp", "errors", "field", "messages"])


@st.composite
def mutated(draw: st.DrawFn, document: Any, depth: int = 0) -> Any:
    """``document`` with some of its nodes replaced, dropped, retyped or wrapped."""
    action = draw(st.integers(0, 19))
    if depth > 12 or action == 0:
        return draw(ODD_VALUES)
    if action == 1:
        return [document]
    if isinstance(document, dict):
        out = {key: draw(mutated(value, depth + 1)) for key, value in document.items() if action != 2 or key != "id"}
        if action == 3 and out:
            out.pop(draw(st.sampled_from(sorted(out))))
        if action == 4:
            out[draw(ODD_KEYS)] = draw(ODD_VALUES)
        return out
    if isinstance(document, list):
        items = [draw(mutated(item, depth + 1)) for item in document]
        return items + [draw(ODD_VALUES)] if action == 5 else items
    return document


def _deliveries() -> st.SearchStrategy[bytes]:
    documents = [json.loads(path.read_bytes()) for path in PAYLOADS]
    return st.sampled_from(documents).flatmap(mutated).map(lambda doc: json.dumps(doc).encode())


def _parse_or_payload_error(raw: bytes) -> None:
    try:
        delivery, spent = cpu_seconds(lambda: parse_delivery(raw))
    except PayloadError:
        return
    assert spent < CALL_BUDGET
    for message in delivery.messages:
        assert message.wamid and message.from_wa_id and message.phone_number_id
        assert message.supported == (message.text is not None)
        if message.supported:
            assert message.kind in SUPPORTED_KINDS
        assert len(message.wamid) <= MESSAGE_KEY_LENGTH and len(message.from_wa_id) <= MAX_WA_ID_LENGTH
        stored = (message.wamid, message.from_wa_id, message.kind, message.text or "", message.profile_name or "")
        assert all(is_storable(value) for value in stored)
    for status in delivery.statuses:
        assert status.wamid and status.status and status.recipient_id
        assert len(status.wamid) <= MESSAGE_KEY_LENGTH and is_storable(status.wamid)


def test_the_golden_payloads_parse() -> None:
    assert len(PAYLOADS) >= 5
    for path in PAYLOADS:
        parse_delivery(path.read_bytes())


@fuzz_settings(300)
@given(raw=st.binary(max_size=4_000))
def test_arbitrary_bytes_are_a_delivery_or_a_payload_error(raw: bytes) -> None:
    _parse_or_payload_error(raw)


@fuzz_settings(200)
@given(raw=_deliveries())
def test_mutated_deliveries_are_a_delivery_or_a_payload_error(raw: bytes) -> None:
    _parse_or_payload_error(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,  # nesting deeper than the JSON decoder recurses
        b'{"entry": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        json.dumps(
            {
                "entry": [
                    {
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "metadata": {"phone_number_id": "1"},
                                    "messages": [
                                        {
                                            "from": "3",
                                            "id": "w",
                                            "timestamp": "1",
                                            "type": "interactive",
                                            "interactive": {"type": ["button_reply"]},
                                        },
                                        {
                                            "from": "3",
                                            "id": "v",
                                            "timestamp": "1",
                                            "type": "location",
                                            "location": {"latitude": 10**400, "longitude": 1},
                                        },
                                    ],
                                },
                            }
                        ]
                    }
                ]
            }
        ).encode(),
    ],
    ids=["deep-array", "deep-entry", "unhashable-type-and-huge-coordinate"],
)
def test_inputs_that_once_crashed_the_parser(raw: bytes) -> None:
    _parse_or_payload_error(raw)


def _validate_email(document: object) -> None:
    try:
        email = InboundEmail.model_validate(document)
    except ValidationError:
        return
    assert email.message_id.startswith("<") and email.message_id.endswith(">")
    assert "@" in email.sender and len(email.sender) <= MAX_ADDRESS_LENGTH and email.sender == email.sender.lower()
    assert email.to and all("@" in address for address in email.to)
    assert "\n" not in email.subject and "\r" not in email.subject
    assert len(email.reply_references) <= 20 and email.reply_references[-1] == email.message_id
    assert email.key and len(email.key) <= MESSAGE_KEY_LENGTH
    stored = [email.message_id, email.sender, *email.to, email.subject, email.text, *email.references]
    assert all(is_storable(value) for value in [*stored, email.in_reply_to or ""])


@fuzz_settings(300)
@given(raw=st.binary(max_size=2_000))
def test_an_email_body_is_json_or_a_payload_error(raw: bytes) -> None:
    try:
        document = read_json(raw)
    except PayloadError:
        return
    _validate_email(document)


@fuzz_settings(200)
@given(document=mutated(GOOD_EMAIL))
def test_mutated_email_forms_validate_or_are_refused(document: object) -> None:
    _validate_email(document)


@fuzz_settings(200)
@given(
    field=st.sampled_from(["from", "to", "message_id", "in_reply_to", "references", "subject", "text"]),
    value=st.one_of(adversarial_text(), st.sampled_from(UNSTORABLE)),
)
def test_adversarial_header_values_are_refused_or_normalised_quickly(field: str, value: str) -> None:
    _, spent = cpu_seconds(lambda: _validate_email({**GOOD_EMAIL, field: value}))
    assert spent < CALL_BUDGET


def test_a_deeply_nested_address_comment_is_refused() -> None:
    """The standard address parser recurses per "(" comment; a thousand of them is a 422, not a crash."""
    with pytest.raises(ValidationError):
        InboundEmail.model_validate({**GOOD_EMAIL, "from": "(" * 5_000 + "ana@example.com"})
    with pytest.raises(ValidationError):
        InboundEmail.model_validate({**GOOD_EMAIL, "to": "(" * 5_000})
    with pytest.raises(PayloadError):
        read_json(b"[" * 100_000)


@fuzz_settings(200)
@given(text=adversarial_text())
def test_the_quote_stripper_keeps_only_the_guests_lines(text: str) -> None:
    kept, spent = cpu_seconds(lambda: strip_quoted(text))
    assert spent < CALL_BUDGET
    assert kept == kept.strip()
    lines = {line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")}
    for line in kept.split("\n") if kept else []:
        assert not line.lstrip().startswith(">")
        assert line.strip() in lines
