"""TLS on TCP listeners: server certificate, client certificates signed by the CA, CN whitelist."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import PouchD, metric_samples, pouchd_command, run_pouch, wait_for
from tls_certs import CA

from pouch_server.tls import PEER_COMMON_NAME, ManagerWhitelist


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("pki")
    ca = CA(d / "ca")
    other = CA(d / "other", name="some other CA")
    return {
        "ca": ca,
        "server": ca.issue("server", "pouchd", server=True),
        "admin": ca.issue("admin", "admin"),
        "guest": ca.issue("guest", "guest"),
        "rogue": other.issue("rogue", "admin"),
        "other_ca": other,
    }


@pytest.fixture(scope="module")
def tls_daemon(tmp_path_factory: pytest.TempPathFactory, pki: dict) -> Iterator[PouchD]:
    with PouchD(
        tmp_path_factory.mktemp("tlsd"),
        "--tlscert",
        str(pki["server"].cert),
        "--tlskey",
        str(pki["server"].key),
        "--tlscacert",
        str(pki["ca"].pem),
        "--tlsverify",
        "--manager-whitelist",
        "admin,ops",
        "-D",
    ).start() as d:
        yield d


def tls_args(pki: dict, who: str, ca: Path | None = None) -> list[str]:
    return [
        "--tlsverify",
        "--tlscacert",
        str(ca or pki["ca"].pem),
        "--tlscert",
        str(pki[who].cert),
        "--tlskey",
        str(pki[who].key),
    ]


def test_unix_socket_stays_plain(tls_daemon: PouchD) -> None:
    assert tls_daemon.client().get("/_ping").text == "OK"
    assert run_pouch("version", host=tls_daemon.host).returncode == 0


def test_whitelisted_client(tls_daemon: PouchD, pki: dict) -> None:
    r = run_pouch(*tls_args(pki, "admin"), "version", host=f"tcp://127.0.0.1:{tls_daemon.port}")
    assert r.returncode == 0, r.stderr
    assert "Version:         1.0.0" in r.stdout


def test_client_not_in_whitelist_gets_403(tls_daemon: PouchD, pki: dict) -> None:
    r = run_pouch(*tls_args(pki, "guest"), "version", host=f"tcp://127.0.0.1:{tls_daemon.port}")
    assert r.returncode == 1
    assert r.stderr == "Error: failed to get system version: tls verified error.\n"
    ctx = ssl.create_default_context(cafile=str(pki["ca"].pem))
    ctx.load_cert_chain(pki["guest"].cert, pki["guest"].key)
    resp = httpx.get(f"https://127.0.0.1:{tls_daemon.port}/_ping", verify=ctx)
    assert resp.status_code == 403 and resp.json() == {"message": "tls verified error."}
    assert resp.headers["content-type"] == "application/json"


def refused_count(d: PouchD) -> float:
    """``pouchd_http_requests_total`` for requests refused before routing with a 403."""
    return sum(
        value
        for labels, value in metric_samples(d, "pouchd_http_requests_total")
        if labels == {"operation": "none", "status": "403"}
    )


def test_refused_client_is_answered_logged_and_counted_like_any_other(tls_daemon: PouchD, pki: dict) -> None:
    ctx = ssl.create_default_context(cafile=str(pki["ca"].pem))
    ctx.load_cert_chain(pki["guest"].cert, pki["guest"].key)
    before = refused_count(tls_daemon)
    resp = httpx.get(f"https://127.0.0.1:{tls_daemon.port}/v1.24/info", verify=ctx)
    assert resp.status_code == 403 and resp.json() == {"message": "tls verified error."}
    assert resp.headers["api-version"] == "1.24" and resp.headers["server"] == "pouchd/1.0.0"
    rid = resp.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{12}", rid)
    assert refused_count(tls_daemon) == before + 1
    line = re.compile(rf"pouchd\.access: GET /v1\.24/info 403 [0-9.]+ms id={rid}$", re.M)
    assert wait_for(lambda: line.search(tls_daemon.logs()), timeout=5), tls_daemon.logs()[-2000:]


def test_whitelisted_client_gets_the_standard_headers(tls_daemon: PouchD, pki: dict) -> None:
    ctx = ssl.create_default_context(cafile=str(pki["ca"].pem))
    ctx.load_cert_chain(pki["admin"].cert, pki["admin"].key)
    resp = httpx.get(f"https://127.0.0.1:{tls_daemon.port}/_ping", verify=ctx)
    assert resp.status_code == 200 and resp.text == "OK"
    assert resp.headers["api-version"] == "1.24" and re.fullmatch(r"[0-9a-f]{12}", resp.headers["x-request-id"])


def whitelist_status(scope: dict[str, Any]) -> int:
    """The status ManagerWhitelist answers ``scope`` with; 0 when it passes the request on."""
    status = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        pass

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    asyncio.run(ManagerWhitelist(app, frozenset({"admin", "ops"}))(scope, receive, send))
    return status


@pytest.mark.parametrize(
    ("scheme", "extensions", "status"),
    [
        ("https", {PEER_COMMON_NAME: "admin"}, 0),
        ("https", {PEER_COMMON_NAME: "guest"}, 403),
        ("https", {PEER_COMMON_NAME: None}, 403),  # a certificate without a common name
        ("https", {}, 403),  # no name handed over: refused, never let through
        ("http", {}, 0),  # unix sockets and plain TCP are not subject to the whitelist
    ],
)
def test_whitelist_layer(scheme: str, extensions: dict[str, Any], status: int) -> None:
    scope = {"type": "http", "scheme": scheme, "method": "GET", "path": "/_ping", "extensions": extensions}
    assert whitelist_status(scope) == status


def test_no_client_certificate_is_refused(tls_daemon: PouchD, pki: dict) -> None:
    r = run_pouch(
        "--tlsverify", "--tlscacert", str(pki["ca"].pem), "version", host=f"tcp://127.0.0.1:{tls_daemon.port}"
    )
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to get system version: ")
    assert "Traceback" not in r.stderr


def test_client_certificate_from_another_ca_is_refused(tls_daemon: PouchD, pki: dict) -> None:
    r = run_pouch(*tls_args(pki, "rogue"), "version", host=f"tcp://127.0.0.1:{tls_daemon.port}")
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to get system version: ")


def test_client_trusting_the_wrong_ca_refuses_the_daemon(tls_daemon: PouchD, pki: dict) -> None:
    r = run_pouch(*tls_args(pki, "admin", ca=pki["other_ca"].pem), "version", host=f"tcp://127.0.0.1:{tls_daemon.port}")
    assert r.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in r.stderr


def test_plain_http_on_tls_port_is_refused(tls_daemon: PouchD) -> None:
    r = run_pouch("version", host=f"tcp://127.0.0.1:{tls_daemon.port}")
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to get system version: ")
    resp = httpx.get(f"http://127.0.0.1:{tls_daemon.port}/_ping", timeout=5)
    assert resp.status_code == 400 and resp.text == "Client sent an HTTP request to an HTTPS server.\n"
    assert tls_daemon.client().get("/_ping").text == "OK"  # and the daemon keeps serving


# ---- what reaches a TLS port before TLS: pouch_server/tls.py's TLSListenerProtocol ----------------
# Once with asyncio's loop (-D) and once with uvloop (pouchd's loop without -D): the connection
# changes protocol under each loop's own transport.

GO_PLAIN_HTTP_ANSWER = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"


@pytest.fixture(scope="module", params=["asyncio", "uvloop"])
def tls_port(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pki: dict) -> Iterator[int]:
    debug = ["-D"] if request.param == "asyncio" else []
    with PouchD(
        tmp_path_factory.mktemp("tls-" + request.param),
        "--tlscert",
        str(pki["server"].cert),
        "--tlskey",
        str(pki["server"].key),
        "--header-timeout",
        "1",
        *debug,
    ).start() as d:
        assert d.port is not None
        yield d.port


def raw_exchange(port: int, *pieces: bytes, half_close: bool = False) -> bytes:
    """Send ``pieces`` over plain TCP, one write each; everything read until the daemon closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(0.02)  # each its own segment
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
        return out


