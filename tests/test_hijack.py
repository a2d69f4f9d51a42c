"""Hijacked connections (attach, exec start) through pouchd's protocol, on real sockets.

A small app (connexion, through pouchd's create_app and PouchMiddleware) whose attach operation
returns a HijackResponse is served in a thread by uvicorn with pouchd's protocol, on a unix
socket, a TCP socket and a TLS listener, with short timeouts so that a test can idle past them.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import string
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import docker
import httpx
import pytest
import uvicorn
from connexion import request
from connexion.lifecycle import ConnexionRequest

from pouch_server import tls
from pouch_server._compat.uvicorn import Server
from pouch_server.app import create_app
from pouch_server.hijack import HijackedStream, HijackResponse, is_upgrade_request
from pouch_server.listeners import bind_all
from pouch_server.protocol import Limits, protocol_for
from tests.tls_certs import CA

SHORT = 0.3  # the servers' header, body and keep-alive timeouts
BIG = 20 * 1024 * 1024

ERROR = {"description": "error", "content": {"application/json": {"schema": {"type": "object"}}}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "hijack", "version": "1"},
    "paths": {
        "/containers/{id}/attach": {
            "post": {
                "operationId": "Attach",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "mode", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {"required": False, "content": {"*/*": {"schema": {"type": "string"}}}},
                "responses": {"101": {"description": "hijacked"}, "200": {"description": "hijacked"}, "500": ERROR},
            }
        },
        "/containers/{id}/json": {
            "get": {
                "operationId": "Inspect",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            }
        },
        "/ping": {
            "get": {
                "operationId": "Ping",
                "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }
        },
    },
}


class Sessions:
    """What the sessions saw, for the tests to check."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.max_write_buffer = 0


SEEN = Sessions()


async def echo(stream: HijackedStream) -> None:
    """Greets, upper-cases what it reads, says bye at the client's EOF."""
    await stream.write(b"hello\n")
    while data := await stream.read(65536):
        await stream.write(data.upper())
        SEEN.max_write_buffer = max(SEEN.max_write_buffer, stream._transport.get_write_buffer_size())
    await stream.write(b"bye\n")
    SEEN.events.append(("eof", None))


async def attach(id: str, mode: str = "echo", body: Any = None) -> HijackResponse:
    headers = cast(ConnexionRequest, request).scope["headers"]
    upgrade = is_upgrade_request(headers)

    async def session(stream: HijackedStream) -> None:
        SEEN.events.append(("body", body))
        if mode == "echo":
            await echo(stream)
        elif mode == "close":  # the server ends the stream
            await stream.write(b"hello\n")
        elif mode == "slow":  # reads nothing for a while: the client must be held back
            await stream.write(b"hello\n")
            await asyncio.sleep(1.0)
            SEEN.events.append(("buffered", len(stream._buffer)))
            await echo(stream)
        elif mode == "idle":  # says nothing until the client speaks, past every timeout
            data = await stream.read(100)
            await stream.write(b"late:" + data)
        elif mode == "frames":  # Docker's stdcopy frames, for docker-py's demultiplexer
            # docker-py reads the head through http.client's buffered reader and then reads the
            # raw socket under it: output arriving together with the head would be lost there.
            await asyncio.sleep(0.2)
            for kind, text in ((1, b"out\n"), (2, b"err\n")):
                await stream.write(bytes([kind, 0, 0, 0]) + len(text).to_bytes(4, "big") + text)

    return HijackResponse(upgrade=upgrade, session=session)


async def inspect(id: str) -> dict[str, Any]:
    return {"Id": id, "Config": {"Tty": False}}


async def ping() -> str:
    return "OK"


