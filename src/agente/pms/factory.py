"""Builds the PMS stack for a process from settings: the adapter ``PMS_TYPE`` names, wrapped.

The adapter is chosen by configuration alone: a QloApps that cannot be reached is
reported as unavailable, never replaced by the simulator.
"""

from __future__ import annotations

from agente.config import PmsType, Settings
from agente.observability.metrics import Metrics
from agente.pms.adapters.simulator import SimulatorPms
from agente.pms.adapters.simulator_faults import FaultSwitch
from agente.pms.port import PmsClient
from agente.pms.resilience.breaker import BreakerConfig, CircuitBreaker
from agente.pms.resilience.cache import PmsCache
from agente.pms.resilience.resilient import FlagReader, ResilientPms
from agente.storage.redis import RedisStore
from agente.storage.unit_of_work import Storage


def build_breaker(settings: Settings, *, redis: RedisStore, metrics: Metrics) -> CircuitBreaker:
    """The breaker with the thresholds of settings (``PMS_CB_*``) as its defaults."""
    return CircuitBreaker(
        redis,
        metrics,
        BreakerConfig(
            failure_threshold=settings.pms_cb_failure_threshold,
            recovery_timeout=settings.pms_cb_recovery_timeout,
            half_open_max_calls=settings.pms_cb_half_open_max_calls,
        ),
    )


def build_pms(
    settings: Settings,
    *,
    breaker: CircuitBreaker,
    redis: RedisStore,
    storage: Storage,
    flags: FlagReader,
    metrics: Metrics,
    faults: FaultSwitch,
) -> ResilientPms:
    inner: PmsClient
    if settings.pms_type is PmsType.QLOAPPS:
        from agente.pms.adapters.qloapps import QloAppsPms

        inner = QloAppsPms.from_settings(settings)
        hotel_id = settings.pms_hotel_id
    else:
        simulator = SimulatorPms(storage, faults, request_timeout=settings.pms_timeout)
        inner, hotel_id = simulator, simulator.demo.hotel.id
    cache = PmsCache(
        redis,
        metrics,
        hotel_id=hotel_id,
        ttl=settings.pms_cache_ttl,
        catalog_ttl=settings.pms_catalog_ttl,
        last_known_ttl=settings.pms_last_known_ttl,
    )
    return ResilientPms(
        inner,
        breaker=breaker,
        cache=cache,
        flags=flags,
        metrics=metrics,
        timeout=settings.pms_call_budget,
        kind=settings.pms_type.value,
    )
