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

from pouch_testing import containerd, pouchd
from pouch_testing.pouchd import free_port as free_port  # for the tests, with the rest
from pouch_testing.pouchd import names_config_file, with_config_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POUCHD = str(BIN / "pouchd")
POUCH = str(BIN / "pouch")


def pouchd_command(*args: str) -> list[str]:
    """The ``pouchd`` command line of a test that runs pouchd itself: with the test run's shared
    containerd (pouch_testing.containerd.shared()) in a namespace of its own, never pouchd's
    default, which would start a containerd at /var/run/containerd.sock."""
    address = str(containerd.shared().address)
    return [POUCHD, "--containerd", address, "--default-namespace", "tdirect", *args]


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


# Where a test daemon logs in when a login names no registry: a closed port of loopback. Docker
# Hub, pouchd's own default, is never tried from here; a test that means a registry names it.
NO_REGISTRY = "127.0.0.1:1"


def pin_default_registry(flags: tuple[str, ...]) -> tuple[str, ...]:
    """``flags`` with ``--default-registry NO_REGISTRY`` unless they set a default registry (by flag
    or, possibly, in a config file, where the flag as well would be an error)."""
    if names_config_file(flags) or any(f == "--default-registry" or f.startswith("--default-registry=") for f in flags):
        return flags
    return (*flags, "--default-registry", NO_REGISTRY)


class PouchD(pouchd.PouchD):
    """The dev install's pouchd as a subprocess (pouch_testing/pouchd.py), every answer checked
    against the spec (``--validate-responses``) unless ``validate=False`` (production mode), with no
    config file unless the flags name one. Its default registry is pinned to loopback
    (:func:`pin_default_registry`)."""

    def __init__(self, tmp: Path, *extra: str, validate: bool = True, **kw: Any) -> None:
        super().__init__(tmp, *pin_default_registry(extra), executable=POUCHD, validate=validate, **kw)

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

    It reads no config file unless the flags name one, and its default registry is pinned to
    loopback, as :class:`PouchD`'s. One request at a time, from
    one thread; its event loop runs only while a request is answered.
    Each answer is read whole before it is returned: a live event stream never ends here.
    """

    def __init__(self, tmp: Path, *flags: str, validate: bool = True) -> None:
        from pouch_server.app import create_app
        from pouch_server.config import load_config
        from pouch_server.daemon import Daemon

        self.home = tmp / "pouchd-home"
        argv = [
            "--home-dir",
            str(self.home),
            "--listen",
            f"unix://{tmp / 'pouchd.sock'}",
            *with_config_file(pin_default_registry(flags)),
        ]
        self.config = load_config([*argv, "--validate-responses"] if validate else argv)
        self.daemon = Daemon(self.config, self.config.listen)
        self.app = create_app(
            self.daemon.operations(),
            debug=self.config.debug,
            validate_responses=self.config.validate_responses,
            observe=self.daemon.metrics.observe,
            manager_whitelist=frozenset(self.config.manager_whitelist),
        )
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
            raise httpx.ReadTimeout(
                f"no whole answer within {timeout}s (a live stream needs a PouchD)", request=request
            ) from None
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
    """/_ping every 5 ms, each on a new connection, while the body runs: the round trips, in seconds.
    A ping that fails (no answer within its 30 s, a wrong answer) fails the test when the body ends,
    rather than silently ending the pings that the test then judges."""
    times: list[float] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                times.append(ping_once(d))
                stop.wait(0.005)
        except BaseException as e:  # handed to the test's thread below
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    try:
        while not times and not errors:  # the pinger is running before the work starts
            time.sleep(0.005)
        yield times
    finally:
        stop.set()
        t.join(35)
    if errors:
        raise AssertionError(f"a /_ping failed while the work ran: {errors[0]!r}") from errors[0]
    assert not t.is_alive(), "a /_ping was still waiting 35 s after the work ended"


def run_pouch(
    *args: str,
    host: str | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """The installed ``pouch`` command, run to its end."""
    argv = [POUCH] + (["-H", host] if host else []) + list(args)
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, input=input, timeout=timeout)


def metric_samples(d: Served, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples called ``name`` (e.g. ``pouchd_http_requests_total``) on ``d``'s /metrics now,
    as (labels, value)."""
    # Imported here: most test modules never read a metric.
    from prometheus_client.parser import text_string_to_metric_families

    with d.client() as c:
        text = c.get("/metrics").text
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def ping_over(s: socket.socket, closed: str) -> None:
    """``GET /_ping`` on the open keep-alive connection ``s``, its 200 read; ``closed`` is the
    failure's text should the daemon close the connection instead."""
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
    reply = b""
    while not reply.endswith(b"\r\n\r\nOK"):
        chunk = s.recv(4096)
        assert chunk, closed
        reply += chunk
    assert reply.startswith(b"HTTP/1.1 200 "), reply


def raw_exchange(d: PouchD, data: bytes, timeout: float = 5.0) -> bytes:
    """``data`` sent as is on a new connection to ``d``'s unix socket; all it answers until it
    closes the connection or ``timeout`` passes."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(str(d.sock))
        s.sendall(data)
        out = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            out += chunk
        return out


def split_response_lines(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """A raw HTTP/1.1 answer: its status, every header line in order (names lower-cased, repeats
    kept: any HTTP client would fold them) and its body."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = [(name.lower(), value) for name, value in (line.split(": ", 1) for line in lines)]
    return int(status_line.split()[1]), headers, body


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """A raw HTTP/1.1 answer: its status, headers (names lower-cased) and body."""
    status, headers, body = split_response_lines(raw)
    return status, dict(headers), body
