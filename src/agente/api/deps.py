"""What a route may use, one narrow dependency per part: ``FlagsDep``, ``LimiterDep``, ...

The composition root (:func:`agente.main.create_app`'s lifespan) builds :class:`ApiParts`
from the container and hands it to requests through lifespan state; a route names only the
parts it uses, never the whole. Every dependency is ``async def``: FastAPI runs a plain
``def`` dependency in its threadpool, a hop per request for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from agente.api.state import STATE_KEY
from agente.channels.email.relay import EmailRelay
from agente.config import Settings
from agente.conversation.facts import HotelFacts
from agente.conversation.nlu.parser import NluParser
from agente.conversation.service import ConversationService
from agente.lifecycle import Lifecycle
from agente.observability.metrics import Metrics
from agente.ops.blocklist import Blocklist
from agente.ops.flags import FeatureFlags
from agente.ops.rate_limit import RateLimiter
from agente.pms.adapters.simulator_faults import FaultSwitch
from agente.pms.resilience.controls import BreakerControls
from agente.readiness import HealthChecks, SelfTest
from agente.storage.unit_of_work import Storage


@dataclass(frozen=True, slots=True)
class ApiParts:
    """The parts the HTTP API is built from (in lifespan state under :data:`~agente.api.state.STATE_KEY`)."""

    settings: Settings
    metrics: Metrics
    storage: Storage
    conversations: ConversationService
    nlu: NluParser
    facts: HotelFacts
    flags: FeatureFlags
    limiter: RateLimiter
    blocklist: Blocklist
    breaker: BreakerControls
    # The PMS simulator's fault switch; ``None`` when the PMS is not the simulator.
    simulator: FaultSwitch | None
    email: EmailRelay
    health: HealthChecks
    self_test: SelfTest
    lifecycle: Lifecycle


def _parts(request: Request) -> ApiParts:
    parts: ApiParts = getattr(request.state, STATE_KEY)
    return parts


async def get_settings(request: Request) -> Settings:
    return _parts(request).settings


async def get_metrics(request: Request) -> Metrics:
    return _parts(request).metrics


async def get_storage(request: Request) -> Storage:
    return _parts(request).storage


async def get_conversations(request: Request) -> ConversationService:
    return _parts(request).conversations


async def get_nlu(request: Request) -> NluParser:
    return _parts(request).nlu


async def get_facts(request: Request) -> HotelFacts:
    return _parts(request).facts


async def get_flags(request: Request) -> FeatureFlags:
    return _parts(request).flags


async def get_limiter(request: Request) -> RateLimiter:
    return _parts(request).limiter


async def get_blocklist(request: Request) -> Blocklist:
    return _parts(request).blocklist


async def get_breaker(request: Request) -> BreakerControls:
    return _parts(request).breaker


async def get_simulator(request: Request) -> FaultSwitch | None:
    return _parts(request).simulator


async def get_email(request: Request) -> EmailRelay:
    return _parts(request).email


async def get_health(request: Request) -> HealthChecks:
    return _parts(request).health


async def get_self_test(request: Request) -> SelfTest:
    return _parts(request).self_test


async def get_lifecycle(request: Request) -> Lifecycle:
    return _parts(request).lifecycle


SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
StorageDep = Annotated[Storage, Depends(get_storage)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversations)]
NluDep = Annotated[NluParser, Depends(get_nlu)]
FactsDep = Annotated[HotelFacts, Depends(get_facts)]
FlagsDep = Annotated[FeatureFlags, Depends(get_flags)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
BlocklistDep = Annotated[Blocklist, Depends(get_blocklist)]
BreakerDep = Annotated[BreakerControls, Depends(get_breaker)]
SimulatorDep = Annotated[FaultSwitch | None, Depends(get_simulator)]
EmailDep = Annotated[EmailRelay, Depends(get_email)]
HealthDep = Annotated[HealthChecks, Depends(get_health)]
SelfTestDep = Annotated[SelfTest, Depends(get_self_test)]
LifecycleDep = Annotated[Lifecycle, Depends(get_lifecycle)]
