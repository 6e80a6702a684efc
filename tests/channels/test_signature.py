from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from agente.channels.errors import SignatureError
from agente.channels.whatsapp.signature import sign, verify_challenge, verify_signature

SECRET = "0123456789abcdef0123456789abcdef"
RAW = (Path(__file__).parent / "payloads" / "text_emoji_accents.json").read_bytes()


def test_sign_is_hmac_sha256_of_the_raw_bytes() -> None:
    expected = hmac.new(SECRET.encode(), RAW, hashlib.sha256).hexdigest()
    assert sign(RAW, SECRET) == f"sha256={expected}"


def test_verify_signature_accepts_the_right_signature() -> None:
    verify_signature(RAW, sign(RAW, SECRET), SECRET)


def test_verify_signature_accepts_upper_case_hex_and_surrounding_space() -> None:
    digest = sign(RAW, SECRET).removeprefix("sha256=")
    verify_signature(RAW, f"  sha256={digest.upper()} ", SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("   ", "missing"),
        ("sha1=" + "0" * 40, "does not start"),
        ("SHA256=" + "0" * 64, "does not start"),
        ("sha256=" + "0" * 63, "digest"),
        ("sha256=" + "z" * 64, "hexadecimal"),
        ("sha256=" + "0" * 64, "does not match"),
    ],
)
def test_verify_signature_rejects_malformed_or_wrong_headers(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_signature(RAW, header, SECRET)


def test_verify_signature_rejects_another_secret() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(RAW, sign(RAW, "another-secret"), SECRET)


def test_verify_signature_rejects_a_tampered_body() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(RAW.replace(b"Hola", b"Hol4"), sign(RAW, SECRET), SECRET)


def test_verify_signature_fails_on_re_serialised_json_with_emoji_and_accents() -> None:
    reserialised = json.dumps(json.loads(RAW)).encode()
    assert reserialised != RAW
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(reserialised, sign(RAW, SECRET), SECRET)


@pytest.mark.parametrize("header", [None, "", "sha256=", sign(RAW, ""), sign(b"", "")])
def test_verify_signature_with_an_empty_secret_never_passes(header: str | None) -> None:
    with pytest.raises(SignatureError, match="no app secret"):
        verify_signature(RAW, header, "")


def test_verify_challenge_echoes_the_challenge_for_the_right_token() -> None:
    assert verify_challenge("subscribe", "my-verify-token", "1158201444", "my-verify-token") == "1158201444"


@pytest.mark.parametrize(
    ("mode", "token", "challenge", "verify_token"),
    [
        ("subscribe", "wrong", "1158201444", "my-verify-token"),
        ("subscribe", "my-verify-toke", "1158201444", "my-verify-token"),
        ("unsubscribe", "my-verify-token", "1158201444", "my-verify-token"),
        (None, "my-verify-token", "1158201444", "my-verify-token"),
        ("subscribe", None, "1158201444", "my-verify-token"),
        ("subscribe", "my-verify-token", None, "my-verify-token"),
        ("subscribe", "my-verify-token", "", "my-verify-token"),
        ("subscribe", "my-verify-token", "<script>alert(1)</script>", "my-verify-token"),
        ("subscribe", "my-verify-token", "9" * 257, "my-verify-token"),
        ("subscribe", "", "1158201444", ""),
        ("subscribe", None, "1158201444", ""),
    ],
)
def test_verify_challenge_refuses(
    mode: str | None, token: str | None, challenge: str | None, verify_token: str
) -> None:
    assert verify_challenge(mode, token, challenge, verify_token) is None
