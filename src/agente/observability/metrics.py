"""Every Prometheus metric of the service, defined once.

A :class:`Metrics` owns its own registry, built by the container, so each app (and each
test) counts from zero. Names the runbook queries are kept exactly:
``http_requests_total{method,route,status}``, ``http_requests_duration_seconds`` (with a
0.3 s bucket: the runbook's P95 alert line) and the default ``process_*`` metrics.

Several processes behind one port: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
shared by them; each process then writes its samples there and ``/metrics`` merges them
(see ``docs/observability.md``). One process per container — the deployed default — needs
nothing.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as prom_multiprocess
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's collectors, registered on one registry."""

    def __init__(self, registry: CollectorRegistry | None = None, multiproc_dir: Path | None = None) -> None:
        # The *_created series double what Prometheus stores for no query of ours.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.multiproc_dir = multiproc_dir
        if multiproc_dir is None:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
        r = self.registry

        self.http_requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "http_requests_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.http_in_flight = Gauge(
            "http_requests_in_flight",
            "HTTP requests being answered now.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.dependency_up = Gauge(
            "dependency_up",
            "1 when the last readiness check of a dependency succeeded.",
            ["dependency"],
            registry=r,
            multiprocess_mode="liveall",
        )
        self.dependency_latency = Histogram(
            "dependency_check_duration_seconds",
            "Time a dependency's health check took.",
            ["dependency"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.unhandled_errors = Counter(
            "unhandled_errors",
            "Requests that failed with an unexpected exception (answered 500).",
            ["route"],
            registry=r,
        )

        self.worker_jobs = Counter(
            "worker_jobs",
            "Background job runs, by job and outcome (ok, error).",
            ["job", "outcome"],
            registry=r,
        )

        self.event_log_dropped = Counter(
            "event_log_dropped",
            "Log records not copied to the logs table (buffer full or database down).",
            registry=r,
        )

        self.rate_limit_rejections = Counter(
            "rate_limit_rejections",
            "Requests refused by the rate limiter, by mode and where the count was kept.",
            ["mode", "backend"],
            registry=r,
        )

        self.pms_breaker_state = Gauge(
            "pms_circuit_breaker_state",
            "PMS circuit breaker: 0 closed, 1 open, 2 half-open.",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.pms_breaker_calls = Counter(
            "pms_circuit_breaker_calls",
            "Calls through the PMS breaker: success, failure, or rejected while open.",
            ["result"],
            registry=r,
        )
        self.pms_requests = Counter(
            "pms_requests",
            "PMS operations by outcome (ok, rejected, unavailable, timeout, open, error).",
            ["operation", "outcome"],
            registry=r,
        )
        self.pms_latency = Histogram(
            "pms_request_duration_seconds",
            "Time a PMS operation took (including refusals).",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.cache_requests = Counter(
            "cache_requests",
            "Cache lookups by cache and result (hit, miss).",
            ["cache", "result"],
            registry=r,
        )
        self.pms_fallbacks = Counter(
            "pms_fallback_answers",
            "Availability answered without the PMS, by source (last_known, rack_rates).",
            ["source"],
            registry=r,
        )

        self.outbox_jobs = Counter(
            "outbox_jobs",
            "Outbox job runs by kind and outcome (done, retry, deferred, dead; lease_lost: the job was "
            "claimed again after this run's lease ran out, and this run's outcome was not recorded).",
            ["kind", "outcome"],
            registry=r,
        )
        self.outbox_dead_letters = Counter(
            "outbox_dead_letters",
            "Outbox jobs dead-lettered, by kind and reason (permanent, unreadable_payload, unstorable, "
            "no_handler, attempts_exhausted).",
            ["kind", "reason"],
            registry=r,
        )
        self.outbox_job_duration = Histogram(
            "outbox_job_duration_seconds",
            "Time an outbox job run took.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "outbox_jobs_by_status",
            "Outbox jobs per status, as last counted by a worker.",
            ["status"],
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.bookings = Counter(
            "bookings",
            "Bookings by outcome (confirmed, pending, failed, cancelled).",
            ["status"],
            registry=r,
        )

        self.messages = Counter(
            "conversation_messages",
            "Guest messages by channel, direction (in, out), language and intent.",
            ["channel", "direction", "language", "intent"],
            registry=r,
        )
        self.quotes = Counter(
            "conversation_quotes",
            "Quotes shown to guests: live from the PMS, or stale (fallback).",
            ["kind"],
            registry=r,
        )
        self.handoffs = Counter(
            "conversation_handoffs",
            "Conversations handed to staff, by reason.",
            ["reason"],
            registry=r,
        )
        self.nlu_latency = Histogram(
            "nlu_parse_duration_seconds",
            "Time to understand one message (language, intent, entities).",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

        self.webhook_deliveries = Counter(
            "webhook_deliveries",
            "Signed webhook deliveries accepted, by channel.",
            ["channel"],
            registry=r,
        )
        self.webhook_rejections = Counter(
            "webhook_rejections",
            "Webhook deliveries refused, by channel and reason.",
            ["channel", "reason"],
            registry=r,
        )
        self.channel_sends = Counter(
            "channel_sends",
            "Replies sent on a channel, by outcome (sent, retry, failed, token_expired, window_closed).",
            ["channel", "outcome"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """The Prometheus text format for a scrape of this process (or of all, in multiprocess mode)."""
        if self.multiproc_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(merged, path=str(self.multiproc_dir))  # type: ignore[no-untyped-call]
        # Resident memory is per process; report this one's next to the merged samples.
        ProcessCollector(registry=merged)
        return generate_latest(merged)
