"""Searching a registry (pouch_server/managers/images/search.py) over real HTTP on 127.0.0.1: a
small stdlib server answering as Docker Hub's v1 search does, and Debian's docker-registry,
which has no search API."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from pouch_server.errors import APIError
from pouch_server.managers.images.search import parse_results, search, search_endpoints, split_term
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy
from pouch_server.managers.registry.credentials import Credentials
from pouch_testing.httpserver import LoopbackHTTPServer
from pouch_testing.pouchd import free_port
from pouch_testing.registry import Registry, missing_tools

T = TypeVar("T")

HUB_ANSWER = {
    "num_pages": 1,
    "num_results": 2,
    "page": 1,
    "page_size": 25,
    "query": "busybox",
    "results": [
        {
            "name": "busybox",
            "description": "Busybox base image.",
            "star_count": 3000,
            "is_official": True,
            "is_automated": False,
            "is_trusted": False,
        },
        {"name": "someone/busybox", "description": "", "star_count": 2, "is_official": False, "is_automated": True},
    ],
}
ITEMS = [
    {
        "name": "busybox",
        "description": "Busybox base image.",
        "star_count": 3000,
        "is_official": True,
        "is_automated": False,
    },
    {"name": "someone/busybox", "description": "", "star_count": 2, "is_official": False, "is_automated": True},
]


def run(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    return asyncio.run(main())


@dataclass
class SearchServer:
    """Docker Hub's v1 search on 127.0.0.1 (plain HTTP): ``GET /v1/search?q=`` answers
    ``answer`` with ``status``; every request recorded as (path, query, Authorization)."""

    answer: bytes = json.dumps(HUB_ANSWER).encode()
    status: int = 200
    requests: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                server.requests.append((url.path, parse_qs(url.query), self.headers.get("Authorization")))
                found = url.path == "/v1/search"
                body = server.answer if found else b"404 page not found\n"
                self.send_response(server.status if found else 404)
                self.send_header("Content-Type", "application/json" if found else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = LoopbackHTTPServer(Handler, name="search-index").start()
        self.address = self.server.address

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def hub() -> Iterator[SearchServer]:
    server = SearchServer()
    try:
        yield server
    finally:
        server.stop()


def do_search(
    term: str,
    registry: str | None,
    *,
    default_registry: str = "registry.hub.docker.com",
    credentials: Credentials | None = None,
) -> list[dict[str, Any]]:
    return run(
        lambda: search(
            term,
            registry,
            default_registry=default_registry,
            insecure=InsecurePolicy([]),
            credentials=credentials,
        )
    )


def search_error(term: str, registry: str | None, **kw: Any) -> APIError:
    with pytest.raises(APIError) as e:
        do_search(term, registry, **kw)
    return e.value


# ---- a registry with Docker Hub's search ----------------------------------------------------------


def test_search_a_registry_by_address_url_or_term(hub: SearchServer) -> None:
    # host:port (a loopback registry: HTTPS tried first, then plain HTTP), pouch's URL form, the
    # registry named in the term, and the default registry: the same question each time.
    assert do_search("busybox", hub.address) == ITEMS
    assert do_search("busybox", f"http://{hub.address}/v1/") == ITEMS
    assert do_search("busybox", f"http://{hub.address}") == ITEMS
    assert do_search(f"{hub.address}/busybox", None) == ITEMS
    assert do_search("busybox", None, default_registry=hub.address) == ITEMS
    assert [(path, query) for path, query, _ in hub.requests] == [("/v1/search", {"q": ["busybox"]})] * 5
    assert all(auth is None for _, _, auth in hub.requests)


def test_search_sends_basic_credentials_and_the_term_escaped(hub: SearchServer) -> None:
    creds = Credentials("me", "s3cret")
    assert do_search("a b&c=d/é", hub.address, credentials=creds) == ITEMS
    _, query, auth = hub.requests[-1]
    assert query == {"q": ["a b&c=d/é"]}
    assert auth == "Basic " + base64.b64encode(b"me:s3cret").decode()
    # pouch sends them only with both a username and a password.
    do_search("busybox", hub.address, credentials=Credentials(identity_token="tok"))
    assert hub.requests[-1][2] is None


def test_results_are_pouch_search_result_items() -> None:
    odd = {
        "results": [
            {"name": "x"},  # missing fields: their zero values
            {"name": "y", "star_count": "many", "is_official": "yes", "description": None},
            {"name": 5},  # not a result: left out
            "junk",
        ]
    }
    assert parse_results(json.dumps(odd).encode(), "r") == [
        {"name": "x", "description": "", "star_count": 0, "is_official": False, "is_automated": False},
    ]
    assert parse_results(b'{"results": null}', "r") == []
    assert parse_results(b'{"num_results": 0, "results": []}', "r") == []
    for body in (b"[]", b"{}", b"not json", b'{"results": {}}'):
        with pytest.raises(APIError) as e:
            parse_results(body, "r")
        assert (e.value.status, e.value.message) == (
            500,
            "registry r answered the search with something other than search results",
        )


def test_search_errors_from_the_registry(hub: SearchServer) -> None:
    hub.status = 401
    hub.answer = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
    e = search_error("busybox", hub.address)
    assert (e.status, e.message) == (
        403,
        f"registry {hub.address} refused the search: 401 Unauthorized: unauthorized: authentication required",
    )
    hub.status, hub.answer = 502, b"bad gateway"
    e = search_error("busybox", hub.address)
    assert (e.status, e.message) == (500, f"registry {hub.address} answered the search with 502 Bad Gateway")
    hub.status, hub.answer = 200, b"<html>"
    e = search_error("busybox", hub.address)
    assert e.message == f"registry {hub.address} answered the search with something other than search results"
    e = search_error("busybox", f"http://{hub.address}/v2/")
    assert e.message == f"registry {hub.address} has no search endpoint (/v2/search answered 404)"


def test_an_unreachable_registry(tmp_path: Path) -> None:
    port = free_port()
    e = search_error("busybox", f"127.0.0.1:{port}")
    assert e.status == 500
    assert e.message.startswith(f"cannot reach registry 127.0.0.1:{port} to search: https://127.0.0.1:{port}: ")
    assert e.message.endswith(f"; http://127.0.0.1:{port}: connection refused")


def test_bad_input() -> None:
    assert (search_error("", None).status, search_error("", None).message) == (400, "term cannot be empty")
    e = search_error("x" * 2000, None)
    assert (e.status, e.message) == (400, "term longer than 1024 characters")
    e = search_error("https://x/busybox", None)
    assert e.status == 400 and "should not have a scheme" in e.message
    e = search_error("busybox", "ftp://example.com/v1/")
    assert e.status == 400
    e = search_error("busybox", "user:pw@example.com")
    assert e.status == 400 and "pw" not in e.message


def test_where_a_search_goes() -> None:
    def where(registry: str) -> list[tuple[Endpoint, str]]:
        return run(lambda: search_endpoints(registry, InsecurePolicy(["10.0.0.0/8"])))

    hub = [(Endpoint("https", "index.docker.io"), "/v1/")]
    assert where("registry.hub.docker.com") == hub
    assert where("https://index.docker.io/v1/") == hub
    assert where("docker.io") == hub
    assert where("example.com") == [(Endpoint("https", "example.com"), "/v1/")]
    assert where("https://example.com:5000/search/v1") == [(Endpoint("https", "example.com:5000"), "/search/v1/")]
    assert where("http://example.com") == [(Endpoint("http", "example.com"), "/v1/")]
    assert where("10.1.2.3:5000") == [
        (Endpoint("https", "10.1.2.3:5000", verify=False), "/v1/"),
        (Endpoint("http", "10.1.2.3:5000"), "/v1/"),
    ]
    assert where("https://10.1.2.3") == [(Endpoint("https", "10.1.2.3", verify=False), "/v1/")]
    assert split_term("127.0.0.1:5000/busybox") == ("127.0.0.1:5000", "busybox")
    assert split_term("example.com/a/b") == ("example.com", "a/b")
    assert split_term("library/busybox") == (None, "library/busybox")
    assert split_term("localhost/busybox") == (None, "localhost/busybox")  # pouch's rule, not Docker's
    assert split_term("busybox") == (None, "busybox")


# ---- docker-registry: no search -------------------------------------------------------------------


@pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))
def test_docker_registry_has_no_search(tmp_path: Path) -> None:
    with Registry(tmp_path) as registry:
        e = search_error("busybox", registry.address)
    assert (e.status, e.message) == (
        500,
        f"registry {registry.address} has no search endpoint (/v1/search answered 404)",
    )
