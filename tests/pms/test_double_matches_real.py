"""The QloApps double answers as a real QloApps 1.6.1 does, where the adapter relies on it.

The same requests (the bodies ``qloapps_parse`` writes) go to the double and to the session's
real QloApps (marker ``qloapps``); the fields the adapter reads from the answers must hold the
same values: the prices ``hotel_ari`` quotes, the automatic services, the hotel's child age
limit, and the booking QloApps makes (its totals, what has been paid, the party it holds).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from agente.pms.adapters import qloapps_parse as parse
from agente.pms.types import GuestDetails, StayQuery
from tests.pms.qloapps_double import KEY, QloAppsDouble
from tests.qloapps.server import QloApps

pytestmark = pytest.mark.qloapps

# Its own stay and guest: other tests book on the same real QloApps.
CHECK_IN = date.today() + timedelta(days=120)
STAY = StayQuery(CHECK_IN, CHECK_IN + timedelta(days=2), adults=2, children=1)
GUEST = GuestDetails("Mary", "Somerville", "mary.somerville@example.com", "0123456789")


@dataclass
class Both:
    """One client to the double and one to the real QloApps."""

    double: httpx.AsyncClient
    real: httpx.AsyncClient

    async def ask(self, method: str, resource: str, **kwargs: Any) -> tuple[Any, Any]:
        """The JSON answers of the double and of the real QloApps to the same request."""
        params = {"output_format": "JSON", **kwargs.pop("params", {})}
        answers = []
        for client in (self.double, self.real):
            response = await client.request(method, f"/api/{resource}", params=params, **kwargs)
            assert response.status_code < 300, (client.base_url, response.status_code, response.text[:500])
            answers.append(response.json())
        return answers[0], answers[1]


@pytest.fixture
async def both(qloapps: QloApps) -> AsyncIterator[Both]:
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=QloAppsDouble()), base_url="http://hotel.test", auth=(KEY, "")
        ) as double,
        httpx.AsyncClient(base_url=qloapps.base_url, auth=(qloapps.api_key, ""), timeout=60) as real,
    ):
        yield Both(double, real)


def _quoted(payload: Any) -> dict[int, tuple[float, ...]]:
    return {
        int(room_type["id_room_type"]): (
            float(room_type["base_price_with_tax"]),
            float(room_type["total_price"]),
            float(room_type["total_price_with_tax"]),
        )
        for room_type in parse.members(payload["hotel_ari"]["room_types"])
    }


async def test_hotel_ari_quotes_the_same_prices(both: Both) -> None:
    for stay in (STAY, StayQuery(CHECK_IN, CHECK_IN + timedelta(days=3), adults=2, rooms=2)):
        double, real = await both.ask("POST", "hotel_ari", content=parse.ari_body(1, stay))
        assert _quoted(double) == _quoted(real)
        assert parse.offers(double, stay, ()) == parse.offers(real, stay, ())


async def test_the_automatic_services_are_the_same(both: Both) -> None:
    double, real = await both.ask("GET", "services", params={"display": "full"})
    assert parse.auto_services(double) == parse.auto_services(real)


async def test_the_child_age_limit_is_the_same(both: Both) -> None:
    params = {"filter[name]": parse.CHILD_AGE_SETTING, "display": "[name,value]"}
    double, real = await both.ask("GET", "configurations", params=params)
    assert parse.child_age_limit(double) == parse.child_age_limit(real) == 15


async def test_a_booking_is_made_and_shown_the_same(both: Both) -> None:
    services, _ = await both.ask("GET", "services", params={"display": "full"})
    body = parse.booking_body(
        hotel_id=1,
        currency="USD",
        guest=GUEST,
        remark="[agente:double-vs-real]",
        room_type_id=1,
        stay=STAY,
        services=parse.auto_services(services),
    )
    double, real = await both.ask("POST", "bookings", json=body)
    views = [double["booking"]["associations"], real["booking"]["associations"]]
    # The order's total, tax included, and what has been paid: nothing, the guest pays at the hotel.
    assert (
        views[0]["price_details"]
        == views[1]["price_details"]
        == {
            "total_paid": 0,
            "total_price_without_tax": 2750,  # 2 nights at 1000 + 250 maintenance, and 250 handling
            "total_tax": 110,
        }
    )
    rooms = [[(room["adults"], room["child"]) for room in view["room_types"][0]["rooms"]] for view in views]
    assert rooms[0] == rooms[1] == [(2, 1)]
    records = [parse.booking_record(double), parse.booking_record(real)]
    assert records[0].total_price == records[1].total_price
    assert records[0].stay == records[1].stay == STAY
    # The offer told before booking is what the booking costs, on both.
    ari, _ = await both.ask("POST", "hotel_ari", content=parse.ari_body(1, STAY))
    _, offers = parse.offers(ari, STAY, parse.auto_services(services))
    assert next(o for o in offers if o.room_type_id == 1).charged_total == records[1].total_price
    orders = [
        (await client.get(f"/api/orders/{view['id']}", params={"output_format": "JSON"})).json()["order"]
        for client, view in ((both.double, double["booking"]), (both.real, real["booking"]))
    ]
    for field in ("total_paid_tax_incl", "total_paid_tax_excl", "total_paid_real", "current_state", "source"):
        assert str(orders[0][field]) == str(orders[1][field]), field
