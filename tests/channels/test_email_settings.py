from __future__ import annotations

import pytest
from pydantic import ValidationError

from agente.config import Settings


def test_the_default_has_no_email_channel() -> None:
    settings = Settings(env="test")
    assert settings.smtp_host is None and settings.email_webhook_secret is None
    assert (settings.smtp_port, settings.smtp_security, settings.email_booking_confirmations) == (587, "starttls", True)


def test_a_complete_email_configuration_is_accepted() -> None:
    settings = Settings(
        env="test",
        smtp_host="smtp.example.com",
        smtp_port=465,
        smtp_security="tls",
        smtp_username="agente",
        smtp_password="app-password",
        smtp_from="The Hotel Prime <reservas@hotel.example>",
        email_webhook_secret="webhook-secret",
    )
    assert settings.smtp_password is not None and "app-password" not in repr(settings)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"smtp_host": "smtp.example.com"}, "SMTP_FROM"),
        ({"smtp_host": "smtp.example.com", "smtp_from": "Hotel"}, "SMTP_FROM"),
        ({"smtp_host": "s", "smtp_from": "r@hotel.example", "smtp_username": "u"}, "SMTP_PASSWORD"),
        ({"email_webhook_secret": "x"}, "EMAIL_WEBHOOK_SECRET needs SMTP_HOST"),
        ({"smtp_host": "s", "smtp_from": "r@hotel.example", "smtp_security": "ssl"}, "smtp_security"),
    ],
)
def test_an_incomplete_email_configuration_stops_start_up(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(env="test", **values)  # type: ignore[arg-type]
