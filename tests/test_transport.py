"""pouch's plain HTTP/1.1 transport (pouch_cli/transport.py) on real sockets, beyond what the
command tests reach: connection reuse, a connection the server closed meanwhile, errors."""

from __future__ import annotations

import http.server
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pouch_cli.transport import PlainTransport


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    close_after: bool = False  # close the connection after each answer, without saying so
    drop_second: bool = False  # close the connection on its second request, unanswered
    served = 0  # requests on this connection (an instance serves one connection)

    def address_string(self) -> str:  # a unix socket's peer has no host
        return "unix"

    def do_GET(self) -> None:  # the standard library's name for it
        self.served += 1
        if self.drop_second and self.served == 2:
            self.close_connection = True  # as a server whose idle timeout fired as the request came
            return
        body = f"{self.path} on connection {id(self.connection)}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.close_after:
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {})
    path = str(tmp_path / "s.sock")
    srv = _Server(path, handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield path, handler
    srv.shutdown()
    srv.server_close()


def test_requests_share_one_kept_alive_connection(server) -> None:
    path, _ = server
    with httpx.Client(transport=PlainTransport(uds=path), base_url="http://d") as client:
        first, second = client.get("/a"), client.get("/b")
    assert first.text.startswith("/a on connection") and second.text.startswith("/b on connection")
    assert first.text.split()[-1] == second.text.split()[-1]


@pytest.mark.parametrize("pause", [0.1, 0.0])
def test_a_connection_the_server_closed_is_replaced(server, pause: float) -> None:
    """Closed while idle (found closed before sending), or just as the next request goes out (a
    race that an idempotent request survives by being sent again on a new connection)."""
    path, handler = server
    handler.close_after = True
    with httpx.Client(transport=PlainTransport(uds=path), base_url="http://d") as client:
        answers = []
        for i in range(20):
            answers.append(client.get(f"/{i}"))
            time.sleep(pause)
    assert [r.status_code for r in answers] == [200] * 20
    assert [r.text.split()[0] for r in answers] == [f"/{i}" for i in range(20)]


def test_a_request_met_by_the_close_is_sent_again_only_if_idempotent(server) -> None:
    path, handler = server
    handler.drop_second = True
    handler.do_POST = handler.do_GET  # type: ignore[attr-defined]
    with httpx.Client(transport=PlainTransport(uds=path), base_url="http://d") as client:
        first = client.get("/ping")
        again = client.get("/version")  # dropped on the reused connection, then sent on a new one
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.text.startswith("/version")
        assert client.get("/info").status_code == 200  # second on the new connection: dropped, sent again
        # A POST may have been applied before the connection went: never sent twice, whether the
        # close shows while it is written or while its answer is awaited.
        with pytest.raises((httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError)):
            client.post("/daemon/update", content=b"{}")


def test_no_daemon_is_a_connect_error(tmp_path: Path) -> None:
    with (
        httpx.Client(transport=PlainTransport(uds=str(tmp_path / "none.sock")), base_url="http://d") as client,
        pytest.raises(httpx.ConnectError, match="No such file"),
    ):
        client.get("/_ping")


def test_a_silent_server_is_a_read_timeout(tmp_path: Path) -> None:
    import socket

    path = str(tmp_path / "silent.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    try:
        with (
            httpx.Client(transport=PlainTransport(uds=path), base_url="http://d", timeout=0.3) as client,
            pytest.raises(httpx.ReadTimeout),
        ):
            client.get("/_ping")
    finally:
        listener.close()
