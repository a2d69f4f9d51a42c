"""What the tests share: pouchd as a subprocess (:class:`PouchD`) and in this process
(:class:`InProcess`), the installed commands, bounded polling, and the assertions on pouch's error
answers. Plain functions and classes only; the fixtures are in conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import httpx
import yaml

from bench import pouchd
from bench.pouchd import free_port as free_port  # for the tests, with the rest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POUCHD = str(BIN / "pouchd")
POUCH = str(BIN / "pouch")


def node_tool(name: str) -> str:
    """A Node tool of the project's package.json (installed by ``npm ci``: scripts/setup.sh --dev)."""
    return str(ROOT / "node_modules" / ".bin" / name)


def missing_node_tools(*names: str) -> str | None:
    """Why the Node tests cannot run here, or None when node and the named tools are installed."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup.sh --dev installs it as root)"
    for name in names:
        if not Path(node_tool(name)).exists():
            return f"{name} is not installed: run npm ci (scripts/setup.sh --dev does)"
    return None


def spec() -> dict[str, Any]:
    """api/swagger.yaml as a dict, parsed anew at each call (so a caller may change its copy)."""
    with (ROOT / "api" / "swagger.yaml").open("rb") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Served(Protocol):
    """A daemon the HTTP helpers can talk to: a :class:`PouchD` or an :class:`InProcess`."""

    home: Path

    def client(self, **kw: Any) -> httpx.Client: ...


@cache
def _tls_context() -> ssl.SSLContext:
    """httpx builds an SSL context for every transport it makes (loading the CA bundle: ~20 ms),
    even for a unix socket, where TLS is never used; tests make hundreds of clients."""
    return ssl.create_default_context()


class PouchD(pouchd.PouchD):
    """The dev install's pouchd as a subprocess (bench/pouchd.py), every answer checked against the
    spec (``--validate-responses``) unless ``validate=False`` (production mode)."""

    def __init__(self, tmp: Path, *extra: str, validate: bool = True, **kw: Any) -> None:
        super().__init__(tmp, *extra, executable=POUCHD, validate=validate, **kw)

    def client(self, **kw: Any) -> httpx.Client:
        """An HTTP client on the unix socket (its URLs are ``http://d/...``, as pouch's)."""
        transport = httpx.HTTPTransport(uds=str(self.sock), verify=_tls_context())
        return httpx.Client(transport=transport, base_url="http://d", **{"timeout": 10, **kw})


class InProcess:
    """pouchd's app and managers in this process, on a home directory of their own, without
    listeners: made from the same flags as pouchd (``load_config``), a real
    :class:`pouch_server.daemon.Daemon` and the app ``create_app`` builds from its operations, as
    pouchd serves it. Requests go through ``httpx.ASGITransport``: everything from PouchMiddleware
    down runs, uvicorn's protocol does not (the socket, TLS, limits on time and size, chunked
    bodies), nor pouchd's start-up and shutdown (signals, the ``daemon start`` event).

    One request at a time, from one thread; its event loop runs only while a request is answered.
    Each answer is read whole before it is returned: a live event stream never ends here.
    """

    def __init__(self, tmp: Path, *flags: str, validate: bool = True) -> None:
        from pouch_server.app import create_app
        from pouch_server.config import load_config
        from pouch_server.daemon import Daemon

        self.home = tmp / "pouchd-home"
        argv = ["--home-dir", str(self.home), "--listen", f"unix://{tmp / 'pouchd.sock'}", *flags]
        self.config = load_config([*argv, "--validate-responses"] if validate else argv)
        self.daemon = Daemon(self.config, self.config.listen)
        self.app = create_app(self.daemon.operations(), debug=self.config.debug,
                              validate_responses=self.config.validate_responses, observe=self.daemon.metrics.observe,
                              manager_whitelist=frozenset(self.config.manager_whitelist))
        self._asgi = httpx.ASGITransport(app=self.app)
        self._runner = asyncio.Runner()
        self._log = io.StringIO()
        self._log_handler = logging.StreamHandler(self._log)
        self._log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def client(self, **kw: Any) -> httpx.Client:
        """An HTTP client on the app (its URLs are ``http://d/...``, as over pouchd's socket)."""
        return httpx.Client(transport=_InProcessTransport(self), base_url="http://d", **{"timeout": 10, **kw})

    def logs(self) -> str:
        """What was logged while this daemon answered requests, at pouchd's level (DEBUG with -D)."""
        return self._log.getvalue()

    def close(self) -> None:
        self._runner.close()

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answer(self, request: httpx.Request) -> httpx.Response:
        """One request, answered in full on this daemon's event loop, with its logging captured."""
        request.read()  # the body whole, whatever the client made of it (the app gets it as one message)
        timeout = request.extensions.get("timeout", {}).get("read")
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.DEBUG if self.config.debug else logging.INFO)
        root.addHandler(self._log_handler)
        try:
            return self._runner.run(self._answer(request, timeout))
        finally:
            root.removeHandler(self._log_handler)
            root.setLevel(level)

    async def _answer(self, request: httpx.Request, timeout: float | None) -> httpx.Response:
        try:
            async with asyncio.timeout(timeout):
                response = await self._asgi.handle_async_request(request)
                content = await response.aread()
        except TimeoutError:
            raise httpx.ReadTimeout(f"no whole answer within {timeout}s (a live stream needs a PouchD)",
                                    request=request) from None
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(content))


