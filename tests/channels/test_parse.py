from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agente.channels.errors import PayloadError
from agente.channels.storable import message_key
from agente.channels.whatsapp.parse import MAX_WA_ID_LENGTH, Delivery, InboundMessage, StatusUpdate, parse_delivery

PAYLOADS = Path(__file__).parent / "payloads"
PHONE = "1234567890"
T0 = 1764403200


def golden(name: str) -> Delivery:
    return parse_delivery((PAYLOADS / f"{name}.json").read_bytes())


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def message(
    wamid: str,
    text: str | None,
    *,
    sender: str = "34600111222",
    name: str | None = "Ana",
    seconds: int = T0,
    kind: str = "text",
    payload_id: str | None = None,
    phone: str = PHONE,
) -> InboundMessage:
    return InboundMessage(
        wamid=wamid,
        from_wa_id=sender,
        phone_number_id=phone,
        profile_name=name,
        timestamp=at(seconds),
        kind=kind,
        text=text,
        payload_id=payload_id,
        supported=text is not None,
    )


def test_parse_text_with_emoji_and_accents() -> None:
    assert golden("text_emoji_accents") == Delivery(
        messages=(
            message(
                "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUY=",
                "Hola 👋, ¿tenéis habitación doble para el año nuevo? Gracias 🙏😊",
                name="Ana Muñoz",
            ),
        ),
        statuses=(),
    )


def test_parse_every_message_of_every_entry_in_order() -> None:
    delivery = golden("several_entries")
    assert delivery.messages == (
        message("wamid.A1", "Hola"),
        message("wamid.B1", "Hi there", sender="447700900123", name="John", seconds=T0 + 5),
        message("wamid.A2", "¿Precio?", seconds=T0 + 10),
        message(
            "wamid.C1",
            "Bonjour, c'est possible ?",
            sender="33612345678",
            name=None,
            seconds=T0 + 100,
            phone="9876543210",
        ),
    )
    assert delivery.statuses == ()


def test_parse_interactive_and_template_button_replies() -> None:
    assert golden("interactive_replies").messages == (
        message("wamid.BTN1", "Sí, reservar", kind="interactive", payload_id="confirm_booking"),
        message("wamid.LIST1", "Doble superior", kind="interactive", payload_id="room_double", seconds=T0 + 60),
        message("wamid.TPL1", "Check-in online", kind="button", payload_id="checkin_start", seconds=T0 + 120),
    )


def test_parse_location_as_text() -> None:
    assert golden("location").messages == (
        message(
            "wamid.LOC1",
            "📍 40.416775,-3.70379 Puerta del Sol Plaza de la Puerta del Sol, Madrid",
            kind="location",
        ),
        message("wamid.LOC2", "📍 41.3874,2.1686", kind="location", seconds=T0 + 1),
    )


def test_parse_media_reactions_and_unknown_types_as_unsupported() -> None:
    messages = golden("unsupported_media").messages
    assert [(m.wamid, m.kind, m.text, m.payload_id, m.supported) for m in messages] == [
        ("wamid.IMG1", "image", None, None, False),
        ("wamid.AUD1", "audio", None, None, False),
        ("wamid.STK1", "sticker", None, None, False),
        ("wamid.REA1", "reaction", None, None, False),
        ("wamid.UNS1", "unsupported", None, None, False),
        ("wamid.NEW1", "hologram", None, None, False),
    ]
    assert {(m.from_wa_id, m.profile_name, m.phone_number_id) for m in messages} == {("34600111222", "Ana", PHONE)}
    assert [m.timestamp for m in messages] == [at(T0 + i) for i in range(6)]


def test_parse_statuses_as_they_come() -> None:
    delivery = golden("statuses_out_of_order")
    assert delivery.messages == ()
    assert delivery.statuses == (
        StatusUpdate("wamid.OUT1", "read", at(T0 + 30), "34600111222", None, None),
        StatusUpdate("wamid.OUT1", "delivered", at(T0 + 10), "34600111222", None, None),
        StatusUpdate("wamid.OUT2", "failed", at(T0 + 40), "447700900123", 131047, "Re-engagement message"),
        StatusUpdate("wamid.OUT2", "sent", at(T0 + 35), "447700900123", None, None),
    )


def test_parse_skips_changes_of_other_fields() -> None:
    assert golden("non_messages_field") == Delivery(
        messages=(message("wamid.ONLY1", "Sigo aquí", name=None),), statuses=()
    )


def test_parse_results_are_immutable() -> None:
    parsed = golden("text_emoji_accents").messages[0]
    with pytest.raises(AttributeError):
        parsed.text = "changed"  # type: ignore[misc]


def _body(*messages: object, contacts: object = None) -> bytes:
    value: dict[str, object] = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE}}
    value["messages"] = list(messages)
    if contacts is not None:
        value["contacts"] = contacts
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def _text(**fields: object) -> dict[str, object]:
    return {
        "from": "34600111222",
        "id": "wamid.X",
        "timestamp": str(T0),
        "type": "text",
        "text": {"body": "hi"},
    } | fields


