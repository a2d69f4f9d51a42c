"""SIGTERM/SIGINT: stop accepting, finish in-flight requests, end event streams, exit 0."""

from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest
from conftest import PouchD


def open_stream(d: PouchD) -> socket.socket:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(str(d.sock))
    s.sendall(b"GET /v1.24/events HTTP/1.1\r\nHost: d\r\n\r\n")
    return s


def read_until_eof(s: socket.socket, limit: float = 20.0) -> bytes:
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk
    raise AssertionError("stream did not end")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_graceful_stop(pouchd_factory, tmp_path, sig: int) -> None:
    pidfile = tmp_path / "pid"
    d: PouchD = pouchd_factory("--pidfile", str(pidfile))
    stream = open_stream(d)
    time.sleep(0.2)  # let the subscription register
    # A request in flight: headers and half of the body sent before the signal.
    body = json.dumps({"Labels": ["inflight=yes"]}).encode()
    req = socket.socket(socket.AF_UNIX)
    req.settimeout(20)
    req.connect(str(d.sock))
    req.sendall(b"POST /v1.24/daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
    time.sleep(0.2)
    d.proc.send_signal(sig)
    time.sleep(0.3)
    # New connections are refused once the daemon stops accepting...
    with pytest.raises(OSError), socket.socket(socket.AF_UNIX) as late:
        late.settimeout(2)
        late.connect(str(d.sock))
        late.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
        if not late.recv(100):
            raise ConnectionResetError("closed without an answer")
    # ...but the request in flight is finished and answered.
    req.sendall(body[10:])
    answer = read_until_eof(req)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    # The live stream got `daemon stop` and then a clean end of stream.
    streamed = read_until_eof(stream)
    assert b'"action":"stop"' in streamed and streamed.rstrip().endswith(b"0")  # last chunk of chunked encoding
    assert d.proc.wait(20) == 0
    assert not d.sock.exists() and not pidfile.exists()
    assert "Traceback" not in d.logs()
    # The update answered 200 during shutdown is kept.
    d.start()
    assert "inflight=yes" in d.client().get("/info").json()["Labels"]


def test_stop_is_bounded_with_a_client_that_never_reads(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    stuck = open_stream(d)  # never read from
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for i in range(50):
        assert d.client().post("/daemon/update", json={"Labels": [f"k{i}=" + "v" * 200]}).status_code == 200
    start = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(30) == 0
    assert time.monotonic() - start < 15  # the 10 s grace period, then the stream is cancelled
    stuck.close()
    assert not d.sock.exists()


def test_sigkill_then_restart_keeps_socket_path_usable(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    os.kill(d.proc.pid, signal.SIGKILL)
    d.proc.wait(10)
    d.start()
    assert d.client().get("/_ping").text == "OK"
