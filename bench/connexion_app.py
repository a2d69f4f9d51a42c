"""A second, informational floor for start-up: a plain connexion app on the same spec and uvicorn.

Run as a script (it imports nothing from the project)::

    python bench/connexion_app.py --spec api/swagger.yaml --uds /path/connexion.sock

connexion's ``AsyncApp`` as its documentation shows it: the spec file given to ``add_api``, every
operationId resolved to one trivial async handler (GET /_ping answers ``OK``), default middleware
stack and settings, served by uvicorn with pouchd's settings on a unix socket made here. It shows
how much of pouchd's start-up is connexion's own (its imports and its loading of the spec).
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from typing import Any

import uvicorn
from connexion import AsyncApp
from connexion.resolver import Resolver


async def _answer() -> str:
    return "OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, type=Path, help="the OpenAPI file")
    parser.add_argument("--uds", required=True, help="unix socket path to listen on")
    args = parser.parse_args()

    def resolve(_operation_id: str) -> Any:
        return _answer

    app = AsyncApp(__name__, specification_dir=args.spec.resolve().parent)
    # base_path "": as pouchd, serve the paths at the root (the spec's `servers` names /v1.24).
    app.add_api(args.spec.name, base_path="", resolver=Resolver(function_resolver=resolve))
    if os.path.exists(args.uds):
        os.unlink(args.uds)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(args.uds)
    sock.listen(1024)
    sock.setblocking(False)
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
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if os.path.exists(args.uds):
            os.unlink(args.uds)


if __name__ == "__main__":
    main()
