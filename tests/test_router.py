"""The request path: the spec through connexion's own layers, with the seams of
pouch_server/_compat/connexion.py (handlers decorated once, parameter validators built once,
Swagger UI only under /ui), on pouchd's app and on small test specs.

Bodies of any media type reach their operation: a tar archive (as ``/images/load`` will take) and
a form, with their 2xx and 4xx answers in pouch's shape.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from connexion.decorators import StarletteDecorator
from helpers import InProcess, PouchD, Served, metric_samples, ping_over, spec
from prometheus_client.parser import text_string_to_metric_families

from pouch_server.app import create_app

OK_JSON = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
ERROR = {"description": "error", "content": {"application/json": {"schema": {"type": "object"}}}}


def test_spec(paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


test_spec.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def call(app: Any, method: str, path: str, **kw: Any) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return await c.request(method, path, **kw)

    return asyncio.run(run())


# --- bodies of other media types ---------------------------------------------------------------

BODIES = test_spec(
    {
        "/load": {
            "post": {
                "operationId": "Load",
                "requestBody": {
                    "required": True,
                    "content": {"application/x-tar": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {**OK_JSON, "400": ERROR, "415": ERROR},
            }
        },
        "/form": {
            "post": {
                "operationId": "Form",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string", "maxLength": 8}},
                            }
                        }
                    },
                },
                "responses": {**OK_JSON, "400": ERROR, "415": ERROR},
            }
        },
    }
)


@pytest.fixture(params=[False, True], ids=["production", "validating"])
def bodies_app(request: pytest.FixtureRequest) -> tuple[Any, list[Any]]:
    got: list[Any] = []

    async def load(body: bytes) -> dict[str, int]:
        got.append(body)
        return {"size": len(body)}

    async def form(body: dict[str, Any]) -> dict[str, str]:
        got.append(body)
        return {"name": body["name"]}

    app = create_app({"Load": load, "Form": form}, spec=BODIES, validate_responses=request.param)
    return app, got


def test_a_tar_body_reaches_its_operation_whole(bodies_app: tuple[Any, list[Any]]) -> None:
    app, got = bodies_app
    archive = bytes(range(256)) * 40  # binary, not UTF-8
    r = call(app, "POST", "/load", content=archive, headers={"Content-Type": "application/x-tar"})
    assert r.status_code == 200 and r.json() == {"size": len(archive)}, r.text
    assert got == [archive]
    # Without a Content-Type the operation's own type is assumed (pouch's Go client sends none).
    r = call(app, "POST", "/load", content=b"abc")
    assert r.status_code == 200 and got[-1] == b"abc"


def test_a_tar_operation_refuses_other_types_and_a_missing_body(bodies_app: tuple[Any, list[Any]]) -> None:
    app, got = bodies_app
    r = call(app, "POST", "/load", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/json"
    assert r.json() == {"message": "Invalid Content-type (application/json), expected ['application/x-tar']"}
    r = call(app, "POST", "/load", headers={"Content-Type": "application/x-tar"})
    assert r.status_code == 400 and "message" in r.json(), r.text
    assert got == []


def test_a_form_body_is_validated_and_reaches_its_operation(bodies_app: tuple[Any, list[Any]]) -> None:
    app, got = bodies_app
    r = call(app, "POST", "/form", data={"name": "pouch"})
    assert r.status_code == 200 and r.json() == {"name": "pouch"}, r.text
    r = call(app, "POST", "/form", data={"other": "x"})
    assert r.status_code == 400 and "name" in r.json()["message"], r.text
    r = call(app, "POST", "/form", data={"name": "much too long"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/json", r.text
    assert got == [{"name": "pouch"}]


# --- the seams: work done once per operation ------------------------------------------------------


def test_each_handler_is_decorated_once_and_each_parameter_validator_built_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decorated: list[str] = []
    upstream_decorate = StarletteDecorator.decorate

    def counting_decorate(self: StarletteDecorator, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated.append(function.__name__)
        return upstream_decorate(self, function)

    monkeypatch.setattr(StarletteDecorator, "decorate", counting_decorate)

    from pouch_server.validation import validator_map

    built: list[int] = []
    parameter_cls = validator_map()["parameter"]

    class CountingParameterValidator(parameter_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(
        "pouch_server.app.validator_map", lambda: {**validator_map(), "parameter": CountingParameterValidator}
    )

    async def things(limit: int = 0) -> dict[str, int]:
        return {"limit": limit}

    app = create_app(
        {"Things": things},
        spec=test_spec(
            {
                "/things": {
                    "get": {
                        "operationId": "Things",
                        "responses": {**OK_JSON, "400": ERROR},
                        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    }
                }
            }
        ),
    )
    for n in range(4):
        r = call(app, "GET", f"/things?limit={n}")
        assert r.json() == {"limit": n}
    assert call(app, "GET", "/things?limit=x").status_code == 400  # still validated, by the same one
    assert decorated == ["things"]
    assert built == [1]


# --- HEAD ----------------------------------------------------------------------------------------


def test_pouchds_spec_declares_each_head_operation_before_its_get() -> None:
    """connexion routes in the spec's order, and Starlette's route for a GET also answers HEAD: a
    HEAD operation declared after its GET would never be reached."""
    for path, item in spec()["paths"].items():
        methods = [m for m in item if m in ("get", "head")]
        if "head" in methods and "get" in methods:
            assert methods.index("head") < methods.index("get"), path


def test_a_head_operation_declared_first_is_its_own_operation() -> None:
    async def get_thing() -> dict[str, int]:
        return {"thing": 1}

    async def head_thing(**_: object) -> tuple[str, int]:
        return "", 200

    app = create_app(
        {"GetThing": get_thing, "HeadThing": head_thing},
        spec=test_spec(
            {
                "/thing": {
                    "head": {
                        "operationId": "HeadThing",
                        "responses": {"200": {"description": "ok"}, "400": ERROR},
                        "parameters": [
                            {"name": "X-Need", "in": "header", "required": True, "schema": {"type": "string"}}
                        ],
                    },
                    "get": {"operationId": "GetThing", "responses": OK_JSON},
                }
            }
        ),
    )
    assert call(app, "GET", "/thing").json() == {"thing": 1}
    assert call(app, "HEAD", "/thing").status_code == 400  # HeadThing's required header
    assert call(app, "HEAD", "/thing", headers={"X-Need": "yes"}).status_code == 200


# --- pouchd's own app -----------------------------------------------------------------------------


@pytest.fixture(params=["production", "validating"])
def app(request: pytest.FixtureRequest, app_factory: Callable[..., InProcess]) -> InProcess:
    return app_factory(validate=request.param == "validating")


def test_operations_with_input_and_unknown_routes_keep_their_answers(app: InProcess) -> None:
    with app.client() as c:
        wrong = c.post("/version")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD"
        # Every method the spec declares for the path, though its HEAD operation comes first.
        assert c.delete("/v1.24/_ping").headers["allow"] == "GET, HEAD"
        assert c.get("/v1.24/daemon/update").headers["allow"] == "POST"
        assert c.get("/no/such/path").json() == {"message": "page not found"}
        assert c.get("/v1.99/version").status_code == 400
        assert c.get("/events", params={"since": "x"}).status_code == 400
        ping = c.head("/_ping")
        assert ping.status_code == 200 and ping.headers["content-type"] == "text/plain"
        assert ping.headers["content-length"] == "2" and ping.content == b""


def request_counts(d: Served) -> dict[tuple[str, str], float]:
    """``pouchd_http_requests_total`` now, by (operation, status)."""
    return {
        (labels["operation"], labels["status"]): value
        for labels, value in metric_samples(d, "pouchd_http_requests_total")
    }


def test_requests_are_counted_by_operation_and_status(app: InProcess) -> None:
    before = request_counts(app)
    with app.client() as c:
        for _ in range(3):
            c.get("/v1.24/version")
        c.get("/version", headers={"Content-Type": "application/json"})
        c.get("/nowhere")
        c.head("/_ping")
        c.head("/v1.24/_ping")
    after = request_counts(app)

    def delta(op: str, status: str) -> float:
        return after.get((op, status), 0) - before.get((op, status), 0)

    assert delta("SystemVersion", "200") == 4
    assert delta("none", "404") == 1
    assert delta("SystemPingHead", "200") == 2  # the spec's HEAD operation, not GET's
    # The histogram counts the same requests, and its buckets are cumulative.
    with app.client() as c:
        families = {f.name: f for f in text_string_to_metric_families(c.get("/metrics").text)}
    samples = families["pouchd_http_request_duration_seconds"].samples
    version = [s for s in samples if s.labels.get("operation") == "SystemVersion" and s.labels["status"] == "200"]
    buckets = [s.value for s in version if s.name.endswith("_bucket")]
    count = next(s.value for s in version if s.name.endswith("_count"))
    assert buckets == sorted(buckets) and buckets[-1] == count >= 4


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("router"), "--header-timeout", "1").start() as d:
        yield d


def test_busy_keep_alive_connection_is_not_cut_but_a_later_stall_is(daemon: PouchD) -> None:
    """Each request moves the connection's one header deadline (1 s here) on; when a request
    then stalls, the deadline still fires on time."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(daemon.sock))
        start = time.monotonic()
        served = 0
        while time.monotonic() - start < 2.5:  # well past the header timeout, in quick requests
            ping_over(s, f"connection closed after {served} requests")
            served += 1
            time.sleep(0.05)
        stalled = time.monotonic()
        s.sendall(b"GET /_pi")
        data = s.recv(4096)
        waited = time.monotonic() - stalled
    assert data.startswith(b"HTTP/1.1 408"), data
    assert 0.5 < waited < 3.0
    assert served > 10


