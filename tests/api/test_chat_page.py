from __future__ import annotations

from pathlib import Path

from tests.conftest import embedded_settings, running


async def test_chat_page_is_served_accessible_and_text_only(tmp_path: Path) -> None:
    async with running(embedded_settings(tmp_path)) as svc:
        response = await svc.client.get("/chat")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<meta name="viewport"' in page  # phone-sized screens
    assert 'aria-live="polite"' in page and '<label class="sr" for="text">' in page
    assert "api/messages" in page and "localStorage" in page
    # Guest and agent text is inserted as text, so "<script>" in a message is shown, not run.
    assert "textContent" in page and "innerHTML" not in page


async def test_cors_only_for_configured_origins(tmp_path: Path) -> None:
    preflight = {
        "Origin": "https://www.hotel.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with running(embedded_settings(tmp_path / "a", cors_origins="https://www.hotel.example")) as svc:
        allowed = await svc.client.options("/api/messages", headers=preflight)
        other = await svc.client.options("/api/messages", headers={**preflight, "Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://www.hotel.example"
    assert "access-control-allow-origin" not in other.headers
    async with running(embedded_settings(tmp_path / "b")) as svc:
        closed = await svc.client.options("/api/messages", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers


async def test_script_looking_text_is_stored_and_echoed_as_data(tmp_path: Path) -> None:
    async with running(embedded_settings(tmp_path)) as svc:
        response = await svc.client.post(
            "/api/messages", json={"guest_id": "web-x", "text": "<script>alert(1)</script> '; DROP TABLE guests;--"}
        )
        again = await svc.client.post("/api/messages", json={"guest_id": "web-x", "text": "hola"})
    assert response.status_code == 200 and again.status_code == 200
    assert response.headers["content-type"] == "application/json"