class _InProcessTransport(httpx.BaseTransport):
    def __init__(self, daemon: InProcess) -> None:
        self.daemon = daemon

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.daemon.answer(request)


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass (bounded, no busy loop)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def fd_count(pid: int) -> int:
    """How many descriptors process ``pid`` has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def info(d: Served) -> dict[str, Any]:
    """The daemon's ``GET /info``, answered 200."""
    with d.client() as c:
        r = c.get("/info")
    assert r.status_code == 200, r.text
    return r.json()


def subscribers(d: Served) -> float:
    """The daemon's ``pouchd_event_subscribers`` gauge: clients streaming /events right now."""
    with d.client() as c:
        text = c.get("/metrics").text
    for line in text.splitlines():
        if line.startswith("pouchd_event_subscribers "):
            return float(line.split()[1])
    raise AssertionError("no pouchd_event_subscribers gauge in /metrics")


# What an answer must never show of the daemon's insides: a traceback, a source path, Python's words.
LEAKS = ("Traceback", "site-packages", "/work/", str(ROOT), "pouch_server/", 'File "', "sys.set_int_max_str_digits")


def assert_error(r: httpx.Response, status: int, message: str | None = None) -> str:
    """pouch's error answer: ``status``, application/json, exactly ``{"message": "..."}`` with a
    message (``message`` itself when given), and nothing of the daemon's insides. Returns the message."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body) == ["message"] and isinstance(body["message"], str) and body["message"], body
    for leak in LEAKS:
        assert leak not in r.text, leak
    if message is not None:
        assert body["message"] == message
    return body["message"]


# "Not frozen", not a benchmark: far above what a /_ping takes, far below what a frozen loop made it.
NOT_FROZEN = 1.0


def ping_once(d: PouchD) -> float:
    """One GET /_ping on a new connection of its own; its round trip in seconds."""
    start = time.perf_counter()
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(d.sock))
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"OK"), data[:200]
    return time.perf_counter() - start


@contextlib.contextmanager
def pinging(d: PouchD) -> Iterator[list[float]]:
    """/_ping every 5 ms, each on a new connection, while the body runs: the round trips, in seconds."""
    times: list[float] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            times.append(ping_once(d))
            stop.wait(0.005)

    t = threading.Thread(target=run)
    t.start()
    try:
        while not times:  # the pinger is running before the work starts
            time.sleep(0.005)
        yield times
    finally:
        stop.set()
        t.join(35)


def run_pouch(*args: str, host: str | None = None, env: dict[str, str] | None = None,
              input: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The installed ``pouch`` command, run to its end."""
    argv = [POUCH] + (["-H", host] if host else []) + list(args)
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, input=input, timeout=timeout)
