from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


async def _samples(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _get(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_are_counted_by_route_template_and_status(client: httpx.AsyncClient) -> None:
    before = await _samples(client)
    for _ in range(3):
        await client.get("/health/live")
    await client.post("/api/test", json={})
    for path in ("/a/1", "/b/2", "/c/3"):
        await client.get(path)
    after = await _samples(client)

    def delta(**labels: str) -> float:
        return _get(after, "http_requests_total", **labels) - _get(before, "http_requests_total", **labels)

    assert delta(method="GET", route="/health/live", status="200") == 3
    assert delta(method="POST", route="/api/test", status="422") == 1
    # Unknown paths share one label value: cardinality stays bounded whatever is requested.
    assert delta(method="GET", route="unmatched", status="404") == 3
    assert not any(dict(labels).get("route") in {"/a/1", "/b/2"} for _, labels in after)


async def test_latency_histogram_has_the_runbook_bucket(client: httpx.AsyncClient) -> None:
    await client.get("/health/live")
    samples = await _samples(client)
    assert _get(samples, "http_requests_duration_seconds_bucket", method="GET", route="/health/live", le="0.3") >= 1
    assert _get(samples, "http_requests_duration_seconds_count", method="GET", route="/health/live") >= 1
    assert _get(samples, "process_resident_memory_bytes") > 0


async def test_readiness_sets_dependency_gauges(client: httpx.AsyncClient) -> None:
    await client.get("/health/ready")
    samples = await _samples(client)
    assert _get(samples, "dependency_up", dependency="postgres") == 1
    assert _get(samples, "dependency_up", dependency="redis") == 1
