"""The direct dispatch of input-free operations (pouch_server/fastpath.py, item 6) answers exactly
as connexion's full stack does, in production mode and with response validation on.

A request that sends a Content-Type header always takes the full stack (request validation has
something to check then), so the same request with and without that header compares the two paths,
on pouchd's app in this process; a connection's header deadline is the protocol's, on a pouchd.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from helpers import InProcess, PouchD, Served, metric_samples
from prometheus_client.parser import text_string_to_metric_families

# Headers that legitimately differ between two answers.
VOLATILE = {"date", "x-request-id"}


@pytest.fixture(scope="module", params=["production", "validating"])
def daemon(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp(request.param), "--header-timeout", "1",
                validate=request.param == "validating").start() as d:
        yield d


@pytest.fixture(params=["production", "validating"])
def app(request: pytest.FixtureRequest, app_factory: Callable[..., InProcess]) -> InProcess:
    return app_factory(validate=request.param == "validating")


def both_paths(d: Served, method: str, path: str) -> tuple[httpx.Response, httpx.Response]:
    with d.client() as c:
        direct = c.request(method, path)
        full = c.request(method, path, headers={"Content-Type": "application/json"})
    return direct, full


def stable_headers(r: httpx.Response, *ignore: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in r.headers.multi_items() if k not in VOLATILE and k not in ignore]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_ping"), ("HEAD", "/_ping"), ("GET", "/v1.24/_ping"), ("GET", "/version"),
    ("GET", "/v1.24/version"), ("GET", "/v1.24.0/version"), ("HEAD", "/version"),
])
def test_direct_answer_is_the_full_stack_answer(app: InProcess, method: str, path: str) -> None:
    direct, full = both_paths(app, method, path)
    assert direct.status_code == full.status_code == 200
    assert stable_headers(direct) == stable_headers(full)
    assert direct.content == full.content


def test_info_and_metrics_have_the_same_shape_on_both_paths(app: InProcess) -> None:
    direct, full = both_paths(app, "GET", "/v1.24/info")
    assert stable_headers(direct, "content-length") == stable_headers(full, "content-length")
    assert direct.json().keys() == full.json().keys()
    assert direct.json()["ID"] == full.json()["ID"]
    direct, full = both_paths(app, "GET", "/metrics")
    assert direct.status_code == full.status_code == 200
    assert stable_headers(direct, "content-length") == stable_headers(full, "content-length")
    assert direct.headers["content-type"] == "text/plain"
    assert "engine_daemon_engine_info" in direct.text and "engine_daemon_engine_info" in full.text


def test_operations_with_input_and_unknown_routes_keep_their_answers(app: InProcess) -> None:
    with app.client() as c:
        assert c.post("/version").status_code == 405
        assert c.get("/no/such/path").json() == {"message": "page not found"}
        assert c.get("/v1.99/version").status_code == 400
        assert c.get("/events", params={"since": "x"}).status_code == 400


def request_counts(d: Served) -> dict[tuple[str, str], float]:
    """``pouchd_http_requests_total`` now, by (operation, status)."""
    return {(labels["operation"], labels["status"]): value
            for labels, value in metric_samples(d, "pouchd_http_requests_total")}


def test_requests_on_both_paths_are_counted_by_operation_and_status(app: InProcess) -> None:
    before = request_counts(app)
    with app.client() as c:
        for _ in range(3):
            c.get("/v1.24/version")
        c.get("/version", headers={"Content-Type": "application/json"})
        c.get("/nowhere")
        c.head("/_ping")
        c.head("/_ping", headers={"Content-Type": "application/json"})
    after = request_counts(app)

    def delta(op: str, status: str) -> float:
        return after.get((op, status), 0) - before.get((op, status), 0)

    assert delta("SystemVersion", "200") == 4
    assert delta("none", "404") == 1
    assert delta("SystemPingHead", "200") == 2  # the spec's HEAD operation, on both paths
    # The histogram counts the same requests, and its buckets are cumulative.
    with app.client() as c:
        families = {f.name: f for f in text_string_to_metric_families(c.get("/metrics").text)}
    samples = families["pouchd_http_request_duration_seconds"].samples
    version = [s for s in samples if s.labels.get("operation") == "SystemVersion" and s.labels["status"] == "200"]
    buckets = [s.value for s in version if s.name.endswith("_bucket")]
    count = next(s.value for s in version if s.name.endswith("_count"))
    assert buckets == sorted(buckets) and buckets[-1] == count >= 4


def test_busy_keep_alive_connection_is_not_cut_but_a_later_stall_is(daemon: PouchD) -> None:
    """Each request moves the connection's one header deadline (1 s here) on; when a request
    then stalls, the deadline still fires on time."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(daemon.sock))
        start = time.monotonic()
        served = 0
        while time.monotonic() - start < 2.5:  # well past the header timeout, in quick requests
            s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
            reply = b""
            while not reply.endswith(b"\r\n\r\nOK"):
                chunk = s.recv(4096)
                assert chunk, f"connection closed after {served} requests"
                reply += chunk
            assert reply.startswith(b"HTTP/1.1 200 ")
            served += 1
            time.sleep(0.05)
        stalled = time.monotonic()
        s.sendall(b"GET /_pi")
        data = s.recv(4096)
        waited = time.monotonic() - stalled
    assert data.startswith(b"HTTP/1.1 408"), data
    assert 0.5 < waited < 3.0
    assert served > 10


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # connexion's import
def test_a_spec_head_operation_with_input_is_not_answered_by_its_get() -> None:
    """In-process, on a small spec: HEAD /thing is its own operation (with a required header), so
    the direct table must not hand HEAD to GET /thing's direct operation, as the router does not."""
    import asyncio

    from connexion import AsyncApp

    from pouch_server._compat.connexion import use_api_class
    from pouch_server.app import OperationResolver
    from pouch_server.fastpath import CachedAsyncApi, middlewares

    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
    spec = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/thing": {
            "get": {"operationId": "GetThing", "responses": ok},
            "head": {"operationId": "HeadThing", "responses": {"200": {"description": "ok"}},
                     "parameters": [{"name": "X-Need", "in": "header", "required": True,
                                     "schema": {"type": "string"}}]},
        }},
    }

    async def get_thing() -> dict:
        return {"thing": 1}

    async def head_thing(**_: object) -> tuple[str, int]:
        return "", 200

    app = AsyncApp(__name__, middlewares=middlewares(False))
    use_api_class(app, CachedAsyncApi)  # connexion's private app layer, reached through the fence
    app.add_api(spec, base_path="", resolver=OperationResolver({"GetThing": get_thing, "HeadThing": head_thing}))

    async def run() -> tuple[int, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            get = await c.get("/thing")
            head_without = await c.head("/thing")
            head_with = await c.head("/thing", headers={"X-Need": "yes"})
        return get.status_code, head_without.status_code, head_with.status_code

    assert asyncio.run(run()) == (200, 400, 200)
