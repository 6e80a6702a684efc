"""The composition root: every long-lived part of a process, built from settings.

``build_container(settings)`` is the one place where the service is wired. The entry
points enter it — the API's lifespan (:mod:`agente.main`) and the ``agente`` commands
(:mod:`agente.cli`, the worker among them) — and tests enter it with their own settings::

    async with build_container(settings) as container:
        ...

Nothing else imports this module: the API gets its parts as :class:`~agente.api.deps.ApiParts`
and the worker as :class:`~agente.worker.main.WorkerParts`, each built here from the
container (``make lint`` checks the layering).

It owns the database engine, Redis, the metrics registry, the writer of the ``logs``
table, feature flags, the rate limiter, the blocklist, the hotel facts and the PMS stack
(and, as they arrive, the channels) and closes them in reverse order on exit.
Nothing here runs at import time.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agente.channels.email.confirmation import BookingConfirmations
from agente.channels.email.relay import EmailRelay
from agente.channels.email.sender import SmtpSender
from agente.channels.whatsapp.client import WhatsAppClient
from agente.channels.whatsapp.relay import WhatsAppRelay
from agente.config import Settings
from agente.conversation.dialogue.turn import Deps
from agente.conversation.facts import HotelFacts
from agente.conversation.nlu.model import shared_classifier
from agente.conversation.nlu.parser import Catalog, NluParser
from agente.conversation.service import ConversationService
from agente.observability.metrics import Metrics
from agente.ops.blocklist import Blocklist
from agente.ops.flags import FeatureFlags
from agente.ops.rate_limit import RateLimiter
from agente.pms.adapters.simulator_faults import FaultSwitch
from agente.pms.errors import PmsError
from agente.pms.factory import build_breaker, build_pms
from agente.pms.port import PmsClient
from agente.pms.resilience.controls import BreakerControls
from agente.pms.resilience.resilient import ResilientPms
from agente.readiness import HealthChecks, SelfTest
from agente.reservations.service import Reservations
from agente.storage import db, migrate
from agente.storage.event_log import EventLogWriter
from agente.storage.redis import RedisStore
from agente.storage.schema import SchemaProbe
from agente.storage.tracing import trace_engine
from agente.storage.unit_of_work import SqlStorage, Storage
from agente.worker.main import WorkerParts


@dataclass(frozen=True, slots=True)
class Container:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # The repositories' unit of work over ``session_factory``.
    storage: Storage
    redis: RedisStore
    metrics: Metrics
    # The database's schema, against the newest migration this code knows.
    schema: SchemaProbe
    event_log: EventLogWriter
    flags: FeatureFlags
    limiter: RateLimiter
    blocklist: Blocklist
    # The one place that holds the concrete PMS client; its consumers see the PmsClient port.
    pms: ResilientPms
    breaker: BreakerControls
    # The simulator's fault switch (its setting lives in Redis, so it exists in every mode).
    pms_faults: FaultSwitch
    reservations: Reservations
    nlu: NluParser
    conversations: ConversationService
    whatsapp: WhatsAppRelay
    facts: HotelFacts
    email: EmailRelay
    health: HealthChecks
    self_test: SelfTest


def worker_parts(container: Container) -> WorkerParts:
    """What the worker's jobs run on (``agente worker``, and the embedded API's own loop)."""
    settings = container.settings
    return WorkerParts(
        settings=settings,
        storage=container.storage,
        metrics=container.metrics,
        reservations=container.reservations,
        whatsapp=container.whatsapp,
        email=container.email,
        nlu=container.nlu,
        health=container.health,
        outbox_concurrency=settings.outbox_concurrency if container.schema.backend == "postgresql" else 1,
    )


@asynccontextmanager
async def build_container(settings: Settings, *, metrics: Metrics | None = None) -> AsyncIterator[Container]:
    """Build the parts, yield them, and close them on exit (also when start-up fails half-way)."""
    async with AsyncExitStack() as stack:
        engine = db.create_engine(settings)
        stack.push_async_callback(engine.dispose)
        trace_engine(engine)
        redis = RedisStore.from_settings(settings)
        stack.push_async_callback(redis.close)
        session_factory = db.create_session_factory(engine)
        storage = SqlStorage(session_factory)
        metrics = metrics or Metrics(multiproc_dir=settings.prometheus_multiproc_dir)
        event_log = EventLogWriter(session_factory, metrics, level=settings.event_log_level)
        event_log.start()
        stack.push_async_callback(event_log.stop)
        flags = FeatureFlags(redis)
        faults = FaultSwitch(redis)
        breaker = build_breaker(settings, redis=redis, metrics=metrics)
        pms = build_pms(
            settings,
            breaker=breaker,
            redis=redis,
            storage=storage,
            flags=flags,
            metrics=metrics,
            faults=faults,
        )
        stack.push_async_callback(pms.aclose)
        smtp = _smtp_sender(settings)
        confirmations = None
        if smtp is not None and settings.email_booking_confirmations:
            confirmations = BookingConfirmations(pms, settings.smtp_from or "")
        reservations = Reservations(storage, pms, flags, metrics, confirmations)
        facts = HotelFacts(storage)
        nlu = NluParser(
            partial(shared_classifier, settings.nlu_model_dir or settings.data_dir / "nlu"),
            _catalog(pms),
            region=settings.hotel_country,
        )
        conversations = ConversationService(
            Deps(
                pms=pms,
                reservations=reservations,
                facts=facts,
                metrics=metrics,
                max_nights=settings.max_stay_nights,
            ),
            nlu,
            store=storage.conversations,
            timezone=settings.hotel_timezone,
            threshold=settings.nlu_confidence_threshold,
        )
        client = None
        if settings.whatsapp_access_token and settings.whatsapp_phone_number_id:
            client = WhatsAppClient(
                settings.whatsapp_api_base,
                settings.whatsapp_phone_number_id,
                settings.whatsapp_access_token.get_secret_value(),
            )
            stack.push_async_callback(client.aclose)
        templates = {
            lang: name
            for lang, name in (("es", settings.whatsapp_template_es), ("en", settings.whatsapp_template_en))
            if name
        }
        whatsapp = WhatsAppRelay(storage, conversations, client, metrics, templates)
        email = EmailRelay(
            storage,
            conversations,
            smtp,
            metrics,
            from_address=settings.smtp_from or "",
            max_chars=settings.message_max_chars,
        )
        schema = SchemaProbe(engine, migrate.head_revision(settings))
        controls = BreakerControls(breaker)
        health = HealthChecks(
            schema=schema,
            redis=redis,
            pms=pms,
            breaker=controls,
            metrics=metrics,
            timeout=settings.health_check_timeout,
        )
        yield Container(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            storage=storage,
            redis=redis,
            metrics=metrics,
            schema=schema,
            event_log=event_log,
            flags=flags,
            limiter=RateLimiter(
                redis,
                default_max_requests=settings.rate_limit_max_requests,
                default_window_seconds=settings.rate_limit_window_seconds,
                default_penalty_seconds=settings.rate_limit_penalty_seconds,
            ),
            blocklist=Blocklist(storage),
            pms=pms,
            breaker=controls,
            pms_faults=faults,
            reservations=reservations,
            facts=facts,
            nlu=nlu,
            conversations=conversations,
            whatsapp=whatsapp,
            email=email,
            health=health,
            self_test=SelfTest(health, nlu, conversations.today),
        )


def _smtp_sender(settings: Settings) -> SmtpSender | None:
    """The SMTP sender, or ``None`` without ``SMTP_HOST`` (then no email is queued or sent)."""
    if not settings.smtp_host:
        return None
    return SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout,
    )


def _catalog(pms: PmsClient, *, keep_seconds: float = 60.0) -> Catalog:
    """Room types as (id, name) for the NLU's fuzzy matching; empty while the PMS is unknown.

    Kept in memory for a minute: every message needs it, and room types change rarely."""
    known: list[tuple[int, str]] = []
    read_at = float("-inf")

    async def catalog() -> list[tuple[int, str]]:
        nonlocal known, read_at
        if time.monotonic() - read_at < keep_seconds:
            return known
        try:
            known = [(rt.id, rt.name) for rt in await pms.room_types()]
        except PmsError:
            return known
        read_at = time.monotonic()
        return known

    return catalog
