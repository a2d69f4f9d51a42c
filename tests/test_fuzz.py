"""Contract fuzzing: Schemathesis against a live pouchd, from the spec the daemon serves.

Every operation of the spec served at ``/v1.24/openapi.json`` (and again at the unversioned
``/openapi.json``) is fuzzed over TCP with schema-valid (positive) and schema-invalid (negative)
requests, in Schemathesis' examples, coverage and fuzzing phases, and every response goes through
all of its built-in checks: no server errors, documented status codes, content types and headers,
response bodies that match their schemas, valid data accepted and invalid data rejected. Rules
the spec can state only in prose are checked here instead (see ``prose_rule``). A positive-only
run of ``POST /auth`` with the right credentials covers the successful login.

Some operations reach beyond one request and one answer, and are kept on a leash:

* ``POST /auth`` makes the daemon contact a registry. Every generated body that is a JSON object
  has its ServerAddress replaced by a registry on 127.0.0.1 (tests/registry.py); that registry is
  also the daemon's default registry (for an empty address); and the daemon's HTTP(S) proxy is a
  trap on 127.0.0.1 that fails this module if the daemon ever asks it for anything, i.e. if any
  request went to an address other than 127.0.0.1 or localhost.
* the image operations that contact a registry (pull, push, search) have every registry named in
  their input replaced by the loopback one (which is also the default registry), under the same
  proxy trap.
* ``GET /events`` streams until ``until``: every case gets an ``until`` no later than now, so
  that each stream ends after its replay.

``POUCH_FUZZ_EXAMPLES`` (default 40) bounds the fuzzing phase per operation and mode. The data
come from one seed (:data:`SEED`): a fixed one in CI, so that a run there is the same run every
time; a new one each run elsewhere, to explore. Every failure names its seed, and
``POUCH_FUZZ_SEED`` replays it.
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
import schemathesis
from connexion.json_schema import Draft4RequestValidator
from helpers import PouchD, info
from registry import Registry, htpasswd_registry_fixture, missing_tools
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
)

from pouch_common.labels import labels_limit_problem, merge_labels
from pouch_server.bodies import BodyReader, go_fold
from pouch_server.managers.events import FilterError, parse_timestamp

USER = "fuzzer"
PASSWORD = "fuzz-Pa55-w0rd"
MAX_EXAMPLES = int(os.environ.get("POUCH_FUZZ_EXAMPLES", "40"))
# CI's seed is fixed: a CI failure is then a change in the code or the spec, not the luck of a draw.
CI_SEED = 7919
SEED = int(os.environ.get("POUCH_FUZZ_SEED") or (CI_SEED if os.environ.get("CI") else random.getrandbits(64)))
REPLAY = f"schemathesis seed {SEED}: replay with POUCH_FUZZ_SEED={SEED} pytest tests/test_fuzz.py"
REQUEST_TIMEOUT = 15.0  # a stream that does not end fails the case instead of hanging the run


class ProxyTrap:
    """A TCP listener on 127.0.0.1 posing as the daemon's HTTP(S) proxy: it records every
    connection (and its first line, e.g. ``CONNECT host:443``) and closes it at once."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.hits: list[str] = []
        self.thread = threading.Thread(target=self._serve, name="proxy-trap", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                except OSError:
                    first = "(nothing read)"
                self.hits.append(first)

    def close(self) -> None:
        self.sock.close()


# A real registry on 127.0.0.1 for /auth, or None when its tools are missing.
registry = htpasswd_registry_fixture("fuzz-registry", {USER: PASSWORD}, optional=True)


@pytest.fixture(scope="module")
def proxy_trap() -> Iterator[ProxyTrap]:
    trap = ProxyTrap()
    yield trap
    trap.close()
    assert not trap.hits, f"pouchd tried to reach an address off 127.0.0.1/localhost: {trap.hits}"


def leash_env(trap: ProxyTrap) -> dict[str, str]:
    """The daemon's environment: requests to anything but 127.0.0.1/localhost go to the trap."""
    no_proxy = "127.0.0.1,localhost,::1"
    env = {name: trap.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    env |= {name.lower(): value for name, value in env.items()}
    return env | {"NO_PROXY": no_proxy, "no_proxy": no_proxy}


@pytest.fixture(scope="module")
def fuzz_daemon(
    tmp_path_factory: pytest.TempPathFactory, registry: Registry | None, proxy_trap: ProxyTrap
) -> Iterator[PouchD]:
    """One pouchd on a unix socket and 127.0.0.1, whose only way out is the loopback registry."""
    # An empty ServerAddress means the default registry: make that the loopback one too.
    default_registry = registry.address if registry else "127.0.0.1:1"
    with PouchD(
        tmp_path_factory.mktemp("fuzz-pouchd"), "--default-registry", default_registry, env=leash_env(proxy_trap)
    ).start() as d:
        yield d


def load_schema(daemon: PouchD, prefix: str, mode: str, operations: list[dict[str, Any]] | None = None) -> Any:
    """The spec as the daemon serves it under ``prefix``, generating ``mode`` data; ``operations``
    are Schemathesis' per-operation settings (e.g. ``enabled: false`` to leave one out)."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "operations": operations or [],
            "cache": {"enabled": False},
            "generation": {
                "mode": mode,
                "max-examples": MAX_EXAMPLES,
                "database": "none",  # nothing written into the work tree
            },
            "request-timeout": REQUEST_TIMEOUT,
        }
    )
    # The served spec's `servers` is the prefix it was fetched under: requests go there too.
    return schemathesis.openapi.from_url(f"{daemon.url}{prefix}/openapi.json", config=config, timeout=10)


@pytest.fixture(scope="module", params=["/v1.24", ""], ids=["v1.24", "unversioned"])
def api_schema(request: pytest.FixtureRequest, fuzz_daemon: PouchD, registry: Registry | None) -> Any:
    """Every operation, positive and negative data, under the version prefix and bare."""
    # Without a registry to pin it to, /auth is not fuzzed at all (test_login skips too).
    off = [] if registry else [{"include-path": "/auth", "enabled": False}]
    return load_schema(fuzz_daemon, request.param, "all", off)


@pytest.fixture(scope="module")
def login_schema(fuzz_daemon: PouchD, registry: Registry | None) -> Any:
    """POST /auth alone, schema-valid bodies only."""
    if registry is None:
        pytest.skip(missing_tools() or "no registry")
    return load_schema(fuzz_daemon, "/v1.24", "positive")


fuzzed = schemathesis.pytest.from_fixture("api_schema")
logins = schemathesis.pytest.from_fixture("login_schema").include(path="/auth")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's ``from_fixture`` reads ``Node._nodeid``, which pytest 9.2 no longer has
    (its node ids are ``Node._id`` now); without it every lazily loaded schema test fails at once.
    Its writes of ``_nodeid`` (to label operations) then just land on this attribute; subtests
    carry the operation's label anyway."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


# ---- the leashes -------------------------------------------------------------------------------


def spec_validator(case: Any, name: str) -> jsonschema.protocols.Validator:
    """A validator for one of the served spec's component schemas (refs resolved in the spec)."""
    spec = case.operation.schema.raw_schema
    return jsonschema.Draft4Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def pin_server_address(case: Any, registry: Registry) -> list[Any]:
    """Point /auth at the loopback registry; the checks that no longer apply to the result.

    A body that is not a JSON object carries no address (the daemon refuses it before its
    handler runs). A negative case whose only invalid part was its ServerAddress is valid once
    pinned, so it is no longer held to "invalid data must be rejected".
    """
    if not isinstance(case.body, dict):
        return []
    case.body["ServerAddress"] = registry.address
    if (
        case.meta is not None
        and case.meta.generation.mode.is_negative
        and _is_json(case)
        and spec_validator(case, "AuthConfig").is_valid(case.body)
    ):
        return [negative_data_rejection]
    return []


def _is_json(case: Any) -> bool:
    return case.media_type is None or "json" in case.media_type


def _timestamp(value: Any) -> int | None:
    """What pouchd makes of one since/until value: nanoseconds, or None (absent, empty or refused)."""
    try:
        return parse_timestamp("t", None if value is None else str(value))
    except FilterError:
        return None


def bound_events(case: Any) -> list[Any]:
    """Give /events an ``until`` no later than now, so that the stream ends; the checks that no
    longer apply to the result.

    An ``until`` that pouchd refuses stays (the answer is a 400, at once); one in the past stays.
    A ``since`` after ``until`` (a cross-parameter rule the spec states in prose) becomes
    ``until`` in a schema-valid case, which a generator cannot know to avoid.
    """
    now = time.time_ns()
    query = dict(case.query or {})
    until = query.get("until")
    if isinstance(until, list):
        # A repeated parameter: which one pouchd reads is not this test's business; none stays.
        query.pop("until")
    until_ns = _timestamp(query.get("until"))
    if query.get("until") in (None, "") or (until_ns is not None and until_ns > now):
        query["until"] = f"{now // 1_000_000_000}.{now % 1_000_000_000:09d}"
        until_ns = now
    since = query.get("since")
    if isinstance(since, str) and until_ns is not None and (_timestamp(since) or 0) > until_ns:
        query["since"] = query["until"]
    case.query = query
    # A negative case whose invalid part was the shape of `until` (a list, a number) has lost it.
    if (
        until is not None
        and not isinstance(until, str)
        and query["until"] is not until
        and case.meta is not None
        and case.meta.generation.mode.is_negative
    ):
        return [negative_data_rejection]
    return []


def check_event_stream(case: Any, response: Any) -> None:
    """/events answers ``application/json`` as pouch does, but with one JSON object a line (a
    stream, as docker's), which a whole-body JSON check cannot read: each line is checked
    against EventsMessage instead (the content type is still checked by Schemathesis)."""
    validator = spec_validator(case, "EventsMessage")
    for line in response.text.splitlines():
        if line.strip():
            errors = [e.message for e in validator.iter_errors(json.loads(line))]
            assert not errors, (line, errors)


# ---- rules the spec states in prose ------------------------------------------------------------
# A schema-valid request that breaks one of these is refused with 400, which Schemathesis' "valid
# data is accepted" check cannot know; such a case is held to the rule's 400 message instead.


def prose_rule(case: Any, daemon_labels: list[str] | None = None) -> tuple[str, bool] | None:
    """For a schema-valid ``case`` that may break a rule: (words its 400 must say, whether it
    must be a 400); None when no such rule applies. ``daemon_labels``: what the daemon holds now."""
    if case.meta is None or not case.meta.generation.mode.is_positive or not _is_json(case):
        return None
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.path == "/auth" and body.get("Auth") and not body.get("Username") and not body.get("Password"):
        # Auth stands in for Username and Password only when both are empty; then it must be
        # base64 of `username:password` (not a pattern: it depends on the other fields).
        return "invalid Auth", False
    if case.operation.path == "/events" and str((case.query or {}).get("filters", "")).strip():
        # filters is JSON inside a string: its shape is prose (OpenAPI 3.0 could say it only with
        # `content` instead of `schema`, which would change pouch's parameter).
        return "filter", False
    if case.operation.path == "/daemon/update" and daemon_labels is not None:
        # The limits on all the labels the daemon holds (256, 65536 characters) depend on what
        # earlier cases left there: the spec can state them only in prose.
        components = case.operation.schema.raw_schema["components"]
        reader = BodyReader.for_schema(components["schemas"]["DaemonUpdateConfig"])
        assert reader is not None
        read = reader.read(json.dumps(case.body))[0] if isinstance(case.body, dict) else None
        valid = read is not None and Draft4RequestValidator(
            {"$ref": "#/components/schemas/DaemonUpdateConfig", "components": components}
        ).is_valid(read)
        if valid and isinstance(new := read.get("Labels"), list):
            problem = labels_limit_problem(merge_labels(daemon_labels, new), before=daemon_labels)
            if problem is not None:
                return problem, True
    return None


def upstream_failure(response: Any) -> bool:
    """A 500 that names the registry's failure, not pouchd's."""
    message = str(response.json().get("message", "")) if _json_object(response) else ""
    return "has no search endpoint" in message or "cannot reach registry" in message


def _json_object(response: Any) -> bool:
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def sends_boolean_query(case: Any) -> bool:
    """The case sends a query parameter that the spec types boolean."""
    query = case.query if isinstance(case.query, dict) else {}
    for param in case.operation.definition.raw.get("parameters", []):
        if param.get("in") == "query" and param.get("schema", {}).get("type") == "boolean" and param["name"] in query:
            return True
    return False


#: The image operations that make the daemon contact a registry named in the request.
REGISTRY_PATHS = frozenset({"/images/create", "/images/search", "/images/{imageid}/push"})


def _on_loopback(name: object, address: str) -> object:
    """``name`` with a first component that names a registry (it holds ``.`` or ``:``, pouch's
    rule) replaced by ``address``; a name without one goes to the default registry, which is the
    loopback one already."""
    if not isinstance(name, str) or "/" not in name:
        return name
    first, rest = name.split("/", 1)
    return f"{address}/{rest}" if ("." in first or ":" in first or first == "localhost") else name


def pin_registry(case: Any, address: str) -> list[Any]:
    """Keep the image operations that reach a registry on the loopback one: the image name
    (``fromImage``, the pushed ``imageid``, the search ``term``) and a search's ``registry``.
    A case whose only invalid part was the registry it named may be valid once pinned."""
    query = case.query if isinstance(case.query, dict) else {}
    if "fromImage" in query:
        query["fromImage"] = _on_loopback(query["fromImage"], address)
    if "term" in query:
        query["term"] = _on_loopback(query["term"], address)
    if query.get("registry") not in (None, ""):
        query["registry"] = f"http://{address}/v1/"
    if isinstance(case.path_parameters, dict) and "imageid" in case.path_parameters:
        case.path_parameters["imageid"] = _on_loopback(case.path_parameters["imageid"], address)
    return [negative_data_rejection]


BODY_SCHEMAS = {"/auth": "AuthConfig", "/daemon/update": "DaemonUpdateConfig"}


def has_folded_keys(case: Any) -> bool:
    """Whether the body has a key that is no property's name but one's in another case
    (``labels``): the daemon reads it as that property, as Go's decoder does (the spec says so in
    prose), so the schema alone cannot tell whether the case is valid."""
    name = BODY_SCHEMAS.get(case.operation.path)
    if name is None or not isinstance(case.body, dict) or not _is_json(case):
        return False
    properties = case.operation.schema.raw_schema["components"]["schemas"][name].get("properties", {})
    folded = {go_fold(p) for p in properties}
    return any(key not in properties and go_fold(key) in folded for key in case.body)


# ---- the fuzzer --------------------------------------------------------------------------------


@fuzzed.parametrize()
@pytest.mark.timeout(300)
def test_contract(case: Any, registry: Registry | None, fuzz_daemon: PouchD) -> None:
    excluded: list[Any] = []
    daemon_labels = None
    if case.operation.path == "/auth":
        assert registry is not None  # left out of the schema otherwise
        excluded += pin_server_address(case, registry)
    elif case.operation.path in REGISTRY_PATHS:
        excluded += pin_registry(case, registry.address if registry else "127.0.0.1:1")
    elif case.operation.path == "/events":
        excluded += bound_events(case)
    elif case.operation.path == "/daemon/update":
        daemon_labels = info(fuzz_daemon)["Labels"]
    rule = prose_rule(case, daemon_labels)
    if rule is not None:
        excluded.append(positive_data_acceptance)
    if sends_boolean_query(case):
        # A boolean query parameter takes any value, read as Go's BoolValue reads it
        # (docs/compatibility.md): no value of one is invalid.
        excluded.append(negative_data_rejection)
    if case.operation.path.startswith("/images"):
        # An image name's grammar (pouch's reference format), a required fromImage and what an
        # archive must hold are prose: a string the schema takes may be a 400.
        excluded.append(positive_data_acceptance)
    if case.operation.path.startswith(("/containers", "/exec")):
        # Container and exec rules in prose: a name's grammar, `filters` as JSON, tty sizes as
        # integers, signal names, a body's limits (memory of at least 6 MB, absolute bind paths,
        # known capabilities): a value the schema takes may be a 400.
        excluded.append(positive_data_acceptance)
    if has_folded_keys(case) and case.meta is not None:
        excluded.append(positive_data_acceptance if case.meta.generation.mode.is_positive else negative_data_rejection)
    response = case.call(timeout=REQUEST_TIMEOUT)
    if case.operation.path == "/images/search" and response.status_code == 500 and upstream_failure(response):
        # The loopback registry (Debian's docker-registry) has no search API: pouch's 500 names it.
        excluded.append(not_a_server_error)
    stream = case.operation.path == "/events" and response.status_code == 200
    if stream:
        excluded.append(response_schema_conformance)
    case.validate_response(response, excluded_checks=excluded)
    if stream:
        check_event_stream(case, response)
    if rule is not None:
        words, must_refuse = rule
        if must_refuse or response.status_code == 400:
            assert response.status_code == 400 and words in response.json()["message"], response.text


@logins.parametrize()
@pytest.mark.timeout(300)
def test_login_with_any_valid_auth_config(case: Any, registry: Registry) -> None:
    """Whatever else a schema-valid AuthConfig holds (Auth, tokens, unknown fields), the right
    Username and Password log in to the registry, and the answer matches AuthResponse."""
    properties = case.operation.schema.raw_schema["components"]["schemas"]["AuthConfig"]["properties"]
    folded = {go_fold(p) for p in properties}
    for key in [k for k in case.body if k not in properties and go_fold(k) in folded]:
        # Read as the property it folds to (``auth`` as ``Auth``, Go's rule), with a value the
        # schema did not check for that property: such a body is no longer a valid one.
        del case.body[key]
    case.body.update(Username=USER, Password=PASSWORD, ServerAddress=registry.address)
    response = case.call_and_validate(timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["Status"] == "Login Succeeded"
    assert answer["IdentityToken"] == case.body.get("IdentityToken", "")  # htpasswd issues no token


def test_the_trap_gets_all_but_loopback(proxy_trap: ProxyTrap, monkeypatch: pytest.MonkeyPatch) -> None:
    """The leash itself, checked without sending anything: in the daemon's environment, httpx
    (its registry client, with the default trust_env) routes only loopback directly."""
    for name, value in leash_env(proxy_trap).items():
        monkeypatch.setenv(name, value)
    client = httpx.AsyncClient()
    for url in ("http://127.0.0.1:5000/v2/", "https://localhost/v2/"):
        assert client._transport_for_url(httpx.URL(url)) is client._transport, url
    for url in ("https://registry-1.docker.io/v2/", "http://10.0.0.1:5000/v2/", "https://127.0.0.2/v2/"):
        assert client._transport_for_url(httpx.URL(url)) is not client._transport, url


def test_daemon_survives_the_fuzzing(fuzz_daemon: PouchD) -> None:
    """After the fuzzing (same module, later), the daemon still answers on its unix socket, and
    logged no unexpected error."""
    with fuzz_daemon.client() as c:
        assert c.get("/_ping").status_code == 200
    assert "Traceback" not in fuzz_daemon.logs()