class Served:
    def __init__(self, tmp: Path) -> None:
        self.observed: list[tuple[str | None, int, float]] = []
        self.app = create_app(
            {"Attach": attach, "Inspect": inspect, "Ping": ping},
            spec=SPEC,
            observe=lambda op, status, elapsed: self.observed.append((op, status, elapsed)),
        )
        self.unix_path = str(tmp / "pouchd.sock")
        plain = bind_all([f"unix://{self.unix_path}", "tcp://127.0.0.1:0"])
        secure = bind_all(["tcp://127.0.0.1:0"])
        self.listeners = plain + secure
        self.tcp = plain[1].sock.getsockname()[:2]
        self.tls = secure[0].sock.getsockname()[:2]
        ca = CA(tmp / "ca")
        server = ca.issue("server", "pouchd", server=True)
        self.client_context = ssl.create_default_context(cafile=str(ca.pem))
        context = tls.server_context(str(server.cert), str(server.key), None, False)
        limits = Limits(header_timeout=SHORT, body_timeout=SHORT)
        common: dict[str, Any] = dict(
            lifespan="off",
            ws="none",
            proxy_headers=False,
            access_log=False,
            log_config=None,
            timeout_keep_alive=SHORT,
            timeout_graceful_shutdown=1,
            server_header=False,
        )
        tls_protocol = tls.listener_protocol(protocol_for(limits, tls=True), context, SHORT)
        self.servers = [
            Server(uvicorn.Config(self.app, http=protocol_for(limits), **common)),
            Server(uvicorn.Config(self.app, http=tls_protocol, **common)),
        ]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not all(s.is_serving for s in self.servers):
            assert time.monotonic() < deadline, "servers did not start"
            time.sleep(0.02)

    def _run(self) -> None:
        async def main() -> None:
            await asyncio.gather(
                self.servers[0].serve(sockets=[lst.sock for lst in self.listeners[:2]]),
                self.servers[1].serve(sockets=[self.listeners[2].sock]),
            )

        asyncio.run(main())

    def close(self) -> None:
        for s in self.servers:
            s.stop_now()
            s.stop()
        self.thread.join(10)
        for lst in self.listeners:
            lst.close()

    def connect(self, kind: str = "unix") -> socket.socket:
        if kind == "unix":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.unix_path)
        elif kind == "tcp":
            s = socket.create_connection(self.tcp)
        else:
            raw = socket.create_connection(self.tls)
            s = self.client_context.wrap_socket(raw, server_hostname="127.0.0.1")
        s.settimeout(10)
        return s


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    d = Served(tmp_path_factory.mktemp("hijack"))
    yield d
    d.close()


