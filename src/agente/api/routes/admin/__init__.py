"""The admin API (``/admin/...``): every route requires an admin bearer token.

Each resource's router carries the full ``/admin/...`` prefix and the auth dependency
itself, so route templates (metrics labels, access lines) are complete paths.
"""

from __future__ import annotations

from agente.api.routes.admin import (
    audit,
    blocklist,
    conversations,
    flags,
    hotel_facts,
    outbox,
    pms,
    rate_limits,
)

routers = [
    flags.router,
    rate_limits.router,
    blocklist.router,
    audit.router,
    pms.router,
    outbox.router,
    hotel_facts.router,
    conversations.router,
]
