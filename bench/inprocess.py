"""Microseconds per request through pouchd's app in this process: no socket, no HTTP parser.

    python bench/inprocess.py [--rounds N] [--requests N] [--only NAME ...]

Builds the app as pouchd does (a real ``Daemon`` on a temporary home, ``create_app`` from its
operations, without response validation) and calls it as an ASGI server would, one request at a
time on one event loop, for GET /v1.24/version, /v1.24/info, /v1.24/_ping and POST
/v1.24/daemon/update. Also, on the app of a test spec of 50 operations (:data:`WIDE_SPEC`, shaped
like the container and image paths to come), a GET of the first and of the last group, with and
without a path parameter: what a late route costs beside an early one. Prints the median over
rounds of each round's mean CPU time, in µs.

For instruction counts (stable where the machine's timings are not), run it under callgrind with
``--rounds 1 --only NAME`` and two request counts; the difference of the totals over the
difference of the counts is the count per request::

    run() { valgrind --tool=callgrind --callgrind-out-file=$1 python bench/inprocess.py \
            --rounds 1 --requests $2 --only "GET /version"; }
    run a.out 200; run b.out 2200   # Ir per request: (total of b.out - total of a.out) / 2000

It measures whichever pouch_server the interpreter imports (the venv's install, unless
``PYTHONPATH`` names a tree): run it with ``PYTHONPATH=.`` for this checkout, or ``PYTHONPATH=DIR``
to measure another tree beside it (an earlier commit's, from ``git worktree add``), in the same
session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

Request = tuple[str, str, bytes]
REQUESTS: dict[str, Request] = {
    "GET /version": ("GET", "/v1.24/version", b""),
    "GET /info": ("GET", "/v1.24/info", b""),
    "GET /_ping": ("GET", "/v1.24/_ping", b""),
    "POST /daemon/update": ("POST", "/v1.24/daemon/update", json.dumps({"Labels": ["bench=1"]}).encode()),
}

# 50 operations, five for each of ten groups, declared group by group.
_GROUPS = ("containers", "images", "volumes", "networks", "exec", "plugins", "swarm", "nodes", "services", "secrets")
_OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
WIDE_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "50 operations", "version": "1"},
    "paths": {
        path: item
        for group in _GROUPS
        for path, item in {
            f"/{group}/json": {"get": {"operationId": f"{group}List", "responses": _OK}},
            f"/{group}/create": {"post": {"operationId": f"{group}Create", "responses": _OK}},
            f"/{group}/{{id}}/json": {"get": {"operationId": f"{group}Inspect", "parameters": _ID, "responses": _OK}},
            f"/{group}/{{id}}": {"delete": {"operationId": f"{group}Remove", "parameters": _ID, "responses": _OK}},
            f"/{group}/{{id}}/start": {"post": {"operationId": f"{group}Start", "parameters": _ID, "responses": _OK}},
        }.items()
    },
}
WIDE_REQUESTS: dict[str, Request] = {
    "GET first of 50 (path parameter)": ("GET", "/v1.24/containers/abc/json", b""),
    "GET last of 50 (path parameter)": ("GET", "/v1.24/secrets/abc/json", b""),
    "GET first of 50": ("GET", "/v1.24/containers/json", b""),
    "GET last of 50": ("GET", "/v1.24/secrets/json", b""),
}


def build_app(home: Path) -> Any:
    warnings.simplefilter("ignore")  # connexion's import of starlette's test client
    from pouch_server.app import create_app
    from pouch_server.config import load_config
    from pouch_server.daemon import Daemon

    # An empty config file, named: the host's is not read, and earlier trees (where a named file
    # must exist and "" names none) take the same flags.
    (home / "config.json").write_text("{}")
    config = load_config(
        [
            "--config-file",
            str(home / "config.json"),
            "--home-dir",
            str(home / "home"),
            "--listen",
            f"unix://{home}/pouchd.sock",
        ]
    )
    daemon = Daemon(config, config.listen)
    return create_app(daemon.operations(), observe=daemon.metrics.observe)


def build_wide_app() -> Any:
    """The app of :data:`WIDE_SPEC`, each operation answering a small JSON object."""
    warnings.simplefilter("ignore")
    from pouch_server.app import create_app

    async def listed() -> dict[str, int]:
        return {"ok": 1}

    async def one_of(id: str) -> dict[str, str]:  # the spec's parameter name
        return {"id": id}

    operations: dict[str, Any] = {}
    for item in WIDE_SPEC["paths"].values():
        for operation in item.values():
            operations[operation["operationId"]] = one_of if "parameters" in operation else listed
    return create_app(operations, spec=WIDE_SPEC)


async def one(app: Any, method: str, path: str, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"d"), (b"content-length", b"%d" % len(body))] if body else [(b"host", b"d")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "extensions": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a client that says nothing more
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(app: Any, request: Request, count: int) -> float:
    method, path, body = request
    for _ in range(50):  # warm up: the first request of an operation decorates it
        assert await one(app, method, path, body) == 200
    # CPU time of this process: other processes on a busy machine add wall time, not this.
    start = time.process_time()
    for _ in range(count):
        await one(app, method, path, body)
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", action="append", metavar="NAME", help="measure only this request (repeatable)")
    args = parser.parse_args()
    known = [*REQUESTS, *WIDE_REQUESTS]
    names = args.only or known
    if unknown := [name for name in names if name not in known]:
        parser.error(f"unknown request {unknown[0]!r}; one of: {', '.join(known)}")
    with tempfile.TemporaryDirectory(prefix="pouch-bench-") as tmp:
        app = build_app(Path(tmp))
        # Only when asked for: an earlier tree (measured beside this one) may not take a spec.
        wide = build_wide_app() if any(name in WIDE_REQUESTS for name in names) else None
        samples: dict[str, list[float]] = {name: [] for name in names}

        async def run() -> None:
            for _ in range(args.rounds):
                for name in names:
                    target, request = (app, REQUESTS[name]) if name in REQUESTS else (wide, WIDE_REQUESTS[name])
                    samples[name].append(await measure(target, request, args.requests))

        asyncio.run(run())
    import pouch_server

    print(f"pouch_server from {Path(pouch_server.__file__).parent}")
    for name, values in samples.items():
        print(f"{name:34} {statistics.median(values):7.1f} µs  (rounds: {', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