@pytest.mark.parametrize(
    "pieces",
    [
        [b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"],
        [b"GE", b"T /_ping HTTP/1.1\r\n"],  # the record header arrives in two reads
        [b"HEAD / HTTP/1.1\r\n\r\n"],
        [b"POST /v1.24/daemon/update HTTP/1.1\r\n\r\n"],
        [b"PUT /x HTTP/1.1\r\n\r\n"],
        [b"OPTIONS * HTTP/1.1\r\n\r\n"],
    ],
)
def test_plain_http_to_a_tls_port_gets_gos_answer(tls_port: int, pieces: list[bytes]) -> None:
    assert raw_exchange(tls_port, *pieces) == GO_PLAIN_HTTP_ANSWER


@pytest.mark.parametrize(
    ("pieces", "half_close"),
    [
        ([b"DELETE /x HTTP/1.1\r\n\r\n"], False),  # not among Go's HTTP-looking headers
        ([b"\x00\x01\x02\x03\x04\x05"], False),  # no TLS record either
        ([b"\x16\x03"], True),  # less than a record header, then the end
    ],
)
def test_other_non_tls_bytes_are_closed_on_without_an_answer(
    tls_port: int, pieces: list[bytes], half_close: bool
) -> None:
    assert raw_exchange(tls_port, *pieces, half_close=half_close) == b""


def test_a_silent_connection_is_closed_after_the_header_timeout(tls_port: int) -> None:
    start = time.monotonic()
    assert raw_exchange(tls_port) == b""
    assert 0.9 < time.monotonic() - start < 5


def tls_exchange(port: int, ca: Path, request: bytes, piece: int) -> bytes:
    """``request`` over TLS, the client's handshake messages sent ``piece`` bytes per write (the
    request in one); the decrypted answer, read until the daemon closes."""
    tls = ssl.create_default_context(cafile=str(ca)).wrap_bio(
        incoming := ssl.MemoryBIO(), outgoing := ssl.MemoryBIO(), server_hostname="127.0.0.1"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def flush(size: int = 1 << 20) -> None:
            data = outgoing.read()
            for i in range(0, len(data), size):
                sock.sendall(data[i : i + size])
                time.sleep(0.002)

        def fill() -> bool:
            data = sock.recv(65536)
            incoming.write(data) if data else incoming.write_eof()
            return bool(data)

        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                flush(piece)
                assert fill(), "closed during the handshake"
        flush(piece)
        tls.write(request)
        flush()
        out = b""
        for _ in range(10_000):
            try:
                chunk = tls.read(65536)
            except ssl.SSLWantReadError:
                if not fill():
                    return out
                continue
            if not chunk:  # the daemon's close_notify
                return out
            out += chunk
        raise AssertionError("no end of the answer in 10000 reads")


@pytest.mark.parametrize("piece", [3, 1 << 16])
def test_tls_clients_are_served_also_when_their_hello_comes_in_pieces(tls_port: int, pki: dict, piece: int) -> None:
    labels = [f"k{i}=" + "v" * 200 for i in range(100)]  # a body of some 20 kB, read through TLS
    body = json.dumps({"Labels": labels}).encode()
    request = (
        b"POST /v1.24/daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
    ) + body
    answer = tls_exchange(tls_port, pki["ca"].pem, request, piece)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer[:300]
    answer = tls_exchange(tls_port, pki["ca"].pem, b"GET /info HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", piece)
    head, _, info = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and json.loads(info)["Labels"] == labels


def test_cert_path_and_tls_verify_from_env(tls_daemon: PouchD, pki: dict, tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(pki["ca"].pem, certs / "ca.pem")
    shutil.copy(pki["admin"].cert, certs / "cert.pem")
    shutil.copy(pki["admin"].key, certs / "key.pem")
    r = run_pouch(
        "info",
        "-f",
        "{{.ServerVersion}}",
        host=f"tcp://127.0.0.1:{tls_daemon.port}",
        env={"POUCH_CERT_PATH": str(certs), "POUCH_TLS_VERIFY": "1"},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "1.0.0\n"


def test_tls_without_client_verification(pouchd_factory, pki: dict) -> None:
    d: PouchD = pouchd_factory("--tlscert", str(pki["server"].cert), "--tlskey", str(pki["server"].key))
    r = run_pouch("--tlsverify", "--tlscacert", str(pki["ca"].pem), "version", host=f"tcp://127.0.0.1:{d.port}")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tlscert", "x.pem"], "must be given together"),
        (["--tlsverify"], "--tlsverify needs --tlscacert"),
        (["--tlscert", "/nonexistent.pem", "--tlskey", "/nonexistent.pem"], "no such file"),
    ],
)
def test_bad_tls_flags(tmp_path: Path, args: list[str], needle: str) -> None:
    r = subprocess.run(
        pouchd_command("--config-file", "", "--home-dir", str(tmp_path), "-l", "tcp://127.0.0.1:0", *args),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1 and needle in r.stderr and "Traceback" not in r.stderr


def test_bad_certificate_is_a_start_up_error(tmp_path: Path, pki: dict) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    r = subprocess.run(
        pouchd_command(
            "--config-file",
            "",
            "--home-dir",
            str(tmp_path),
            "-l",
            f"unix://{tmp_path}/s.sock",
            "-l",
            "tcp://127.0.0.1:0",
            "--tlscert",
            str(bad),
            "--tlskey",
            str(pki["server"].key),
        ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1 and "cannot set up TLS" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "s.sock").exists()


def test_plain_tcp_on_non_loopback_warns(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        port = s.getsockname()[1]
    d = PouchD(tmp_path, "--listen", f"tcp://0.0.0.0:{port}", tcp=False)
    d.start()
    d.stop()
    assert "without TLS" in d.logs()
