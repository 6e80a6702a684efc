from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from agente.config import Settings

PG = "postgresql://agente:pw@db:5432/agente_db"
REDIS = "redis://redis:6379/0"


def test_defaults_are_the_embedded_product() -> None:
    settings = Settings()
    assert settings.port == 8002
    assert settings.embedded
    assert settings.sqlalchemy_url == "sqlite+aiosqlite:///var/agente.db"
    assert settings.runs_worker_in_process
    assert settings.shutdown_timeout == 25


@pytest.mark.parametrize(
    "given, expected",
    [
        (PG, "postgresql+asyncpg://agente:pw@db:5432/agente_db"),
        ("postgres://a@h/d", "postgresql+asyncpg://a@h/d"),
        ("postgresql+asyncpg://a@h/d", "postgresql+asyncpg://a@h/d"),
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
    ],
)
def test_database_url_gets_its_async_driver(given: str, expected: str) -> None:
    assert Settings(database_url=given).sqlalchemy_url == expected


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.port == 9001
    assert settings.data_dir == tmp_path
    assert settings.log_level == "DEBUG"


def test_production_refuses_embedded_defaults() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(env="production")
    message = str(caught.value)
    assert "DATABASE_URL" in message and "REDIS_URL" in message and "ADMIN_TOKEN" in message


@pytest.mark.parametrize("token", ["changeme", "ops:changeme,oncall:Zx81-real", "", "admin"])
def test_production_refuses_placeholder_tokens(token: str) -> None:
    with pytest.raises(ValidationError, match="ADMIN_TOKEN"):
        Settings(env="production", database_url=PG, redis_url=REDIS, admin_token=token)


def test_production_refuses_sqlite() -> None:
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(env="production", database_url="sqlite:///x.db", redis_url=REDIS, admin_token="t0k3n-long-enough")


def test_production_with_real_settings_starts() -> None:
    settings = Settings(env="production", database_url=PG, redis_url=REDIS, admin_token="ops:Zx81-real,ci:Qw12-real")
    assert not settings.embedded
    assert not settings.runs_worker_in_process
    assert settings.admin_tokens() == {"ops": "Zx81-real", "ci": "Qw12-real"}


def test_bare_admin_token_is_named_admin() -> None:
    assert Settings(admin_token="s3cret-value").admin_tokens() == {"admin": "s3cret-value"}
    assert "s3cret-value" not in repr(Settings(admin_token="s3cret-value"))


@pytest.mark.parametrize("field, value", [("port", "0"), ("log_level", "LOUD"), ("shutdown_timeout", "-1")])
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, field: str, value: str) -> None:
    monkeypatch.setenv(field.upper(), value)
    with pytest.raises(ValidationError):
        Settings()


def test_the_hotel_country_is_an_iso_code_phones_are_read_in() -> None:
    assert Settings().hotel_country == "US"
    assert Settings(hotel_country="es").hotel_country == "ES"
    with pytest.raises(ValidationError, match="HOTEL_COUNTRY"):
        Settings(hotel_country="Spain")
