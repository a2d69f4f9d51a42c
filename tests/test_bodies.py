"""Request bodies as pouch's Go daemon reads them (pouch_server/bodies.py), for both POST operations.

Raw requests as real clients send them: pouch's Go CLI sends JSON without a Content-Type; the
Docker CLI and docker-py send AuthConfig with lowercase keys (``username``, ``serveraddress``).
pouch's server decodes with Go's ``encoding/json``: keys match fields case-insensitively (an exact
match first), unknown keys are ignored, the last of repeated keys wins. pouchd does the same
before the spec validates. The daemon's only registry is the loopback test registry (it is also
its ``--default-registry``), so nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from connexion.json_schema import Draft4RequestValidator
from helpers import InProcess, PouchD, info, raw_exchange, spec, split_response
from registry import Registry, htpasswd_registry_fixture

from pouch_server.bodies import BodyReader, go_fold, json_by_default

USER = "gopher"
PASSWORD = "g0-Pa55-w0rd"
GO_CLIENT = {"User-Agent": "Go-http-client/1.1"}  # pouch's client: no Content-Type header at all
SPEC = spec()


# ---- reading, without a daemon ------------------------------------------------------------------


def read(schema: dict, raw: str) -> tuple[object, bool]:
    reader = BodyReader.for_schema(schema)
    assert reader is not None
    return reader.read(raw)


def test_go_fold() -> None:
    assert go_fold("serveraddress") == go_fold("ServerAddress") == go_fold("SERVERADDRESS") == "SERVERADDRESS"
    assert go_fold("image_proxy") != go_fold("ImageProxy")  # no other normalisation than case
    # Go folds runes one to one: the Kelvin sign is K, the long s is S (as Go's decoder matches them).
    assert go_fold("\u212aey") == "KEY"
    assert go_fold("u\u017fername") == "USERNAME"
    assert go_fold("stra\u00dfe") == "STRA\u00dfE"  # ß has no one-rune upper case: kept


def test_keys_match_case_insensitively_and_unknown_keys_are_dropped() -> None:
    schema = SPEC["components"]["schemas"]["AuthConfig"]
    body, changed = read(schema, '{"username": "u", "PASSWORD": "p", "serveraddress": "r", "email": "e@x"}')
    assert body == {"Username": "u", "Password": "p", "ServerAddress": "r"}
    assert changed
    # Keys as the spec spells them: the same body a plain parse gives, so nothing to re-encode.
    assert read(schema, '{"Username": "u", "Password": "p"}') == ({"Username": "u", "Password": "p"}, False)


def test_the_last_repeated_key_wins_whatever_its_case() -> None:
    schema = SPEC["components"]["schemas"]["AuthConfig"]
    assert read(schema, '{"Username": "a", "username": "b"}')[0] == {"Username": "b"}
    assert read(schema, '{"username": "a", "Username": "b"}')[0] == {"Username": "b"}
    # A plain parse would keep the first "username" slot with "c", then "Username" = "b": Go says "c".
    assert read(schema, '{"username": "a", "Username": "b", "username": "c"}')[0] == {"Username": "c"}


def test_an_exact_match_comes_first() -> None:
    # Two properties that differ only in case (as EventsMessage's `type` and `Type`).
    schema = {"type": "object", "properties": {"type": {"type": "string"}, "Type": {"type": "string"}}}
    assert read(schema, '{"type": "a", "Type": "b"}')[0] == {"type": "a", "Type": "b"}
    assert read(schema, '{"TYPE": "c"}')[0] == {"type": "c"}  # folded: the first property of that name


def test_nested_objects_maps_and_arrays() -> None:
    schema = {
        "type": "object",
        "properties": {
            "Runtime": {"type": "object", "properties": {"Path": {"type": "string"}}},
            "Attributes": {"type": "object", "additionalProperties": {"type": "string"}},
            "Mounts": {"type": "array", "items": {"type": "object", "properties": {"Source": {"type": "string"}}}},
            "Options": {},  # any shape
        },
        "allOf": [{"anyOf": [{"properties": {"Extra": {"type": "string"}}}]}],
    }
    body, changed = read(
        schema,
        json.dumps(
            {
                "runtime": {"path": "/bin/runc", "junk": 1},
                "attributes": {"Zone": "a", "zone": "b"},  # a map: keys are data, kept as sent
                "mounts": [{"source": "/a"}, {"SOURCE": "/b", "x": 1}],
                "options": {"K": {"k": 1}},
                "extra": "from a combined schema",
            }
        ),
    )
    assert changed
    assert body == {
        "Runtime": {"Path": "/bin/runc"},
        "Attributes": {"Zone": "a", "zone": "b"},
        "Mounts": [{"Source": "/a"}, {"Source": "/b"}],
        "Options": {"K": {"k": 1}},
        "Extra": "from a combined schema",
    }


def test_null_is_read_as_go_reads_it() -> None:
    """Go decodes ``null`` into a slice (or map, or pointer) as nil, and into any other field as
    nothing at all: an array field sent as null is absent, a string keeps what came before."""
    schema = SPEC["components"]["schemas"]["DaemonUpdateConfig"]
    # pouch updatedaemon --image-proxy URL, as pouch's Go CLI encodes it (Labels has no omitempty)
    assert read(schema, '{"ImageProxy":"http://p","Labels":null}') == ({"ImageProxy": "http://p"}, True)
    assert read(schema, '{"Labels": ["a=b"], "labels": null}')[0] == {}
    assert read(schema, '{"ImageProxy": "a", "imageproxy": null}')[0] == {"ImageProxy": "a"}
    assert read(schema, '{"ImageProxy": null, "Labels": ["a=b"]}')[0] == {"Labels": ["a=b"]}


def test_the_spec_itself_refuses_an_empty_update() -> None:
    """ "Not both empty" is the schema's rule (its anyOf), not only the handler's: a generator or
    validator working from the spec alone knows which updates pouchd takes."""
    validator = Draft4RequestValidator(
        {"$ref": "#/components/schemas/DaemonUpdateConfig", "components": SPEC["components"]}
    )
    for body in (
        {},
        {"Labels": []},
        {"ImageProxy": ""},
        {"Labels": None},
        {"Labels": None, "ImageProxy": ""},
        {"Labels": [], "ImageProxy": ""},
    ):
        assert not validator.is_valid(body), body
    for body in (
        {"Labels": ["a=b"]},
        {"ImageProxy": "http://p"},
        {"Labels": None, "ImageProxy": "http://p"},
        {"Labels": [], "ImageProxy": "http://p"},
    ):
        assert validator.is_valid(body), body


def test_values_that_are_not_objects_pass_as_parsed() -> None:
    schema = SPEC["components"]["schemas"]["DaemonUpdateConfig"]
    assert read(schema, "[1, {}]") == ([1, {}], False)
    assert read(schema, '"text"') == ("text", False)
    assert read(schema, '{"labels": "not a list"}')[0] == {"Labels": "not a list"}  # the schema judges it


def test_json_by_default() -> None:
    scope = {"headers": [(b"host", b"d")]}
    assert json_by_default(scope)["headers"] == [(b"host", b"d"), (b"content-type", b"application/json")]
    assert scope["headers"] == [(b"host", b"d")]  # not changed in place
    blank = {"headers": [(b"content-type", b" ")]}
    assert json_by_default(blank)["headers"] == [(b"content-type", b"application/json")]
    given = {"headers": [(b"content-type", b"text/plain")]}
    assert json_by_default(given) is given


def test_the_spec_documents_415_for_both_posts() -> None:
    for path in ("/auth", "/daemon/update"):
        responses = SPEC["paths"][path]["post"]["responses"]
        assert responses["415"] == {"$ref": "#/components/responses/UnsupportedMediaType"}


# ---- requests as the clients send them, to pouchd's app -----------------------------------------

registry = htpasswd_registry_fixture("bodies-registry", {USER: PASSWORD})


@pytest.fixture
def daemon(app_factory: Callable[..., InProcess]) -> InProcess:
    return app_factory("--label", "base=1")


@pytest.fixture
def login_daemon(app_factory: Callable[..., InProcess], registry: Registry) -> InProcess:
    """A daemon whose default registry is the loopback one: an empty ServerAddress stays local."""
    return app_factory("--default-registry", registry.address)


def post(d: InProcess, path: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    with d.client() as c:
        request = c.build_request("POST", path, content=json.dumps(body).encode(), headers=headers or GO_CLIENT)
        assert "content-type" not in request.headers or headers  # as pouch's Go client sends it
        return c.send(request)


def test_update_without_content_type(daemon: InProcess) -> None:
    r = post(daemon, "/v1.24/daemon/update", {"Labels": ["go=1"], "ImageProxy": "http://go-proxy:3128"})
    assert r.status_code == 200, r.text
    now = info(daemon)
    assert "go=1" in now["Labels"] and now["HttpProxy"] == "http://go-proxy:3128"


def test_update_as_pouchs_go_cli_sends_an_image_proxy_alone(daemon: InProcess) -> None:
    """``pouch updatedaemon --image-proxy URL`` (pouch's Go CLI): ``"Labels": null``, no
    Content-Type; and with no flag at all, ``{"Labels": null}``, which is empty (pouch's 400)."""
    with daemon.client() as c:
        r = c.post("/v1.24/daemon/update", content=b'{"ImageProxy":"http://go:3128","Labels":null}', headers=GO_CLIENT)
        assert r.status_code == 200, r.text
        r = c.post("/v1.24/daemon/update", content=b'{"Labels":null}', headers=GO_CLIENT)
        assert r.status_code == 400 and r.json() == {"message": "daemon update config cannot be empty"}
    now = info(daemon)
    assert now["HttpProxy"] == "http://go:3128" and now["Labels"] == ["base=1"]


def test_update_with_lowercase_and_unknown_keys(daemon: InProcess) -> None:
    r = post(
        daemon,
        "/daemon/update",
        {"labels": ["lower=1"], "imageproxy": "http://lower:1", "Comment": "x"},
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    now = info(daemon)
    assert "lower=1" in now["Labels"] and now["HttpProxy"] == "http://lower:1"


def test_update_repeated_keys_last_wins(daemon: InProcess) -> None:
    assert post(daemon, "/daemon/update", {"LABELS": 5, "labels": ["last=1"]}).status_code == 200
    assert "last=1" in info(daemon)["Labels"]
    # The other way round, the last value is the one the schema refuses.
    raw = b'{"labels": ["first=1"], "Labels": 5}'
    with daemon.client() as c:
        r = c.post("/daemon/update", content=raw, headers=GO_CLIENT)
    assert r.status_code == 400 and r.json() == {"message": "'Labels': must be of type array"}
    assert "first=1" not in info(daemon)["Labels"]


def test_update_empty_is_refused_by_the_spec_whatever_the_casing(daemon: InProcess) -> None:
    for body in ({}, {"labels": []}, {"IMAGEPROXY": ""}, {"Other": ["a=b"]}):
        r = post(daemon, "/daemon/update", body)
        assert r.status_code == 400 and r.json() == {"message": "daemon update config cannot be empty"}, body


def test_blank_content_type_is_json_and_other_types_are_415(daemon: InProcess) -> None:
    with daemon.client() as c:
        r = c.post("/daemon/update", content=b'{"Labels": ["blank=1"]}', headers={"Content-Type": ""})
        assert r.status_code == 200, r.text
        for path in ("/daemon/update", "/auth"):
            r = c.post(path, content=b'{"Labels": ["x=y"]}', headers={"Content-Type": "text/plain"})
            assert r.status_code == 415 and r.headers["content-type"] == "application/json"
            assert r.json() == {"message": "Invalid Content-type (text/plain), expected ['application/json']"}
    assert "blank=1" in info(daemon)["Labels"] and "x=y" not in info(daemon)["Labels"]


@pytest.mark.parametrize("casing", ["go", "docker"])
def test_login_without_content_type(login_daemon: InProcess, registry: Registry, casing: str) -> None:
    """As pouch's Go CLI sends it (spec casing, no Content-Type) and as the Docker CLI and docker-py
    send it (lowercase keys, plus docker-py's ``email``)."""
    good = {"Username": USER, "Password": PASSWORD, "ServerAddress": registry.address}
    if casing == "docker":
        good = {k.lower(): v for k, v in good.items()} | {"email": "gopher@example.com"}
    r = post(login_daemon, "/v1.24/auth", good)
    assert r.status_code == 200, r.text
    assert r.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
    bad = {k: (v + "-wrong" if k.lower() == "password" else v) for k, v in good.items()}
    r = post(login_daemon, "/v1.24/auth", bad)
    assert r.status_code == 401, r.text
    assert PASSWORD not in r.text


def test_login_lowercase_keys_without_address_use_the_default_registry(login_daemon: InProcess) -> None:
    r = post(login_daemon, "/auth", {"username": USER, "password": PASSWORD})
    assert r.status_code == 200, r.text
    r = post(login_daemon, "/auth", {"username": USER, "password": "nope"})
    assert r.status_code == 401, r.text


# ---- the same bytes through the real daemon: uvicorn's protocol, pouchd's limits, the socket --------


def go_post(path: str, body: bytes) -> bytes:
    """A POST as Go's net/http writes it for pouch's client: no Content-Type, gzip accepted."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: d\r\nUser-Agent: Go-http-client/1.1\r\n"
        f"Content-Length: {len(body)}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    ).encode() + body


def test_go_and_docker_wires_through_the_real_daemon(pouchd_factory: Callable[..., PouchD], registry: Registry) -> None:
    d = pouchd_factory("--label", "base=1", "--default-registry", registry.address, tcp=False)
    # pouch updatedaemon --image-proxy URL, then --label: pouch's Go CLI
    status, headers, body = split_response(
        raw_exchange(d, go_post("/v1.24/daemon/update", b'{"ImageProxy":"http://go:3128","Labels":null}'))
    )
    assert status == 200, body
    status, _, body = split_response(raw_exchange(d, go_post("/v1.24/daemon/update", b'{"Labels":["go=2"]}')))
    assert status == 200, body
    # lowercase keys, without a Content-Type either
    status, _, body = split_response(
        raw_exchange(d, go_post("/daemon/update", b'{"labels":["lower=3"],"imageproxy":"http://lower:1"}'))
    )
    assert status == 200, body
    now = info(d)
    assert now["Labels"] == ["base=1", "go=2", "lower=3"] and now["HttpProxy"] == "http://lower:1"
    # /auth as pouch's Go CLI sends it, and as docker's clients spell it (no address: the default)
    login = json.dumps({"Username": USER, "Password": PASSWORD, "ServerAddress": registry.address}).encode()
    status, headers, body = split_response(raw_exchange(d, go_post("/v1.24/auth", login)))
    assert status == 200 and json.loads(body) == {"Status": "Login Succeeded", "IdentityToken": ""}, body
    lower = json.dumps({"username": USER, "password": "Zq-not-it", "email": "g@example.com"}).encode()
    status, headers, body = split_response(raw_exchange(d, go_post("/v1.24/auth", lower)))
    assert status == 401 and headers["content-type"] == "application/json", body
    assert "Zq-not-it" not in body.decode()
