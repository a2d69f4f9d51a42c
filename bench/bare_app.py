"""The floor for pouchd's HTTP figures: a bare Starlette app on the same uvicorn, serving pouchd's bytes.

Run as a script (it imports nothing from the project, so its start-up is Starlette's and uvicorn's
alone)::

    python bench/bare_app.py --fixtures FIXTURES.json --uds /path/bare.sock [--port PORT]

FIXTURES.json maps a path to ``{"status": int, "headers": [[name, value], ...], "body": base64}``
as captured from pouchd (see ``bench.common.capture_fixtures``). Every path answers GET with exactly
those bytes and headers; uvicorn adds ``date`` and ``content-length`` as it does for pouchd.

The listening sockets are made here and handed to uvicorn, as pouchd does: the TCP one with
``IPPROTO_TCP`` (not 0), so that asyncio sets TCP_NODELAY on accepted connections in both servers.
The uvicorn settings are pouchd's (pouch_server/daemon.py): lifespan off, no WebSocket support,
no proxy headers, no access log, no server header, date header on, keep-alive timeout 5 s, default
loop and HTTP implementation.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _endpoint(status: int, headers: dict[str, str], body: bytes) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(_request: Request) -> Response:
        return Response(body, status_code=status, headers=headers)

    return endpoint


def build_app(fixtures: dict[str, Any]) -> Starlette:
    """One GET route per captured path, answering with the captured status, headers and body."""
    routes = [
        Route(path, _endpoint(fx["status"], dict(fx["headers"]), base64.b64decode(fx["body"])), methods=["GET"])
        for path, fx in fixtures.items()
    ]
    return Starlette(routes=routes)


def bind_sockets(uds: str | None, port: int | None) -> list[socket.socket]:
    """A unix socket at ``uds`` and/or a TCP socket (proto IPPROTO_TCP) on 127.0.0.1:``port``."""
    sockets = []
    if uds:
        if os.path.exists(uds):
            os.unlink(uds)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(uds)
        s.listen(1024)
        s.setblocking(False)
        sockets.append(s)
    if port is not None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(1024)
        s.setblocking(False)
        sockets.append(s)
    return sockets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", required=True, help="JSON file of captured responses")
    parser.add_argument("--uds", help="unix socket path to listen on")
    parser.add_argument("--port", type=int, help="TCP port on 127.0.0.1 to listen on")
    args = parser.parse_args()
    if not args.uds and args.port is None:
        parser.error("give --uds and/or --port")
    with open(args.fixtures) as f:
        app = build_app(json.load(f))
    sockets = bind_sockets(args.uds, args.port)
    config = uvicorn.Config(
        app,
        lifespan="off",
        ws="none",
        proxy_headers=False,
        access_log=False,
        log_config=None,
        timeout_keep_alive=5,
        server_header=False,
        date_header=True,
    )
    try:
        uvicorn.Server(config).run(sockets=sockets)
    finally:
        for s in sockets:
            s.close()
        if args.uds and os.path.exists(args.uds):
            os.unlink(args.uds)


if __name__ == "__main__":
    main()
