"""Caches in front of the PMS, in Redis (the in-process store when embedded).

* ``availability`` — answers keyed by hotel, room type, dates and party, for
  ``PMS_CACHE_TTL`` seconds (short: prices and rooms move). Every key embeds a generation
  number; a booking write bumps it, so everything cached before the write is ignored at
  once in every process (and expires on its own).
* ``catalog`` — hotel information and room types, for ``PMS_CATALOG_TTL`` seconds.
* ``last known`` — the latest live answer for each key, kept ``PMS_LAST_KNOWN_TTL``
  (days) and never served as live: it is the fallback while the PMS is unreachable.

Every entry has a TTL; only the generation counter (a control key) has none, so Redis'
``volatile-lru`` policy can evict cache but never a control. Lookups are counted in
``cache_requests_total{cache,result}``. A Redis failure is a miss, never an error.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import TypeAdapter

from agente.errors import RedisUnavailableError
from agente.observability.metrics import Metrics
from agente.pms.types import Availability, HotelInfo, RoomType, StayQuery
from agente.storage.redis import RedisClient, RedisStore

T = TypeVar("T")

GENERATION_KEY = "pms:cache:generation"
_AVAILABILITY = TypeAdapter(Availability)
_HOTEL = TypeAdapter(HotelInfo)
_ROOM_TYPES = TypeAdapter(tuple[RoomType, ...])


def _stay_key(hotel_id: int, q: StayQuery) -> str:
    room_type = q.room_type_id if q.room_type_id is not None else "any"
    return (
        f"{hotel_id}:{room_type}:{q.check_in.isoformat()}:{q.check_out.isoformat()}:{q.adults}:{q.children}:{q.rooms}"
    )


class PmsCache:
    def __init__(
        self, redis: RedisStore, metrics: Metrics, *, hotel_id: int, ttl: int, catalog_ttl: int, last_known_ttl: int
    ) -> None:
        self.redis = redis
        self.metrics = metrics
        self.hotel_id = hotel_id
        self.ttl = ttl
        self.catalog_ttl = catalog_ttl
        self.last_known_ttl = last_known_ttl

    async def _get(self, key: str, adapter: TypeAdapter[T], cache: str | None) -> T | None:
        try:
            (raw,) = await self.redis.mget([self.redis.key(key)])
        except RedisUnavailableError:
            raw = None
        if cache is not None:
            self.metrics.cache_requests.labels(cache, "hit" if raw else "miss").inc()
        return adapter.validate_json(raw) if raw else None

    async def _put(self, entries: dict[str, tuple[bytes, int]]) -> None:
        async def write(client: RedisClient) -> None:
            pipe = client.pipeline(transaction=False)
            for key, (value, ttl) in entries.items():
                pipe.set(self.redis.key(key), value, ex=ttl)
            await pipe.execute()

        try:
            await self.redis.call(write)
        except RedisUnavailableError:
            pass  # a cache that cannot be written is only a slower path

    async def _generation(self) -> str:
        try:
            (raw,) = await self.redis.mget([self.redis.key(GENERATION_KEY)])
        except RedisUnavailableError:
            return "down"  # matches nothing written while Redis answered
        return raw or "0"

    async def availability(self, query: StayQuery) -> Availability | None:
        generation = await self._generation()
        return await self._get(
            f"pms:cache:availability:g{generation}:{_stay_key(self.hotel_id, query)}", _AVAILABILITY, "availability"
        )

    async def store_availability(self, answer: Availability) -> None:
        generation = await self._generation()
        stay = _stay_key(self.hotel_id, answer.query)
        value = _AVAILABILITY.dump_json(answer)
        await self._put(
            {
                f"pms:cache:availability:g{generation}:{stay}": (value, self.ttl),
                f"pms:last_known:availability:{stay}": (value, self.last_known_ttl),
            }
        )

    async def last_known_availability(self, query: StayQuery) -> Availability | None:
        return await self._get(f"pms:last_known:availability:{_stay_key(self.hotel_id, query)}", _AVAILABILITY, None)

    async def invalidate_availability(self) -> None:
        """Forget every cached availability answer, in every process (last-known copies stay)."""
        key = self.redis.key(GENERATION_KEY)
        try:
            await self.redis.call(lambda r: r.incr(key))
        except RedisUnavailableError:
            pass  # entries expire within PMS_CACHE_TTL anyway

    async def hotel(self, *, last_known: bool = False) -> HotelInfo | None:
        prefix = "pms:last_known" if last_known else "pms:cache"
        return await self._get(f"{prefix}:catalog:{self.hotel_id}:hotel", _HOTEL, None if last_known else "catalog")

    async def room_types(self, *, last_known: bool = False) -> tuple[RoomType, ...] | None:
        prefix = "pms:last_known" if last_known else "pms:cache"
        return await self._get(
            f"{prefix}:catalog:{self.hotel_id}:room_types", _ROOM_TYPES, None if last_known else "catalog"
        )

    async def store_hotel(self, hotel: HotelInfo) -> None:
        value = _HOTEL.dump_json(hotel)
        await self._put(
            {
                f"pms:cache:catalog:{self.hotel_id}:hotel": (value, self.catalog_ttl),
                f"pms:last_known:catalog:{self.hotel_id}:hotel": (value, self.last_known_ttl),
            }
        )

    async def store_room_types(self, room_types: tuple[RoomType, ...]) -> None:
        value = _ROOM_TYPES.dump_json(room_types)
        await self._put(
            {
                f"pms:cache:catalog:{self.hotel_id}:room_types": (value, self.catalog_ttl),
                f"pms:last_known:catalog:{self.hotel_id}:room_types": (value, self.last_known_ttl),
            }
        )
