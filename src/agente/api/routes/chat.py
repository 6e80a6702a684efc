"""``GET /chat``: the guest web chat page (static, no build step)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["conversation"])


@cache
def _page() -> str:
    return resources.files("agente.channels.web").joinpath("chat.html").read_text("utf-8")


@router.get("/chat", response_class=HTMLResponse)
async def chat() -> HTMLResponse:
    """The chat page; it keeps the guest's id in the browser and talks to ``POST /api/messages``."""
    return HTMLResponse(_page(), headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