# --- the route index ------------------------------------------------------------------------------


class _Endpoint:
    """An ASGI endpoint that records which route took the request (a class, so that Starlette's
    Route hands it the request as it is)."""

    def __init__(self, name: str, seen: list[str]) -> None:
        self.name, self.seen = name, seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.seen.append(self.name)


def _routes(seen: list[str]) -> list[Any]:
    from starlette.routing import Mount, Route

    def r(path: str, *methods: str) -> Route:
        return Route(path, _Endpoint(f"{'/'.join(methods) or 'any'} {path}", seen), methods=list(methods) or None)

    return [
        r("/", "GET"),
        r("/{kind}/inspect", "GET"),  # before a literal route that matches the same paths
        r("/_ping", "HEAD"),
        r("/_ping", "GET"),
        r("/version", "GET"),
        r("/containers/json", "GET"),
        r("/containers/inspect", "GET"),
        r("/containers/create", "POST"),
        r("/containers/{id}/json", "GET"),
        r("/containers/{id}", "DELETE"),
        r("/containers/{id:int}/top", "GET"),
        r("/{anything}/json", "GET"),  # a parameter first: tried for every path
        r("/images/{name:path}", "GET"),
        r("/images/{name:path}/tag", "POST"),
        r("/a.b/c"),  # any method
        r("/x/", "PUT"),
        r("/img{tag}", "GET"),  # a parameter inside the first segment
        Mount("/m", app=_Endpoint("mount /m", seen)),
    ]