def test_parse_tolerates_contacts_without_profile_and_takes_a_lone_contact_as_sender() -> None:
    no_profile = parse_delivery(_body(_text(), contacts=[{"wa_id": "34600111222"}])).messages[0]
    assert no_profile.profile_name is None
    # WhatsApp drops the mobile "9" of Argentine numbers in wa_id but not always in from.
    lone = parse_delivery(
        _body(_text(**{"from": "5491155550000"}), contacts=[{"profile": {"name": "Sol"}, "wa_id": "541155550000"}])
    )
    assert lone.messages[0].profile_name == "Sol"


def test_parse_keeps_a_supported_kind_without_content_as_unsupported() -> None:
    parsed = parse_delivery(
        _body(
            _text(text={}),
            _text(type="interactive", interactive={"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}),
            _text(type="location", location={"name": "Somewhere"}),
            _text(type="button", button=None),
        )
    )
    assert [(m.kind, m.text, m.supported) for m in parsed.messages] == [
        ("text", None, False),
        ("interactive", None, False),
        ("location", None, False),
        ("button", None, False),
    ]


def test_parse_accepts_an_integer_timestamp_and_an_empty_entry_list() -> None:
    assert parse_delivery(_body(_text(timestamp=T0))).messages[0].timestamp == at(T0)
    assert parse_delivery(b'{"object": "whatsapp_business_account", "entry": []}') == Delivery((), ())


def test_parse_removes_what_the_database_cannot_store_from_texts_titles_and_names() -> None:
    parsed = parse_delivery(
        _body(
            _text(text={"body": "Hola\x00 \ud800👋"}),
            _text(
                id="wamid.B",
                type="interactive",
                interactive={"type": "button_reply", "button_reply": {"id": "room\x00_1", "title": "Doble\udfff"}},
            ),
            _text(id="wamid.L", type="location", location={"latitude": 1, "longitude": 2, "name": "Sol\x00"}),
            _text(id="wamid.K", type="\x00sticker"),
            _text(id="wamid.E", text={"body": "\x00"}),
            contacts=[{"profile": {"name": "A\x00na"}, "wa_id": "34600111222"}],
        )
    )
    assert [(m.kind, m.text, m.payload_id, m.profile_name) for m in parsed.messages] == [
        ("text", "Hola 👋", None, "Ana"),
        ("interactive", "Doble", "room_1", "Ana"),
        ("location", "📍 1.0,2.0 Sol", None, "Ana"),
        ("sticker", None, None, "Ana"),
        ("text", None, None, "Ana"),  # nothing readable left: answered as unsupported
    ]


def test_parse_keeps_a_wamid_that_does_not_fit_by_digest_in_messages_and_receipts() -> None:
    long_wamid, nul_wamid = "wamid." + "A" * 200, "wamid.\x00"
    parsed = parse_delivery(_body(_text(id=long_wamid), _text(id=nul_wamid)))
    assert [m.wamid for m in parsed.messages] == [message_key(long_wamid), message_key(nul_wamid)]
    assert all(m.wamid.startswith("sha256:") and len(m.wamid) <= 128 for m in parsed.messages)
    receipt = {"id": long_wamid, "status": "read", "timestamp": str(T0), "recipient_id": "34600111222"}
    value = {"metadata": {"phone_number_id": PHONE}, "statuses": [receipt]}
    raw = json.dumps({"entry": [{"changes": [{"field": "messages", "value": value}]}]}).encode()
    assert parse_delivery(raw).statuses[0].wamid == message_key(long_wamid)


def test_parse_drops_messages_whose_sender_cannot_be_a_whatsapp_id_and_counts_them() -> None:
    senders = ["3" * (MAX_WA_ID_LENGTH + 1), "34600\x00111222", "34600\ud800", "3" * 200]
    parsed = parse_delivery(_body(*(_text(**{"from": s, "id": f"wamid.{n}"}) for n, s in enumerate(senders)), _text()))
    assert [(m.wamid, m.from_wa_id) for m in parsed.messages] == [("wamid.X", "34600111222")]
    assert parsed.dropped == 4
    assert parse_delivery(_body(_text(**{"from": "3" * MAX_WA_ID_LENGTH}))).dropped == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
        b'{"object": "whatsapp_business_account", "entry": {}}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {}}]}]}',
        _body(_text(id=None)),
        _body(_text(**{"from": ""})),
        _body(_text(type=7)),
        _body(_text(timestamp="yesterday")),
        _body(_text(timestamp=True)),
        _body(_text(timestamp="99999999999999999999")),
        _body("not a message"),
    ],
)
def test_parse_rejects_bodies_not_in_the_documented_shape(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_delivery(raw)
