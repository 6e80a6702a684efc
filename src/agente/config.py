"""Settings: the only reader of the process environment.

Every knob of the service is a field here, read from an environment variable of the same
name in upper case (``DATABASE_URL``, ``REDIS_URL``, ``ADMIN_TOKEN``...). Nothing else in
the package looks at ``os.environ``; code receives a :class:`Settings` instance.

With ``ENV=production`` the settings defend themselves: a missing ``DATABASE_URL`` or
``REDIS_URL``, or a missing or placeholder ``ADMIN_TOKEN``, stops start-up with a message
naming the variable, so a production deployment never runs on the embedded defaults.
"""

from __future__ import annotations

from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that mean "nobody set this": refused as secrets in production.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "changethis", "change-me", "secret", "admin"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class PmsType(StrEnum):
    SIMULATOR = "simulator"
    QLOAPPS = "qloapps"


class Settings(BaseSettings):
    """Validated configuration of one API or worker process."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False, frozen=True)

    env: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"

    # HTTP server
    host: str = "0.0.0.0"  # noqa: S104 - the API is meant to be reached from outside its container
    port: int = Field(default=8002, ge=1, le=65535)
    shutdown_timeout: float = Field(default=25.0, gt=0)
    # Seconds between SIGTERM and closing the listener, while readiness already says 503:
    # lets a load balancer take the replica out before connections are refused.
    shutdown_drain_seconds: float = Field(default=0.0, ge=0)

    # Storage. Unset DATABASE_URL means the embedded SQLite file under data_dir.
    data_dir: Path = Path("var")
    database_url: str | None = None
    database_pool_size: int = Field(default=10, ge=1)
    database_timeout: float = Field(default=5.0, gt=0)

    # Unset REDIS_URL means the in-process store (embedded mode).
    redis_url: str | None = None
    redis_key_prefix: str = ""
    redis_timeout: float = Field(default=0.5, gt=0)
    # Per process; a request waits up to REDIS_TIMEOUT for a free one.
    redis_max_connections: int = Field(default=50, ge=1, le=10_000)

    pms_type: PmsType = PmsType.SIMULATOR
    # QloApps webservice (PMS_TYPE=qloapps).
    pms_base_url: str | None = None
    pms_api_key: SecretStr | None = None
    pms_hotel_id: int = Field(default=1, ge=1)
    # One request to the PMS; an operation (retries, reconciliation) may take up to the budget.
    pms_timeout: float = Field(default=5.0, gt=0)
    pms_call_budget: float = Field(default=15.0, gt=0)
    # Circuit breaker and cache around the PMS (runtime overrides: admin API).
    pms_cb_failure_threshold: int = Field(default=5, ge=1)
    pms_cb_recovery_timeout: float = Field(default=30.0, gt=0)
    pms_cb_half_open_max_calls: int = Field(default=1, ge=1)
    pms_cache_ttl: int = Field(default=60, ge=1)
    pms_catalog_ttl: int = Field(default=3600, ge=1)
    pms_last_known_ttl: int = Field(default=7 * 86400, ge=60)
    # "rewrite": {base}/api/<resource>; "dispatcher": {base}/webservice/dispatcher.php?url=<resource>
    pms_url_style: str = Field(default="rewrite", pattern="^(rewrite|dispatcher)$")

    # Admin tokens: "name:token" pairs separated by commas, or a single bare token (named
    # "admin"). Several tokens allow rotation without downtime.
    admin_token: Annotated[SecretStr | None, NoDecode] = None

    # Several processes behind one port share metrics through this folder (prometheus_client
    # reads the same variable itself).
    prometheus_multiproc_dir: Path | None = None

    # Addresses whose X-Forwarded-For is believed (the reverse proxy); comma-separated
    # IPs or CIDR ranges, or "*".
    trusted_proxies: str = "127.0.0.1"

    # Rate limiting defaults; live values come from Redis (rate_limit:* keys). Disabling
    # it is for a deployment whose proxy limits already (and for measuring its cost).
    rate_limit_enabled: bool = True
    rate_limit_max_requests: int = Field(default=120, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    rate_limit_penalty_seconds: int = Field(default=300, ge=1)

    # Conversation
    hotel_timezone: str = "America/New_York"
    # ISO 3166 alpha-2: a phone number a guest gives without country code is read as one of
    # this country. US, like HOTEL_TIMEZONE: the demo hotel (QloApps demo data, the simulator's
    # hotel in Miami) is there.
    hotel_country: str = "US"
    # Where the trained intent model is cached (default: DATA_DIR/nlu).
    nlu_model_dir: Path | None = None
    nlu_confidence_threshold: float = Field(default=0.45, ge=0, le=1)
    message_max_chars: int = Field(default=4000, ge=1)
    max_stay_nights: int = Field(default=30, ge=1)

    # Origins allowed to call the API from a browser (the hotel's site embedding the chat),
    # comma-separated; empty: same origin only.
    cors_origins: str = ""

    # WhatsApp Cloud API. Unset verify token / app secret: the webhook refuses everything.
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_phone_number_id: str | None = None
    whatsapp_access_token: SecretStr | None = None
    # Approved templates for writing to a guest outside the 24-hour window, per language.
    whatsapp_template_es: str | None = None
    whatsapp_template_en: str | None = None

    # Email. Unset SMTP_HOST: no email is sent (no replies, no booking confirmations) and no
    # email job is queued. Unset EMAIL_WEBHOOK_SECRET: POST /webhooks/email answers 404.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The sender of every email, e.g. "Hotel Demo <reservas@hotel.example>"; its domain
    # names our Message-IDs.
    smtp_from: str | None = None
    # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a local relay).
    smtp_security: str = Field(default="starttls", pattern="^(starttls|tls|none)$")
    smtp_timeout: float = Field(default=15.0, gt=0)
    email_webhook_secret: SecretStr | None = None
    # A confirmation email for every booking confirmed with a guest email (when SMTP is set).
    email_booking_confirmations: bool = True

    # Worker: the embedded default runs its loop inside the API process; a deployment runs
    # `agente worker` separately and leaves this false.
    worker_in_process: bool | None = None
    # Log records at or above this level are also kept in the `logs` table.
    event_log_level: str = "WARNING"
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_lease_seconds: float = Field(default=60.0, gt=0)
    # Jobs a worker runs side by side (on PostgreSQL; SQLite's single writer runs one at a
    # time). Sends wait on the network, so a few in flight keep replies moving.
    outbox_concurrency: int = Field(default=4, ge=1, le=64)
    # ``agente worker``'s own port for /metrics and /health/* (0: none).
    worker_metrics_host: str = "0.0.0.0"  # noqa: S104 - scraped and probed from outside its container
    worker_metrics_port: int = Field(default=9102, ge=0, le=65535)
    log_retention_days: int = Field(default=7, ge=1)
    # Longer than Meta retries a webhook delivery (about 7 days): see worker/retention.py.
    outbox_retention_days: int = Field(default=14, ge=1)
    retention_batch_size: int = Field(default=5000, ge=1)
    retention_interval_seconds: float = Field(default=3600.0, gt=0)

    # Checks behind /health/ready and /api/test give up after this many seconds each.
    health_check_timeout: float = Field(default=2.0, gt=0)

    # Tracing (OpenTelemetry, docs/observability.md). Spans are exported over OTLP/HTTP only
    # when the collector's base URL is set (the standard variable; /v1/traces is appended).
    otel_exporter_otlp_endpoint: str | None = None
    # "name=value" pairs separated by commas, sent with each export (a hosted backend's key).
    otel_exporter_otlp_headers: SecretStr | None = None
    # Default: agente-api for `agente serve`, agente-worker for `agente worker`.
    otel_service_name: str | None = None
    # Share of new traces kept; a caller's traceparent decides for the traces it starts.
    tracing_sample_ratio: float = Field(default=1.0, ge=0, le=1)
    # Ended spans waiting for export; when full the oldest are dropped, requests never wait.
    tracing_queue_size: int = Field(default=2048, ge=1)
    # One export request to the collector gives up after this many seconds.
    tracing_export_timeout: float = Field(default=2.0, gt=0)
    # On shutdown, queued spans are flushed for at most this many seconds.
    tracing_shutdown_timeout: float = Field(default=2.0, gt=0)

    @field_validator("log_level", "event_log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("hotel_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        region = value.strip().upper()
        if not phonenumbers.country_code_for_region(region):
            raise ValueError(f"HOTEL_COUNTRY must be an ISO 3166 alpha-2 country code, like US or ES (got {value!r})")
        return region

    @field_validator("redis_key_prefix")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if any(ch.isspace() for ch in value):
            raise ValueError("REDIS_KEY_PREFIX must not contain white space")
        return value

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _collector_address(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None  # set but empty (a compose file's OTEL_EXPORTER_OTLP_ENDPOINT=): no export
        if not value.startswith(("http://", "https://")):
            raise ValueError("OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's http:// or https:// base URL")
        return value

    @model_validator(mode="after")
    def _production_is_explicit(self) -> Self:
        if self.env is not Environment.PRODUCTION:
            return self
        problems: list[str] = []
        if not self.database_url:
            problems.append("DATABASE_URL is required in production (the SQLite default is for one machine)")
        elif self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL in production")
        if not self.redis_url:
            problems.append("REDIS_URL is required in production (replicas share limits and state through it)")
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        if not token or any(t in PLACEHOLDER_SECRETS for t in _bare_tokens(token)):
            problems.append("ADMIN_TOKEN must be set to a real secret in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _budget_covers_a_request(self) -> Self:
        if self.pms_call_budget < self.pms_timeout:
            raise ValueError("PMS_CALL_BUDGET must be at least PMS_TIMEOUT")
        return self

    @model_validator(mode="after")
    def _qloapps_is_reachable(self) -> Self:
        if self.pms_type is not PmsType.QLOAPPS:
            return self
        problems: list[str] = []
        if not self.pms_base_url or not self.pms_base_url.startswith(("http://", "https://")):
            problems.append("PMS_BASE_URL must be the QloApps address (http:// or https://) when PMS_TYPE=qloapps")
        key = self.pms_api_key.get_secret_value() if self.pms_api_key else ""
        if len(key) != 32 or not key.isalnum():
            problems.append("PMS_API_KEY must be the 32-character QloApps webservice key when PMS_TYPE=qloapps")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _email_is_sendable(self) -> Self:
        problems: list[str] = []
        if self.smtp_host and not _is_address(self.smtp_from or ""):
            problems.append('SMTP_FROM must be a sender address, e.g. "Hotel <reservas@hotel.example>", with SMTP_HOST')
        if self.smtp_username and not self.smtp_password:
            problems.append("SMTP_PASSWORD is required with SMTP_USERNAME")
        if self.email_webhook_secret and not self.smtp_host:
            problems.append("EMAIL_WEBHOOK_SECRET needs SMTP_HOST: guests' emails are answered by SMTP")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL: the configured one with its async driver, or the embedded file."""
        if not self.database_url:
            return f"sqlite+aiosqlite:///{self.data_dir / 'agente.db'}"
        url = self.database_url
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url

    @property
    def embedded(self) -> bool:
        return self.database_url is None and self.redis_url is None

    @property
    def runs_worker_in_process(self) -> bool:
        return self.embedded if self.worker_in_process is None else self.worker_in_process

    def admin_tokens(self) -> dict[str, str]:
        """Token name → token. A bare token is named ``admin``."""
        if self.admin_token is None:
            return {}
        tokens: dict[str, str] = {}
        for item in self.admin_token.get_secret_value().split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, token = item.partition(":")
            if sep:
                tokens[name.strip()] = token.strip()
            else:
                tokens["admin"] = item
        return tokens


def _is_address(value: str) -> bool:
    _name, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain and not any(ch.isspace() for ch in address)


def _bare_tokens(raw: str) -> list[str]:
    return [item.partition(":")[2] if ":" in item else item for item in raw.split(",")]
