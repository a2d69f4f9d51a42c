"""Every status pouchd answers an operation with is documented in that operation's responses.

Checked from the daemon's side: for each operation of the spec the daemon serves (/openapi.json),
each error status that can be provoked from outside is provoked on that operation's path and
method, and the status it really answered is looked up in the operation's documented responses,
which must give the Error schema (or, for HEAD, no body). 500 cannot be provoked from outside by
design; tests/test_spec.py checks that every operation documents it.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import PouchD, run_pouch
from helpers import spec as spec_file
from tls_certs import CA

from pouch_common.limits import MAX_ARCHIVE_BYTES

TIMEOUT = 0.3


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    with PouchD(
        tmp_path_factory.mktemp("responses"),
        "--header-timeout",
        str(TIMEOUT),
        "--body-timeout",
        str(TIMEOUT),
        "--max-body-size",
        "1k",
    ).start() as d:
        yield d


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PouchD, ssl.SSLContext]]:
    tmp = tmp_path_factory.mktemp("responses-tls")
    ca = CA(tmp / "ca")
    server, guest = ca.issue("server", "pouchd", server=True), ca.issue("guest", "guest")
    ctx = ssl.create_default_context(cafile=str(ca.pem))
    ctx.load_cert_chain(guest.cert, guest.key)
    with PouchD(
        tmp,
        "--tlscert",
        str(server.cert),
        "--tlskey",
        str(server.key),
        "--tlscacert",
        str(ca.pem),
        "--tlsverify",
        "--manager-whitelist",
        "admin",
    ).start() as d:
        yield d, ctx


@pytest.fixture(scope="module")
def spec(daemon: PouchD) -> dict[str, Any]:
    with daemon.client() as c:
        served: dict[str, Any] = c.get("/openapi.json").json()
        return served


def operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "head", "post", "put", "patch", "delete")
    ]


def connect(d: PouchD, ctx: ssl.SSLContext | None = None) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", d.port), timeout=5)
    return ctx.wrap_socket(s, server_hostname="127.0.0.1") if ctx else s


def read_answer(s: socket.socket, method: str) -> tuple[int, bytes]:
    """The status and, except for HEAD, the body of one answer (an event stream: its first bytes)."""
    raw = b""
    deadline = time.monotonic() + 5
    while b"\r\n\r\n" not in raw and time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), raw[:200]
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    if method != "HEAD" and "content-length" in headers:
        while len(body) < int(headers["content-length"]) and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split()[1]), body


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def exchange(d: PouchD, data: bytes, method: str, ctx: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    with connect(d, ctx) as s:
        s.sendall(data)
        return read_answer(s, method)


def provoke(d: PouchD, tls: tuple[PouchD, ssl.SSLContext], path: str, method: str) -> dict[int, tuple[int, bytes]]:
    """Try each status that can be provoked from outside on one operation: {status tried: (status
    answered, body)}. 400 is a version prefix out of range, 408 headers that never end, 413 a body
    over --max-body-size (over an archive's own limit for /images/load), 415 a body of a type no
    operation takes (text/plain, JSON in it), 431 headers over 64 KiB, 403 a TLS client
    certificate whose common name is not whitelisted."""
    answers: dict[int, tuple[int, bytes]] = {}
    answers[400] = exchange(d, request(method, "/v9.99" + path), method)
    # An image archive has a limit of its own (pouch_common/limits.py), far above --max-body-size.
    too_long = MAX_ARCHIVE_BYTES + 1 if path == "/images/load" else 2048
    answers[413] = exchange(
        d, request(method, path, "Content-Type: application/json", f"Content-Length: {too_long}"), method
    )
    answers[415] = exchange(
        d, request(method, path, "Content-Type: text/plain", "Connection: close", body=b'{"Labels": ["a=b"]}'), method
    )
    answers[431] = exchange(d, request(method, path, "X-Big: " + "a" * 70_000), method)
    with connect(d) as s:  # the headers never end: cut off after --header-timeout
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        answers[408] = read_answer(s, method)
    tls_daemon, guest = tls
    answers[403] = exchange(
        tls_daemon, request(method, path, "Content-Type: application/json", body=b"{}"), method, guest
    )
    return answers


def documented(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    """The operation's responses, each resolved from components/responses when it is a $ref."""
    out = {}
    for status, response in spec["paths"][path][method.lower()]["responses"].items():
        while "$ref" in response:
            prefix = "#/components/responses/"
            assert response["$ref"].startswith(prefix)
            response = spec["components"]["responses"][response["$ref"][len(prefix) :]]
        out[status] = response
    return out


def test_spec_served_has_every_operation(spec: dict[str, Any]) -> None:
    assert operations(spec) == operations(spec_file())
    assert len(operations(spec)) == 43


def target(path: str) -> str:
    """A request path for the spec's ``path``: an image name in place of ``{imageid}``, with a
    slash in it, as names have."""
    return path.replace("{imageid}", "library/nosuch")


def test_every_answered_status_is_documented(
    daemon: PouchD, tls: tuple[PouchD, ssl.SSLContext], spec: dict[str, Any]
) -> None:
    error_schema = spec["components"]["schemas"]["Error"]
    undocumented = []
    for path, method in operations(spec):
        docs = documented(spec, path, method)
        answers = provoke(daemon, tls, target(path), method)
        body_spec = spec["paths"][path][method.lower()].get("requestBody")
        # A Content-Type is not checked on a request to an operation without a body, nor on one
        # whose body is JSON whatever type it names (exec start: pouch's client says text/plain).
        typed = body_spec is not None and not body_spec.get("x-pouch-any-content-type")
        for tried, (status, body) in answers.items():
            if tried == 415 and not typed:
                assert status != 415, (path, method)
                assert "415" not in docs, f"{method} {path} documents 415 but cannot answer it"
                continue
            assert status == tried, (path, method, tried, status, body[:200])
            if str(status) not in docs:
                undocumented.append(f"{method} {path}: {status}")
                continue
            if method == "HEAD":
                assert "content" not in docs[str(status)], "a HEAD answer has no body"
            else:
                content = docs[str(status)]["content"]
                assert list(content) == ["application/json"], (path, method, status)
                schema = content["application/json"]["schema"]  # served with the $ref resolved, or not
                assert schema in (error_schema, {"$ref": "#/components/schemas/Error"}), (path, method, status)
                message = json.loads(body)
                assert list(message) == ["message"] and isinstance(message["message"], str), body
    assert not undocumented, "answered but not documented:\n" + "\n".join(undocumented)


def test_error_answers_are_shared_components() -> None:
    """In the file as written: each operation's error answers refer to components/responses (one
    text per status, not one per operation), and only the operations with a body of a checked
    type document 415."""
    written = spec_file()
    components = written["components"]["responses"]
    with_415 = []
    for path, item in written["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response) == ["$ref"], (path, method, status)
                    assert response["$ref"].rsplit("/", 1)[1] in components
            if "415" in op["responses"]:
                with_415.append((path, method))
    assert with_415 == [
        ("/auth", "post"),
        ("/daemon/update", "post"),
        ("/images/load", "post"),
        ("/containers/create", "post"),
        ("/containers/{id}/exec", "post"),
        ("/containers/{id}/update", "post"),
    ]
    assert written["paths"]["/_ping"]["head"]["responses"]["400"] == {"$ref": "#/components/responses/ErrorWithoutBody"}
    assert "content" not in components["ErrorWithoutBody"]
    assert components["UnsupportedMediaType"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # connexion's import
def test_the_spec_declares_no_security_so_the_stack_leaves_that_layer_out() -> None:
    """pouchd's stack has no security layer (pouch_server/app.py): right only while the spec
    asks for nothing to enforce."""
    from connexion.middleware.security import SecurityMiddleware

    from pouch_server.app import load_spec, middlewares

    spec = load_spec()
    assert spec["security"] == [] and "securitySchemes" not in spec.get("components", {})
    assert all(not op.get("security") for item in spec["paths"].values() for op in item.values())
    for validating in (False, True):
        assert SecurityMiddleware not in middlewares(validate_responses=validating)


def test_cli_on_a_documented_status_that_is_not_pouchs_json() -> None:
    """The generated client parses every documented error status as the Error schema; an answer
    from something else (a proxy's HTML 403) is still one line from pouch, with the status."""
    import http.server

    from pouch_testing.httpserver import LoopbackHTTPServer

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>403 Forbidden</body></html>"
            self.send_response(403)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    with LoopbackHTTPServer(Proxy, name="html-proxy") as server:
        host = f"tcp://{server.address}"
        for command, action in (("version", "failed to get system version"), ("info", "failed to get system info")):
            r = run_pouch(command, host=host, env={"POUCH_API_VERSION": "v1.24"})
            assert r.returncode == 1
            assert r.stderr == f"Error: {action}: unexpected status 403: <html><body>403 Forbidden</body></html>\n"
