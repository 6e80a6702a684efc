"""A guest books a stay through the web chat page in a real browser (Debian's Chromium)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import free_port
from tests.e2e.procs import AGENTE, clean_env, run_agente, wait_for_http

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# .ci/run installs Debian's chromium; a developer machine without it skips this one test.
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

DIALOGUE = [
    "hola, quiero reservar del 12 al 15 de diciembre para 2 adultos",
    "la primera",
    "Ana García",
    "ana.garcia@example.com",
    "+34 612 345 678",
    "sí, confirma",
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = clean_env(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="WARNING")
    assert run_agente("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen([AGENTE, "serve"], env=env, cwd=tmp_path, stdout=log, stderr=log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health/ready", alive=lambda: proc.poll() is None)
        yield f"http://127.0.0.1:{port}", tmp_path / "var" / "agente.db"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _say(page: Page, text: str) -> str:
    before = page.locator(".msg.bot").count()
    page.fill("#text", text)
    page.click("#send")
    page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {before}", timeout=15_000)
    return page.locator(".msg.bot").last.inner_text()


@needs_chromium
def test_a_guest_books_through_the_chat_page(server: tuple[str, Path]) -> None:
    base, database = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 740})
            page.goto(f"{base}/chat")
            replies = [_say(page, text) for text in DIALOGUE]
            guest_id = page.evaluate("localStorage.getItem('agente.guest_id')")
            # The guest's own text, shown as text: markup typed by the guest is not rendered.
            _say(page, "<b>gracias</b>")
            shown = page.locator(".msg.guest").last.inner_text()
        finally:
            browser.close()

    assert "General Rooms" in replies[0] and "USD" in replies[0]
    assert "¿A nombre de quién" in replies[1]
    assert "Resumen" in replies[4]
    assert "Tu referencia es AH" in replies[5]
    assert guest_id and guest_id.startswith("web-")
    assert shown == "<b>gracias</b>"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT status, room_type_id, adults, guest_email FROM bookings").fetchall()
        stored = db.execute("SELECT status FROM simulator_bookings").fetchall()
    assert rows == [("confirmed", 1, 2, "ana.garcia@example.com")]
    assert stored == [("confirmed",)]
