"""The floor for ``http_load.py``: a raw ASGI callable under the same uvicorn options as the service.

Every HTTP request, whatever its method or path, gets ``200 {"status":"alive"}`` -- the body
``GET /health/live`` returns -- so the difference to the service is the framework and the
middleware, not the server, the event loop or the payload.

Run: ``python bench/bare_app.py --port 8100`` (binds 127.0.0.1).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BODY = b'{"status":"alive"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    # Drain the request body so a POST costs what it costs the service's server layer.
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def build_config(port: int) -> uvicorn.Config:
    """The options of ``agente.server.serve``; loop and protocol are what its ``auto`` picks
    when uvloop and httptools are installed (``uvicorn[standard]``)."""
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=5,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.Server(build_config(args.port)).run()


if __name__ == "__main__":
    main()
