"""The mixed workload: virtual users, the guests' booking dialogues, and what they measured.

Each virtual user sends one request at a time, with no pause, each drawn at random from
:data:`MIX`: a turn of a web guest's booking dialogue (``POST /api/messages``, every guest a
new id from an address of its own in ``X-Forwarded-For``), a signed WhatsApp delivery of a
WhatsApp guest's next message, a health probe, or an admin read. Every request becomes a
:class:`Sample`; an answer other than 2xx, or none, is an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import itertools
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from mixed_topology import Topology

# Share of requests per kind.
MIX = {"conversation": 50, "webhook": 20, "health": 15, "admin": 15}
HEALTH_PATHS = ("/health/ready", "/health/live")
ADMIN_PATHS = (
    "/admin/conversations",
    "/admin/outbox?status=dead",
    "/admin/feature-flags",
    "/admin/rate-limits",
    "/admin/circuit-breakers",
)
# The operator's address for admin reads (they are exempt from the rate limit anyway).
OPERATOR_ADDRESS = "192.0.2.10"
REQUEST_TIMEOUT = 30.0


# ------------------------------------------------------------------------------- dialogues

MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
MONTHS_EN = "January February March April May June July August September October November December".split()
NAMES = ("Ana García", "Luis Pérez", "Marta López", "John Smith", "Emma Brown", "Carlos Ruiz", "Sofía Martín")


@dataclass(frozen=True, slots=True)
class Turn:
    """One guest message and the dialogue state the reply should leave."""

    text: str
    state: str


def _stay_es(check_in: date, check_out: date) -> str:
    if check_in.month == check_out.month:
        return f"del {check_in.day} al {check_out.day} de {MONTHS_ES[check_in.month - 1]}"
    return (
        f"del {check_in.day} de {MONTHS_ES[check_in.month - 1]} al {check_out.day} de {MONTHS_ES[check_out.month - 1]}"
    )


def _stay_en(check_in: date, check_out: date) -> str:
    return f"from {MONTHS_EN[check_in.month - 1]} {check_in.day} to {MONTHS_EN[check_out.month - 1]} {check_out.day}"


def booking_dialogue(
    rng: random.Random, number: int, *, confirm: bool | None = None, stay: tuple[date, date] | None = None
) -> list[Turn]:
    """A guest asking for a stay, choosing a room, giving their details and a question, then
    confirming or declining (``confirm``; by default one dialogue in four confirms). Stays
    fall 1 to 46 weeks ahead (or are ``stay``), so the simulator's 20 rooms take a long soak to fill."""
    check_in = date.today() + timedelta(days=rng.randint(7, 320))
    check_out = check_in + timedelta(days=rng.randint(1, 4))
    if stay is not None:
        check_in, check_out = stay
    name = rng.choice(NAMES)
    email = f"guest{number}@example.com"
    phone = f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    if confirm is None:
        confirm = rng.random() < 0.25
    if rng.random() < 0.7:
        greeting, ask = "hola", f"quiero reservar {_stay_es(check_in, check_out)} para 2 adultos"
        choose, question = "la primera", rng.choice(("¿tenéis parking?", "¿a qué hora es el check-in?"))
        answer = "sí, confirma" if confirm else "no, gracias"
    else:
        greeting, ask = "hello", f"I'd like to book {_stay_en(check_in, check_out)} for 2 adults"
        choose, question = "the first one", rng.choice(("do you have parking?", "what time is check-in?"))
        answer = "yes, confirm" if confirm else "no thanks"
    return [
        Turn(greeting, "idle"),
        Turn(ask, "choose_room"),
        Turn(choose, "ask_guest"),
        Turn(name, "ask_guest"),
        Turn(email, "ask_guest"),
        Turn(phone, "confirm_booking"),
        Turn(question, "confirm_booking"),
        Turn(answer, "idle"),
    ]