def attach_request(mode: str = "echo", upgrade: bool = True, body: bytes = b"") -> bytes:
    lines = [f"POST /v1.24/containers/c1/attach?stream=1&stdout=1&stderr=1&mode={mode} HTTP/1.1", "Host: pouchd"]
    if upgrade:
        lines += ["Connection: Upgrade", "Upgrade: tcp"]
    lines += ["Content-Type: text/plain", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_head(s: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """The answer's status line, headers, and what came after them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, f"closed before the head: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status, *lines = head.decode().split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, value = line.split(":", 1)
        assert name.lower() not in headers, f"{name} twice"
        headers[name.lower()] = value.strip()
    return status, headers, rest


def read_exactly(s: socket.socket, n: int, have: bytes = b"") -> bytes:
    data = bytearray(have)
    while len(data) < n:
        chunk = s.recv(min(1 << 20, n - len(data)))
        assert chunk, f"EOF after {len(data)} of {n} bytes"
        data += chunk
    return bytes(data)


def read_to_eof(s: socket.socket, have: bytes = b"") -> bytes:
    data = bytearray(have)
    while chunk := s.recv(65536):
        data += chunk
    return bytes(data)


def hijacked(served: Served, kind: str = "unix", **kw: Any) -> tuple[socket.socket, str, dict[str, str], bytes]:
    s = served.connect(kind)
    s.sendall(attach_request(**kw))
    status, headers, rest = read_head(s)
    return s, status, headers, rest


# --- the answer's head ---------------------------------------------------------------------------


def test_an_upgrade_request_gets_101_with_dockers_and_pouchds_headers(served: Served) -> None:
    s, status, headers, rest = hijacked(served)
    with s:
        assert status == "HTTP/1.1 101 UPGRADED"
        assert headers["content-type"] == "application/vnd.docker.raw-stream"
        assert headers["connection"] == "Upgrade"
        assert headers["upgrade"] == "tcp"
        assert headers["api-version"] and headers["server"].startswith("pouchd/")
        assert len(headers["x-request-id"]) == 12
        assert "content-length" not in headers and "transfer-encoding" not in headers
        assert read_exactly(s, 6, rest) == b"hello\n"
        s.sendall(b"abc")
        assert read_exactly(s, 3) == b"ABC"


def test_a_request_without_upgrade_gets_200_and_the_stream(served: Served) -> None:
    s, status, headers, rest = hijacked(served, upgrade=False)
    with s:
        assert status == "HTTP/1.1 200 OK"
        assert headers["content-type"] == "application/vnd.docker.raw-stream"
        assert "upgrade" not in headers and "connection" not in headers
        assert headers["x-request-id"]
        s.sendall(b"xyz")
        assert read_exactly(s, 9, rest) == b"hello\nXYZ"


def test_the_hijacked_answer_is_logged_and_counted_with_its_status(served: Served) -> None:
    before = len(served.observed)
    s, _, _, rest = hijacked(served, upgrade=False)
    s.shutdown(socket.SHUT_WR)
    assert read_to_eof(s, rest) == b"hello\nbye\n"
    s.close()
    deadline = time.monotonic() + 5
    while len(served.observed) == before:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert served.observed[before][:2] == ("Attach", 200)


# --- bytes around the request ----------------------------------------------------------------------


@pytest.mark.parametrize("upgrade", [True, False], ids=["upgrade", "no-upgrade"])
def test_bytes_sent_with_the_request_reach_the_session(served: Served, upgrade: bool) -> None:
    s = served.connect()
    with s:
        # stdin right behind the request in the same write, even bytes that look like a request
        s.sendall(attach_request(upgrade=upgrade) + b"GET /ping HTTP/1.1\r\n\r\n")
        _, _, rest = read_head(s)
        s.shutdown(socket.SHUT_WR)
        assert read_to_eof(s, rest) == b"hello\nGET /PING HTTP/1.1\r\n\r\nbye\n"


@pytest.mark.parametrize("upgrade", [True, False], ids=["upgrade", "no-upgrade"])
def test_a_request_body_is_the_requests_and_what_follows_it_the_streams(served: Served, upgrade: bool) -> None:
    SEEN.events.clear()
    s = served.connect()
    with s:
        s.sendall(attach_request(upgrade=upgrade, body=b"the body") + b"stdin")
        _, _, rest = read_head(s)
        s.shutdown(socket.SHUT_WR)
        assert read_to_eof(s, rest) == b"hello\nSTDINbye\n"
    assert ("body", b"the body") in SEEN.events


def test_bytes_sent_before_the_app_hijacks_are_not_lost(served: Served) -> None:
    s = served.connect()
    with s:
        request_bytes = attach_request()
        s.sendall(request_bytes[:-3])
        time.sleep(0.05)
        s.sendall(request_bytes[-3:] + b"one")
        time.sleep(0.05)
        s.sendall(b"two")
        s.shutdown(socket.SHUT_WR)  # even the EOF, before the session has read anything
        _, _, rest = read_head(s)
        assert read_to_eof(s, rest) == b"hello\nONETWObye\n"


# --- ends of the stream ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_a_client_half_close_ends_reads_and_the_server_still_writes(served: Served, kind: str) -> None:
    SEEN.events.clear()
    s, _, _, rest = hijacked(served, kind)
    with s:
        s.sendall(b"last words")
        s.shutdown(socket.SHUT_WR)  # as the Docker CLI does at once when it has no stdin
        assert read_to_eof(s, rest) == b"hello\nLAST WORDSbye\n"
    assert ("eof", None) in SEEN.events


def test_the_server_closing_gives_the_client_eof(served: Served) -> None:
    s, _, _, rest = hijacked(served, mode="close")
    with s:
        assert read_to_eof(s, rest) == b"hello\n"


def test_the_connection_is_not_reused_for_another_request(served: Served) -> None:
    s, _, _, rest = hijacked(served)
    with s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        s.shutdown(socket.SHUT_WR)
        data = read_to_eof(s, rest)
        assert data == b"hello\nGET /PING HTTP/1.1\r\nHOST: X\r\n\r\nbye\n"
        assert b"HTTP/1.1 200" not in data


def test_an_idle_stream_outlives_the_protocols_timeouts(served: Served) -> None:
    s, _, _, rest = hijacked(served, mode="idle")
    with s:
        time.sleep(SHORT * 4)  # past the header, body and keep-alive timeouts
        s.sendall(b"still here")
        assert read_to_eof(s, rest) == b"late:still here"


def test_other_connections_are_served_while_a_stream_is_open(served: Served) -> None:
    s, _, _, rest = hijacked(served, mode="idle")
    with s:
        with httpx.Client(transport=httpx.HTTPTransport(uds=served.unix_path)) as client:
            for _ in range(3):
                assert client.get("http://pouchd/ping").status_code == 200
        with httpx.Client() as client:
            assert client.get(f"http://{served.tcp[0]}:{served.tcp[1]}/ping").status_code == 200
        s.sendall(b"!")
        assert read_to_eof(s, rest) == b"late:!"


# --- flow control ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_a_big_transfer_both_ways(served: Served, kind: str) -> None:
    payload = (string.ascii_lowercase.encode() * (BIG // 26 + 1))[:BIG]
    SEEN.max_write_buffer = 0
    s, _, _, rest = hijacked(served, kind)
    errors: list[BaseException] = []

    def send() -> None:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except BaseException as e:
            errors.append(e)

    sender = threading.Thread(target=send)
    sender.start()
    with s:
        got = read_to_eof(s, rest)
    sender.join()
    assert not errors
    assert got == b"hello\n" + payload.upper() + b"bye\n"
    assert SEEN.max_write_buffer <= 1024 * 1024  # the session waited for the client to take its writes


def test_a_session_that_does_not_read_holds_the_client_back(served: Served) -> None:
    SEEN.events.clear()
    s, _, _, rest = hijacked(served, mode="slow")
    sent = 0
    done = threading.Event()

    def send() -> None:
        nonlocal sent
        chunk = b"x" * 65536
        try:
            while sent < BIG:
                s.sendall(chunk)
                sent += len(chunk)
            s.shutdown(socket.SHUT_WR)
        finally:
            done.set()

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.8)  # the session sleeps a second before reading
    assert sent < BIG // 4  # the server stopped reading: the client's writes block
    with s:
        got = read_to_eof(s, rest)
    sender.join()
    assert got == b"hello\nhello\n" + b"X" * BIG + b"bye\n"
    buffered = dict(SEEN.events)["buffered"]
    assert buffered <= 1024 * 1024


# --- TLS -----------------------------------------------------------------------------------------


def test_hijack_over_tls(served: Served) -> None:
    s, status, headers, rest = hijacked(served, "tls")
    with s:
        assert status == "HTTP/1.1 101 UPGRADED"
        assert headers["x-request-id"]
        s.sendall(b"secret")
        assert read_exactly(s, 12, rest) == b"hello\nSECRET"


def test_over_tls_a_client_half_close_ends_the_stream(served: Served) -> None:
    """asyncio's TLS cannot half-close: the client's EOF (a close_notify or a TCP FIN) ends the
    whole connection, so what the session writes after it is lost (documented limit)."""
    s, _, _, rest = hijacked(served, "tls")
    with s:
        assert read_exactly(s, 6, rest) == b"hello\n"
        raw = s.unwrap()  # close_notify
        raw.settimeout(10)
        with raw:
            while raw.recv(65536):  # (the session's last write, or not, and TLS records) then EOF
                pass


# --- without pouchd's protocol -------------------------------------------------------------------


def test_under_a_server_that_cannot_hijack_the_answer_is_a_clear_500(served: Served) -> None:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=served.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pouchd") as client:
            return await client.post(
                "/v1.24/containers/c1/attach?stream=1",
                headers={"Connection": "Upgrade", "Upgrade": "tcp", "Content-Type": "text/plain"},
            )

    r = asyncio.run(call())
    assert r.status_code == 500
    assert r.json() == {"message": "this server cannot hijack connections for attach"}
    assert r.headers["x-request-id"] and r.headers["api-version"]


# --- a client nobody here wrote: docker-py --------------------------------------------------------


def docker_py(served: Served, mode: str) -> docker.APIClient:
    """docker-py's low-level client on the unix socket, its attach asking for the test's ``mode``."""
    client = docker.APIClient(base_url=f"unix://{served.unix_path}", version="1.24")
    original = client._url

    def with_mode(path: str, *args: Any, **kw: Any) -> str:
        url = original(path, *args, **kw)
        return url + f"?mode={mode}" if path.endswith("/attach") else url

    client._url = with_mode  # type: ignore[method-assign]
    return client


def test_docker_py_attach_socket_talks_to_the_stream(served: Served) -> None:
    client = docker_py(served, "idle")
    sock = client.attach_socket("c1", params={"stdin": 1, "stream": 1})
    raw = getattr(sock, "_sock", sock)
    raw.settimeout(10)
    raw.sendall(b"from docker-py")
    data = bytearray()
    while chunk := docker.utils.socket.read(sock, 4096):
        data += chunk
    assert bytes(data) == b"late:from docker-py"
    sock.close()
    client.close()


def test_docker_py_attach_demultiplexes_the_streams_frames(served: Served) -> None:
    client = docker_py(served, "frames")
    # docker-py asks /containers/c1/json whether the container has a TTY, then attaches.
    out = client.attach("c1", stdout=True, stderr=True, demux=True)
    assert out == (b"out\n", b"err\n")
    client.close()


def test_the_test_app_answers_json(served: Served) -> None:
    with httpx.Client(transport=httpx.HTTPTransport(uds=served.unix_path)) as client:
        assert json.loads(client.get("http://pouchd/v1.24/containers/c1/json").text)["Config"] == {"Tty": False}
