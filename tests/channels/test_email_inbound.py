from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agente.channels.email.inbound import InboundEmail, normalise_address, read_json
from agente.channels.errors import PayloadError


def _form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "message_id": "<CAB1@mail.example.com>",
        "from": "Ana García <Ana.Garcia@Example.COM>",
        "to": "Reservas <reservas@hotel.example>",
        "subject": "Habitación en diciembre",
        "text": "Hola",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def test_a_full_form_is_normalised() -> None:
    email = InboundEmail.model_validate(
        _form(
            message_id="CAB1@mail.example.com",
            to=["reservas@hotel.example", "Info <INFO@hotel.example>"],
            subject="Re: habitación\r\n en diciembre",
            in_reply_to="ours-1@hotel.example",
            references="<first@hotel.example>\r\n <ours-1@hotel.example>",
        )
    )
    assert email.message_id == "<CAB1@mail.example.com>"
    assert email.sender == "ana.garcia@example.com"
    assert email.to == ["reservas@hotel.example", "info@hotel.example"]
    assert email.subject == "Re: habitación en diciembre"
    assert email.in_reply_to == "<ours-1@hotel.example>"
    assert email.references == ["<first@hotel.example>", "<ours-1@hotel.example>"]
    assert email.reply_references == ["<first@hotel.example>", "<ours-1@hotel.example>", "<CAB1@mail.example.com>"]


def test_the_stored_form_reads_back_the_same() -> None:
    email = InboundEmail.model_validate(_form(references=["<a@x.example>", "junk with spaces"]))
    assert email.references == ["<a@x.example>"]
    assert InboundEmail.model_validate(email.model_dump(by_alias=True)) == email


def test_optional_fields_have_defaults_and_a_first_email_starts_its_own_thread() -> None:
    email = InboundEmail.model_validate(_form(subject=None))
    assert (email.subject, email.in_reply_to, email.references) == ("", None, [])
    assert email.reply_references == ["<CAB1@mail.example.com>"]


def test_a_reply_without_references_threads_under_its_in_reply_to() -> None:
    email = InboundEmail.model_validate(_form(in_reply_to="<ours@hotel.example>"))
    assert email.reply_references == ["<ours@hotel.example>", "<CAB1@mail.example.com>"]


def test_long_threads_keep_the_newest_twenty_references() -> None:
    refs = [f"<m{n}@x.example>" for n in range(30)]
    email = InboundEmail.model_validate(_form(references=refs))
    assert len(email.reply_references) == 20
    assert email.reply_references[-2:] == ["<m29@x.example>", "<CAB1@mail.example.com>"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message_id": None}, "message_id"),
        ({"message_id": "two words"}, "message_id"),
        ({"message_id": ""}, "message_id"),
        ({"from": None}, "from"),
        ({"from": "not an address"}, "from"),
        ({"from": "ana@example.com, bob@example.com"}, "from"),
        ({"from": "ana@localhost"}, "from"),
        ({"from": "ana@example.com\r\nBcc: x@y.example"}, "from"),
        ({"from": "a" * 120 + "@example.com"}, "from"),
        ({"from": 7}, "from"),
        ({"to": None}, "to"),
        ({"to": []}, "to"),
        ({"to": "nobody"}, "to"),
        ({"text": None}, "text"),
        ({"text": 12}, "text"),
        ({"references": 5}, "references"),
        ({"text": "Hola\x00"}, "text"),
        ({"subject": "Hola \ud800"}, "subject"),
        ({"from": "Ana\x00 <ana@example.com>"}, "from"),
        ({"to": ["Info \udfff<info@example.com>"]}, "to"),
        ({"message_id": "<a\x00@example.com>"}, "message_id"),
        ({"in_reply_to": "<a\x00@example.com>"}, "in_reply_to"),
        ({"references": ["<a@example.com>", "<b\x00@example.com>"]}, "references"),
    ],
)
def test_invalid_forms_name_the_field_without_repeating_the_value(changes: dict[str, Any], field: str) -> None:
    form = _form()
    for key, value in changes.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    with pytest.raises(ValidationError) as caught:
        InboundEmail.model_validate(form)
    errors = caught.value.errors(include_input=False)
    assert [error["loc"][0] for error in errors] == [field]
    assert all("example.com" not in error["msg"] for error in errors)


def test_read_json_refuses_what_is_not_json() -> None:
    assert read_json(b'{"a": 1}') == {"a": 1}
    for raw in (b"from=ana", b"\xff\xfe", b""):
        with pytest.raises(PayloadError, match="not JSON"):
            read_json(raw)


def test_normalise_address() -> None:
    assert normalise_address("  <BOB@Example.ORG> ") == "bob@example.org"
    assert normalise_address("Bob") is None


def test_long_message_ids_are_kept_by_digest() -> None:
    assert InboundEmail.model_validate(_form()).key == "<CAB1@mail.example.com>"
    long_id = "<" + "x" * 200 + "@b.example>"
    email = InboundEmail.model_validate(_form(message_id=long_id))
    assert email.message_id == long_id
    assert email.key.startswith("sha256:") and len(email.key) <= 128
