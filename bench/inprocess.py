"""Microseconds per request through pouchd's app in this process: no socket, no HTTP parser.

    python bench/inprocess.py [--rounds N] [--requests N]

Builds the app as pouchd does (a real ``Daemon`` on a temporary home, ``create_app`` from its
operations, without response validation) and calls it as an ASGI server would, one request at a
time on one event loop, for GET /v1.24/version, GET /v1.24/info and POST /v1.24/daemon/update.
Prints the median over rounds of each round's mean CPU time, in µs. It measures whichever pouch_server
the interpreter imports: run it with ``PYTHONPATH=DIR`` to measure another tree beside this one
(an earlier commit's, from ``git worktree add``), in the same session.
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
    "POST /daemon/update": ("POST", "/v1.24/daemon/update", json.dumps({"Labels": ["bench=1"]}).encode()),
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pouch-bench-") as tmp:
        app = build_app(Path(tmp))
        samples: dict[str, list[float]] = {name: [] for name in REQUESTS}

        async def run() -> None:
            for _ in range(args.rounds):
                for name, request in REQUESTS.items():
                    samples[name].append(await measure(app, request, args.requests))

        asyncio.run(run())
    import pouch_server

    print(f"pouch_server from {Path(pouch_server.__file__).parent}")
    for name, values in samples.items():
        print(f"{name:22} {statistics.median(values):7.1f} µs  (rounds: {', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
