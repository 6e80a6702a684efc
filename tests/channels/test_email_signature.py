from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess

import pytest

from agente.channels.email.signature import sign, verify_signature
from agente.channels.errors import SignatureError

SECRET = "email-webhook-secret"
RAW = json.dumps(
    {"message_id": "<a1@mail.example.com>", "from": "ana@example.com", "to": "r@hotel.example", "text": "¿Parking? 🚗"},
    ensure_ascii=False,
).encode()


def test_sign_is_hmac_sha256_of_the_raw_bytes() -> None:
    assert sign(RAW, SECRET) == "sha256=" + hmac.new(SECRET.encode(), RAW, hashlib.sha256).hexdigest()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_documented_openssl_command_computes_the_same_signature() -> None:
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET], input=RAW, capture_output=True, check=True
    ).stdout.decode()
    assert sign(RAW, SECRET) == "sha256=" + out.strip().rsplit(" ", 1)[-1]


def test_verify_signature_accepts_the_right_signature_in_any_case() -> None:
    verify_signature(RAW, sign(RAW, SECRET), SECRET)
    verify_signature(RAW, " sha256=" + sign(RAW, SECRET).removeprefix("sha256=").upper(), SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("  ", "missing"),
        ("sha1=" + "0" * 40, "does not start"),
        ("sha256=" + "0" * 10, "digest"),
        ("sha256=" + "g" * 64, "hexadecimal"),
        ("sha256=" + "0" * 64, "does not match"),
    ],
)
def test_verify_signature_rejects_missing_malformed_or_wrong_headers(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason) as caught:
        verify_signature(RAW, header, SECRET)
    assert SECRET not in str(caught.value)


def test_a_tampered_body_or_another_secret_does_not_verify() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(RAW.replace(b"Parking", b"Parkink"), sign(RAW, SECRET), SECRET)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(RAW, sign(RAW, "other"), SECRET)


def test_no_secret_verifies_nothing_not_even_an_empty_signature() -> None:
    with pytest.raises(SignatureError, match="no webhook secret"):
        verify_signature(RAW, sign(RAW, ""), "")