def whatsapp_delivery(phone_number_id: str, wa_id: str, wamid: str, text: str) -> bytes:
    """A WhatsApp Cloud API webhook body carrying one text message to ``phone_number_id``."""
    message = {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Guest"}, "wa_id": wa_id}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


# ------------------------------------------------------------------------------- workload


@dataclass(frozen=True, slots=True)
class Sample:
    endpoint: str
    started: float  # time.monotonic()
    latency_ms: float
    status: int | None  # None: no answer (connection error, timeout)

    @property
    def failed(self) -> bool:
        """No answer, or one other than 2xx."""
        return self.status is None or not 200 <= self.status < 300


@dataclass
class Guest:
    """A dialogue in progress: who is writing and how far they are."""

    ident: str
    address: str
    turns: list[Turn]
    position: int = 0


class Workload:
    """What all virtual users of a run share: targets, counters and the recorded samples."""

    def __init__(self, topology: Topology, seed: int) -> None:
        self.topology = topology
        self.rng = random.Random(seed)
        self._apis = itertools.cycle(topology.api_urls)
        self._numbers = itertools.count(1)
        self._run_tag = uuid.uuid4().hex[:8]
        self.samples: list[Sample] = []
        self.first_post: dict[str, float] = {}  # WhatsApp guest → time.time() of their first delivery
        self.failures: Counter[tuple[str, str]] = Counter()
        self.off_script = 0
        self.dialogues_done = 0

    def _new_guest(self, channel: str) -> Guest:
        number = next(self._numbers)
        address = str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.0.0.0")) + number))
        ident = f"mixed-{self._run_tag}-{number}" if channel == "web" else f"3469{number:08d}"
        return Guest(ident, address, booking_dialogue(self.rng, number))

    async def _request(
        self, client: httpx.AsyncClient, endpoint: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        started, clock = time.monotonic(), time.perf_counter()
        try:
            response = await client.request(method, next(self._apis) + path, **kwargs)
        except httpx.HTTPError as exc:
            self.samples.append(Sample(endpoint, started, (time.perf_counter() - clock) * 1000, None))
            self.failures[(endpoint, type(exc).__name__)] += 1
            return None
        self.samples.append(Sample(endpoint, started, (time.perf_counter() - clock) * 1000, response.status_code))
        if not response.is_success:
            self.failures[(endpoint, str(response.status_code))] += 1
            return None
        return response

    async def conversation_turn(self, client: httpx.AsyncClient, guest: Guest) -> None:
        turn = guest.turns[guest.position]
        body = {"guest_id": guest.ident, "text": turn.text}
        headers = {"X-Forwarded-For": guest.address}
        response = await self._request(
            client, "POST /api/messages", "POST", "/api/messages", json=body, headers=headers
        )
        if response is not None and response.json().get("state") != turn.state:
            self.off_script += 1

    async def webhook_turn(self, client: httpx.AsyncClient, guest: Guest) -> None:
        turn = guest.turns[guest.position]
        wamid = f"wamid.mixed.{self._run_tag}.{next(self._numbers)}"
        raw = whatsapp_delivery(self.topology.phone_number_id, guest.ident, wamid, turn.text)
        signature = "sha256=" + hmac.new(self.topology.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        if guest.position == 0:
            self.first_post[guest.ident] = time.time()
        await self._request(
            client, "POST /webhooks/whatsapp", "POST", "/webhooks/whatsapp", content=raw, headers=headers
        )

    async def user(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        """One virtual user: a request at a time, of a kind drawn by :data:`MIX`, until ``stop``."""
        guests = {"conversation": self._new_guest("web"), "webhook": self._new_guest("whatsapp")}
        kinds, weights = list(MIX), list(MIX.values())
        admin = {"Authorization": f"Bearer {self.topology.admin_token}", "X-Forwarded-For": OPERATOR_ADDRESS}
        while not stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "health":
                path = self.rng.choice(HEALTH_PATHS)
                await self._request(client, f"GET {path}", "GET", path)
            elif kind == "admin":
                path = self.rng.choice(ADMIN_PATHS)
                await self._request(client, f"GET {path}", "GET", path, headers=admin)
            else:
                guest = guests[kind]
                await (self.conversation_turn if kind == "conversation" else self.webhook_turn)(client, guest)
                guest.position += 1
                if guest.position == len(guest.turns):
                    self.dialogues_done += 1
                    guests[kind] = self._new_guest("web" if kind == "conversation" else "whatsapp")


@contextlib.asynccontextmanager
async def users(workload: Workload, concurrency: int) -> AsyncIterator[None]:
    """``concurrency`` virtual users running while the block runs; when it ends they finish
    their request in flight, unless it ends with an exception (Ctrl-C): then they are cancelled."""
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT, trust_env=False) as client:
        tasks = [asyncio.create_task(workload.user(client, stop)) for _ in range(concurrency)]
        try:
            yield
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        stop.set()
        await asyncio.gather(*tasks)


# ------------------------------------------------------------------------------- statistics


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class EndpointStats:
    endpoint: str
    requests: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def endpoint_stats(samples: Sequence[Sample], seconds: float) -> list[EndpointStats]:
    by_endpoint: dict[str, list[Sample]] = {}
    for sample in samples:
        by_endpoint.setdefault(sample.endpoint, []).append(sample)
    stats = []
    for endpoint, group in sorted(by_endpoint.items()):
        ordered = sorted(s.latency_ms for s in group)
        errors = sum(1 for s in group if s.failed)
        stats.append(
            EndpointStats(
                endpoint,
                len(group),
                round(len(group) / seconds, 1),
                round(percentile(ordered, 0.50), 1),
                round(percentile(ordered, 0.95), 1),
                round(percentile(ordered, 0.99), 1),
                errors,
            )
        )
    return stats