PATHS = [
    "/", "", "//", "/_ping", "/_ping/", "/version", "/version/", "/containers/json", "/containers/json/",
    "/containers/create", "/containers/abc/json", "/containers/abc", "/containers/12/top", "/containers/x/top",
    "/volumes/json", "/images/a/b/c", "/images/a/b/tag", "/images", "/a.b/c", "/aXb/c", "/x", "/x/", "/imgfoo",
    "/img", "/m", "/m/", "/m/deep/er", "/nowhere", "no-slash", "/containers", "/containers/inspect",
]  # fmt: skip


@pytest.mark.parametrize("root_path", ["", "/v1.24"])
def test_the_route_index_picks_what_starlettes_router_picks(root_path: str) -> None:
    """Every request gets, from the indexed router, the route, path parameters and answer (405,
    a trailing-slash redirect, 404) that Starlette's own router gives it over the same routes."""
    from starlette.routing import Router

    from pouch_server._compat.connexion import IndexedRouter

    def run(router_cls: type[Router], method: str, path: str) -> tuple[Any, ...]:
        seen: list[str] = []
        router = router_cls(routes=_routes(seen), default=_Endpoint("default", seen))
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            sent.append((message["type"], message.get("status"), dict(message.get("headers", ())).get(b"location")))

        scope: dict[str, Any] = {
            "type": "http", "method": method, "path": root_path + path, "root_path": root_path,
            "query_string": b"", "headers": [(b"host", b"t")], "scheme": "http", "server": ("t", 80),
        }  # fmt: skip
        asyncio.run(router(scope, receive, send))
        return seen, sent, scope.get("path_params"), getattr(scope.get("route"), "path", None)

    for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "BREW"):
        for path in PATHS:
            assert run(IndexedRouter, method, path) == run(Router, method, path), (method, path)


def test_a_late_route_tries_only_its_own_candidates() -> None:
    """Of pouchd's routes and of a 50-operation spec, a request tries only the routes filed under
    its method and first segment, and each of the 50 operations answers."""
    from bench.inprocess import WIDE_SPEC, build_wide_app

    app = build_wide_app()

    async def requests() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            for path, item in WIDE_SPEC["paths"].items():
                for method in item:
                    r = await c.request(method.upper(), "/v1.24" + path.replace("{id}", "abc"))
                    assert r.status_code == 200, (method, path, r.text)

    asyncio.run(requests())
    from pouch_server._compat.connexion import IndexedRouter

    # PouchMiddleware, then connexion's stack (built by the first request) down to the routing layer.
    layer: Any = app.app
    while layer is not None and not isinstance(getattr(layer, "router", None), IndexedRouter):
        layer = getattr(layer, "app", None)
    assert layer is not None, "no IndexedRouter in the stack"
    router = layer.router
    assert len(router.routes) == 50
    assert [r.path for r in router.candidates("GET", "/secrets/abc/json")] == ["/secrets/json", "/secrets/{id}/json"]
    assert [r.path for r in router.candidates("DELETE", "/secrets/abc")] == ["/secrets/{id}"]
    assert router.candidates("GET", "/nowhere") == []
