"""What every answer of a real pouchd carries on the wire, whichever layer made it: the standard
headers (``api-version``, ``server``) and the request's id (``x-request-id``), each exactly once.

In pouchd the protocol stamps them (pouch_server/protocol.py); the app's outermost layer adds them
only under another ASGI server, which is what the in-process tests see (tests/test_negotiation.py).
So these requests go to a pouchd subprocess, as raw bytes over its socket, and the answers are
read as raw bytes too: a header written twice would be folded into one by any HTTP client.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from helpers import PouchD, raw_exchange, split_response_lines

from pouch_common.version import API_VERSION, __version__

RID = re.compile(r"[0-9a-f]{12}")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("wire"), "--max-body-size", "64k").start() as d:
        yield d


def answer(d: PouchD, request: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request on its own connection, its answer read raw (header repeats kept)."""
    return split_response_lines(raw_exchange(d, request))


def values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k == name]


def get(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n".encode()


def post(path: str, body: bytes, content_type: str | None = "application/json") -> bytes:
    typed = f"Content-Type: {content_type}\r\n" if content_type else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n{typed}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def requests_of_every_kind() -> list[tuple[bytes, int]]:
    """A request answered by each layer in turn, and the status it gets."""
    now = int(time.time())
    return [
        (get("/_ping"), 200),  # the direct dispatch of input-free operations
        (get("/_ping", "HEAD"), 200),
        (get("/v1.24/version"), 200),
        (get("/v1.24/info"), 200),
        (get("/metrics"), 200),  # text, not JSON
        (get(f"/v1.24/events?since=0&until={now + 1}"), 200),  # a stream (chunked) that ends
        (get("/v1.24/ui/"), 200),  # Swagger UI's layer
        (get("/v1.24/nope"), 404),  # connexion's router, through pouch's error handlers
        (get("/_ping", "DELETE"), 405),
        (get("/v1.99/version"), 400),  # the version prefix, answered by the outermost layer
        (get("/v1.24/events?filters=%7Bnot"), 400),  # parameter validation
        (post("/v1.24/daemon/update", b'{"Labels": 5}'), 400),  # body validation
        (post("/v1.24/daemon/update", b'{"Labels": ["wire=1"]}', content_type=None), 200),  # Go's POST
        (post("/v1.24/daemon/update", b"Labels=x", content_type="text/plain"), 415),
        (post("/v1.24/auth", b'{"Username": 1}'), 400),
    ]


def test_every_answer_of_the_app_carries_the_standard_headers_and_its_own_request_id_once(daemon: PouchD) -> None:
    ids = []
    for request, status in requests_of_every_kind():
        got, headers, body = answer(daemon, request)
        where = f"{request.splitlines()[0]!r} -> {got} {headers}"
        assert got == status, where
        assert values(headers, "api-version") == [API_VERSION], where
        assert values(headers, "server") == [f"pouchd/{__version__}"], where
        (rid,) = values(headers, "x-request-id")
        assert RID.fullmatch(rid), where
        ids.append(rid)
        if status >= 400:
            assert values(headers, "content-type") == ["application/json"] and "message" in json.loads(body), where
    assert len(set(ids)) == len(ids), ids  # one id per request


def test_the_protocols_own_answers_carry_the_standard_headers_once(daemon: PouchD) -> None:
    # Refused before any app saw them: no request id (no request was handed on).
    for request, status in [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (post("/v1.24/daemon/update", b"x" * (65 * 1024)), 413),  # by its Content-Length
    ]:
        got, headers, _ = answer(daemon, request)
        assert got == status, headers
        assert values(headers, "api-version") == [API_VERSION] and len(values(headers, "server")) == 1, headers
        assert values(headers, "x-request-id") == [], headers


def test_a_body_refused_after_the_request_was_handed_on_carries_its_request_id(daemon: PouchD) -> None:
    # A chunked body has no length to refuse it by: the app already has the request when the
    # protocol counts past the limit, and the 413 names the id the app knows it by.
    chunk = b"x" * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(9)) + b"0\r\n\r\n"
    request = (
        b"POST /v1.24/daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + body
    )
    got, headers, _ = answer(daemon, request)
    assert got == 413, headers
    (rid,) = values(headers, "x-request-id")
    assert RID.fullmatch(rid) and values(headers, "api-version") == [API_VERSION], headers


def test_a_500_names_the_request_id_its_answer_carries(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    state = d.home / "daemon-state.json"
    state.unlink(missing_ok=True)
    state.mkdir()  # the state file can no longer be replaced: the update handler fails
    got, headers, body = answer(d, post("/v1.24/daemon/update", b'{"Labels": ["a=b"]}'))
    assert got == 500, body
    (rid,) = values(headers, "x-request-id")
    assert json.loads(body) == {"message": f"internal server error (request id {rid})"}
    assert values(headers, "api-version") == [API_VERSION]
    d.stop()
    assert f"request {rid} failed" in d.logs()
