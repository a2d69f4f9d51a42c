"""api/swagger.yaml: valid OpenAPI 3.0, and a faithful mirror of pouch's v1.24 wire contract."""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import yaml
from helpers import ROOT, spec
from openapi_spec_validator import validate
from starlette.responses import JSONResponse

from pouch_common.version import API_VERSION
from pouch_testing.contract import canon

SPEC = spec()
# pouch's contract, as facts taken from its spec by scripts/contract_facts.py and committed, so
# that a clone without the reference beside it checks the same; with it, they must be current.
FACTS_PATH = ROOT / "tests" / "contract" / "pouch-v1.24-facts.json"
FACTS = json.loads(FACTS_PATH.read_text())
REFERENCE_PATH = ROOT.parent / "shared" / "reference" / "pouch-v1.24.yaml"

# Fields we add on purpose, beyond pouch's contract (additive, documented in docs/compatibility.md).
ADDITIONS: dict[str, set[str]] = {
    "SystemVersion": {"MinAPIVersion"},
    "SystemInfo": {"DockerRootDir"},  # docker's name for PouchRootDir (`docker info`)
    "EventsMessage": {"Type", "Action", "Actor", "scope"},  # docker's names, for docker-py
    # Docker's creation time in seconds: `docker images` reads it (without it, "56 years ago").
    "ImageInfo": {"Created"},
    # Docker's name for pouch's misspelt `syetem_cpu_usage`, which `docker stats` reads for its CPU %.
    "CPUStats": {"system_cpu_usage"},
    # Docker's: the Docker CLI and docker-py send it with every exec.
    "ExecCreateConfig": {"WorkingDir", "ConsoleSize"},
}
# Properties that take a null the reference's schema does not state, though pouch's Go daemon
# takes it (Go decodes null into any field) and pouch's own Go CLI sends it, or that pouch's
# daemon sends as null itself.
NULLABLE: dict[str, set[str]] = {
    # Labels: `pouch updatedaemon --image-proxy URL` sends a nil slice; ImageProxy: Go's decoder
    # leaves a string as it was for a null, and so does the daemon (pouch_server/bodies.py).
    "DaemonUpdateConfig": {"Labels", "ImageProxy"},
    # Lists without omitempty in pouch's Go type (apis/types/container_config.go): an image that
    # sets none has `"Entrypoint": null` and so on in /images/{id}/json.
    "ContainerConfig": {"Cmd", "Entrypoint", "Env", "OnBuild", "Shell"},
    # The same in /containers/{id}/json (apis/types/container_json.go): pouch never sets Args, and a
    # container without execs has `"ExecIDs": null`.
    "ContainerJSON": {"Args", "ExecIDs"},
    # The Docker CLI sends `"Env": null` with an exec that has no -e.
    "ExecCreateConfig": {"Env"},
}
# Maps whose values are each an empty object: pouch's spec says so with `enum: [{}]` and
# `default: {}`, which neither client generator takes; ours with `maxProperties: 0`, the same set
# of values.
EMPTY_OBJECT_VALUES: dict[str, set[str]] = {"ContainerConfig": {"ExposedPorts", "Volumes"}}
# Enumerations that also take `""`: pouch's validation (go-swagger's) skips a field holding its zero
# value, so the empty string the Docker CLI sends in every create (`"LogConfig": {"Type": ""}`,
# `"Isolation": ""`) is taken; ours says so in the enumeration, the first of its values.
EMPTY_STRING_VALUES: dict[str, set[str]] = {"LogConfig": {"Type"}, "HostConfig": {"Isolation"}}


def property_of(schemas: dict[str, Any], name: str, prop: str) -> dict[str, Any]:
    """A property of a schema, or of one of its allOf parts (HostConfig's are in a part)."""
    for part in [schemas[name], *schemas[name].get("allOf", [])]:
        if prop in part.get("properties", {}):
            found: dict[str, Any] = part["properties"][prop]
            return found
    raise KeyError((name, prop))


def test_spec_is_valid_openapi_3() -> None:
    assert SPEC["openapi"].startswith("3.0.")
    assert SPEC["info"]["title"] == "Pouch Engine API"
    assert SPEC["info"]["version"] == API_VERSION
    validate(SPEC)


def test_operation_ids_are_pouch_client_method_names() -> None:
    ops = {(path, method): op["operationId"] for path, item in SPEC["paths"].items() for method, op in item.items()}
    assert ops == {
        ("/_ping", "get"): "SystemPing",
        ("/_ping", "head"): "SystemPingHead",
        ("/version", "get"): "SystemVersion",
        ("/info", "get"): "SystemInfo",
        ("/auth", "post"): "RegistryLogin",
        ("/daemon/update", "post"): "DaemonUpdate",
        ("/events", "get"): "SystemEvents",
        ("/metrics", "get"): "SystemMetrics",
        # pouch's client/interface.go ImageAPIClient, one method an operation.
        ("/images/create", "post"): "ImagePull",
        ("/images/json", "get"): "ImageList",
        ("/images/{imageid}/json", "get"): "ImageInspect",
        ("/images/{imageid}/history", "get"): "ImageHistory",
        ("/images/{imageid}/tag", "post"): "ImageTag",
        ("/images/{imageid}", "delete"): "ImageRemove",
        ("/images/load", "post"): "ImageLoad",
        ("/images/save", "get"): "ImageSave",
        ("/images/{imageid}/push", "post"): "ImagePush",
        ("/images/search", "get"): "ImageSearch",
        # Additions (ADDED_OPERATIONS). pouch's client searches with POST: the GET of its spec
        # keeps the method's name, this is the same search by the other method.
        ("/images/search", "post"): "ImageSearchPost",
        # Docker's save routes, named after their path as Docker's router names its handler
        # (getImagesGet); Docker's client calls both ImageSave, which is pouch's /images/save.
        ("/images/get", "get"): "ImageGet",
        ("/images/{imageid}/get", "get"): "ImageGetOne",
        # pouch's client/interface.go ContainerAPIClient. pouch's spec names no operation for the
        # create: ContainerCreate is the client's method (UNNAMED_OPERATIONS).
        ("/containers/create", "post"): "ContainerCreate",
        ("/containers/json", "get"): "ContainerList",
        ("/containers/{id}/json", "get"): "ContainerInspect",
        ("/containers/{id}/rename", "post"): "ContainerRename",
        ("/containers/{id}/restart", "post"): "ContainerRestart",
        ("/containers/{id}/start", "post"): "ContainerStart",
        ("/containers/{id}/stop", "post"): "ContainerStop",
        ("/containers/{id}/pause", "post"): "ContainerPause",
        ("/containers/{id}/unpause", "post"): "ContainerUnpause",
        ("/containers/{id}/top", "get"): "ContainerTop",
        ("/containers/{id}/wait", "post"): "ContainerWait",
        ("/containers/{id}", "delete"): "ContainerRemove",
        ("/containers/{id}/exec", "post"): "ContainerExec",
        ("/containers/{id}/logs", "get"): "ContainerLogs",
        ("/containers/{id}/stats", "get"): "ContainerStats",
        ("/containers/{id}/resize", "post"): "ContainerResize",
        ("/containers/{id}/attach", "post"): "ContainerAttach",
        ("/containers/{id}/update", "post"): "ContainerUpdate",
        ("/exec/{id}/start", "post"): "ExecStart",
        ("/exec/{id}/json", "get"): "ExecInspect",
        ("/exec/{id}/resize", "post"): "ExecResize",
        # An addition (ADDED_OPERATIONS): Docker's kill, named as Docker's client names it.
        ("/containers/{id}/kill", "post"): "ContainerKill",
    }
    for op_id in ops.values():
        assert "." not in op_id, "operationIds must not name Python modules"


def test_every_operation_documents_error_responses() -> None:
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            assert "500" in op["responses"], (path, method)


SCHEMAS = [
    "Error",
    "SystemVersion",
    "SystemInfo",
    "RegistryServiceConfig",
    "IndexInfo",
    "Runtime",
    "Commit",
    "DaemonUpdateConfig",
    "AuthConfig",
    "AuthResponse",
    "EventsMessage",
    "EventsActor",
    "EventType",
    "ImageInfo",
    "ContainerConfig",
    "HistoryResultItem",
    "SearchResultItem",
    # the container and exec groups
    "ContainerCreateConfig",
    "ContainerCreateResp",
    "HostConfig",
    "UpdateConfig",
    "LogConfig",
    "Resources",
    "NvidiaConfig",
    "ThrottleDevice",
    "WeightDevice",
    "DeviceMapping",
    "Ulimit",
    "Container",
    "NetworkingConfig",
    "EndpointSettings",
    "EndpointIPAMConfig",
    "ExecCreateConfig",
    "ContainerProcessList",
    "ExecCreateResp",
    "ExecStartConfig",
    "ContainerExecInspect",
    "ProcessConfig",
    "ContainerJSON",
    "ContainerState",
    "ContainerStats",
    "PidsStats",
    "CPUStats",
    "CPUUsage",
    "ThrottlingData",
    "BlkioStats",
    "BlkioStatEntry",
    "MemoryStats",
    "NetworkStats",
    "Status",
    "SnapshotterData",
    "GraphDriverData",
    "MountPoint",
    "NetworkSettings",
    "IPAddress",
    "PortMap",
    "PortBinding",
    "RestartPolicy",
]


def test_the_committed_facts_are_current() -> None:
    """Regenerated from the reference when it is beside the checkout (scripts/contract_facts.py
    --check); without it, the facts are still those of pouch's v1.24 spec."""
    assert FACTS["reference"]["title"] == "Pouch Engine API" and FACTS["reference"]["version"] == "1.24"
    assert len(FACTS["reference"]["sha256"]) == 64
    if REFERENCE_PATH.exists():
        r = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "contract_facts.py"),
                "--check",
                "--reference",
                str(REFERENCE_PATH),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr


def as_pouch_spells_it(schemas: dict[str, Any]) -> dict[str, Any]:
    """Our schemas with each documented difference (ADDITIONS, NULLABLE, EMPTY_OBJECT_VALUES)
    undone: what is left must be pouch's, also where one schema holds another (ImageInfo's
    Config is a ContainerConfig)."""
    out = copy.deepcopy(schemas)
    for name, props in ADDITIONS.items():
        for prop in props:
            del out[name]["properties"][prop]
    for name, props in NULLABLE.items():
        for prop in props:
            assert out[name]["properties"][prop].pop("nullable") is True
    for name, props in EMPTY_OBJECT_VALUES.items():
        for prop in props:
            values = out[name]["properties"][prop]["additionalProperties"]
            assert values.pop("maxProperties") == 0 and values["type"] == "object"
            values |= {"enum": [{}], "default": {}}
    for name, props in EMPTY_STRING_VALUES.items():
        for prop in props:
            assert property_of(out, name, prop)["enum"].pop(0) == ""
    return out


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_mirrors_reference(name: str) -> None:
    ref_defs = FACTS["definitions"]
    ours = as_pouch_spells_it(SPEC["components"]["schemas"])
    # x-nullable: false is go-swagger's default made explicit; false == absent.
    assert canon(ours[name], ours) == canon(ref_defs[name], ref_defs)


def test_the_differences_from_the_reference_are_real() -> None:
    """Each documented difference is one: an addition is not in pouch's schema, a nullable
    property is not nullable there, an empty-object map is spelled as an enum there."""
    ref_defs, ours = FACTS["definitions"], SPEC["components"]["schemas"]
    for name, props in ADDITIONS.items():
        assert props <= set(ours[name]["properties"]) and not props & set(ref_defs[name]["properties"]), name
    for name, props in NULLABLE.items():
        for prop in props:
            assert ours[name]["properties"][prop]["nullable"] is True
            assert not ref_defs[name]["properties"][prop].get("nullable"), (name, prop)
    for name, props in EMPTY_OBJECT_VALUES.items():
        for prop in props:
            assert ref_defs[name]["properties"][prop]["additionalProperties"]["enum"] == [{}], (name, prop)
    for name, props in EMPTY_STRING_VALUES.items():
        for prop in props:
            assert property_of(ours, name, prop)["enum"][0] == ""
            assert "" not in property_of(ref_defs, name, prop)["enum"], (name, prop)


def test_events_query_parameters_mirror_reference() -> None:
    want = {name: p["type"] for name, p in FACTS["paths"]["/events"]["get"]["parameters"].items()}
    assert {p["in"] for p in FACTS["paths"]["/events"]["get"]["parameters"].values()} == {"query"}
    got = {p["name"]: p["schema"]["type"] for p in SPEC["paths"]["/events"]["get"]["parameters"]}
    assert got == want


# The operations we serve beyond pouch's contract.
ADDED_OPERATIONS = {
    ("/metrics", "get"),
    ("/_ping", "head"),
    # Docker's save routes: `docker save` asks /images/get?names=..., docker-py's Image.save()
    # /images/{name}/get.
    ("/images/get", "get"),
    ("/images/{imageid}/get", "get"),
    # Search as pouch's own client and router do it (its spec says GET, which Docker's client uses).
    ("/images/search", "post"),
    # Docker's kill: `docker kill`, docker-py's Container.kill() (pouch has no such route).
    ("/containers/{id}/kill", "post"),
}
# Operations of pouch's spec that it gives no operationId: ours is its client's method name.
UNNAMED_OPERATIONS = {("/containers/create", "post"): "ContainerCreate"}


def test_paths_and_methods_mirror_reference() -> None:
    """Every operation is pouch's or one of ours on purpose, and a path we serve has all of pouch's
    methods (pouch's spec is the whole engine: the paths not served yet are later work)."""
    reference = {(p, m) for p, item in FACTS["paths"].items() for m in item}
    got = {(p, m) for p, item in SPEC["paths"].items() for m in item}
    assert got - reference == ADDED_OPERATIONS
    served = {p for p, _ in got - ADDED_OPERATIONS}
    assert {(p, m) for p, m in reference if p in served} <= got


# --- the image operations -----------------------------------------------------------------------

IMAGE_OPERATIONS = sorted((p, m) for p, item in FACTS["paths"].items() if p.startswith("/images") for m in item)
# Body parameters of pouch's spec that ours does not declare, and why: pouch's daemon never reads
# the body of a pull (it would be content to import, which neither daemon does) and takes one of
# any Content-Type; declared, it would be refused with 415 unless `text/plain` or
# `application/octet-stream`, and openapi-python-client takes no `text/plain` body.
UNDECLARED_BODIES = {("/images/create", "post"): "inputImage"}
# Formats ours adds to a parameter: an image name holds `/`, routed by Starlette's `path` converter.
ADDED_FORMATS = {"imageid": "path"}


def parameters_of(path: str, method: str) -> dict[str, dict[str, Any]]:
    """The operation's parameters (shared ones resolved) in the facts' terms: name -> in, required,
    type, and default and format when given."""
    out = {}
    for param in SPEC["paths"][path][method].get("parameters", []):
        if "$ref" in param:
            param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        schema = param["schema"]
        fact = {"in": param["in"], "required": bool(param.get("required")), "type": schema["type"]}
        fact |= {key: schema[key] for key in ("default", "format") if key in schema}
        out[param["name"]] = fact
    return out


@pytest.mark.parametrize(("path", "method"), IMAGE_OPERATIONS)
def test_image_parameters_mirror_reference(path: str, method: str) -> None:
    """Every parameter of pouch's image operations, with its place, type, required-ness and
    default; a body parameter is the requestBody, with its required-ness and schema."""
    facts = FACTS["paths"][path][method]["parameters"]
    want = {name: fact for name, fact in facts.items() if fact["in"] != "body"}
    for name, fact in ADDED_PARAMETERS.get((path, method), {}).items():
        assert name not in want, (path, name)
        want[name] = fact
    got = parameters_of(path, method)
    for name, fmt in ADDED_FORMATS.items():
        if name in got:
            assert got[name].pop("format") == fmt
    assert got == want
    body = SPEC["paths"][path][method].get("requestBody")
    bodies = [(name, fact) for name, fact in facts.items() if fact["in"] == "body"]
    if (path, method) in UNDECLARED_BODIES:
        assert [name for name, _ in bodies] == [UNDECLARED_BODIES[path, method]] and body is None
        return
    assert (body is not None) == bool(bodies)
    for _, fact in bodies:
        assert body is not None and body.get("required", False) == fact["required"]
        for media in body["content"].values():
            schema = media["schema"]
            assert schema["type"] == fact["schema"]["type"] and schema.get("format") == "binary"


def test_image_path_parameter_takes_slashes() -> None:
    """Image names hold `/` (`registry.example.com/team/busybox`): every `{imageid}` is the shared
    parameter, whose `path` format makes connexion route it with Starlette's `path` converter."""
    shared = SPEC["components"]["parameters"]["imageid"]
    assert shared["schema"] == {"type": "string", "format": "path"} and shared["required"] is True
    for path, item in SPEC["paths"].items():
        for op in item.values():
            if "{imageid}" in path:
                assert {"$ref": "#/components/parameters/imageid"} in op["parameters"], path


def test_statuses_of_the_reference_are_documented() -> None:
    """Each status pouch's spec gives an operation is one ours documents for it."""
    for path, item in FACTS["paths"].items():
        for method, fact in item.items():
            if path in SPEC["paths"] and method in SPEC["paths"][path]:
                assert set(fact["responses"]) <= set(SPEC["paths"][path][method]["responses"]), (path, method)


# The media types of pouch's image operations (its spec's consumes and produces; the facts keep
# none, so they are here, and checked against the reference when it is beside the checkout).
REFERENCE_MEDIA_TYPES = {
    ("/images/create", "post"): {
        "consumes": ["text/plain", "application/octet-stream"],
        "produces": ["application/json"],
    },
    ("/images/load", "post"): {"consumes": ["application/x-tar"]},
    ("/images/save", "get"): {"produces": ["application/x-tar"]},
    ("/images/{imageid}/json", "get"): {"produces": ["application/json"]},
    ("/images/{imageid}/history", "get"): {"produces": ["application/json"]},
    ("/images/json", "get"): {"produces": ["application/json"]},
    ("/images/search", "get"): {"produces": ["application/json"]},
    ("/images/{imageid}/push", "post"): {"consumes": ["application/octet-stream"], "produces": ["application/json"]},
}


def test_reference_media_types_are_current() -> None:
    if not REFERENCE_PATH.exists():
        return  # the table above was taken from it
    reference = yaml.safe_load(REFERENCE_PATH.read_text())
    got = {
        (path, method): {key: op[key] for key in ("consumes", "produces") if key in op}
        for path, item in reference["paths"].items()
        if path.startswith("/images")
        for method, op in item.items()
    }
    assert {k: v for k, v in got.items() if v} == REFERENCE_MEDIA_TYPES


def success(path: str, method: str) -> dict[str, Any]:
    responses = SPEC["paths"][path][method]["responses"]
    answer: dict[str, Any] = next(r for status, r in responses.items() if status.startswith("2"))
    return answer


def test_image_media_types() -> None:
    """What pouch's spec says of each operation's media types, in OpenAPI 3's terms."""
    for (path, method), types in REFERENCE_MEDIA_TYPES.items():
        if "produces" in types and "content" in success(path, method):
            assert list(success(path, method)["content"]) == types["produces"], (path, method)
    # A tar archive is the body of ImageLoad (optional, as in pouch's spec); application/octet-stream
    # is taken too (the generic type for bytes), and no Content-Type is the first listed, x-tar.
    load = SPEC["paths"]["/images/load"]["post"]["requestBody"]
    assert list(load["content"]) == ["application/x-tar", "application/octet-stream"]
    assert load["required"] is False
    # Push consumes application/octet-stream in pouch's spec but has no body parameter: no requestBody,
    # so that the Docker CLI's `Content-Type: text/plain` on its empty body is not refused.
    assert "requestBody" not in SPEC["paths"]["/images/{imageid}/push"]["post"]
    for path, method in (("/images/save", "get"), ("/images/get", "get"), ("/images/{imageid}/get", "get")):
        content = success(path, method)["content"]
        assert content == {"application/x-tar": {"schema": {"type": "string", "format": "binary"}}}, path
    # Progress streams: JSON objects one after another, not one JSON document; with no schema a
    # generated client hands over the bytes instead of parsing them as one.
    for path in ("/images/create", "/images/{imageid}/push"):
        assert success(path, "post")["content"] == {"application/json": {}}, path


def test_operations_with_a_body_document_415_and_only_they() -> None:
    """...a body whose type is checked: exec start's is JSON whatever type it names."""
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            typed = "requestBody" in op and not op["requestBody"].get("x-pouch-any-content-type")
            assert ("415" in op["responses"]) == typed, (path, method)
    assert [
        (path, method)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
        if op.get("requestBody", {}).get("x-pouch-any-content-type")
    ] == [("/exec/{id}/start", "post")]


def test_added_image_operations() -> None:
    """Docker's save routes take what Docker's clients send; POST search takes what GET does, and
    the credentials pouch's client sends with it."""
    assert parameters_of("/images/get", "get") == {"names": {"in": "query", "required": False, "type": "array"}}
    names = SPEC["paths"]["/images/get"]["get"]["parameters"][0]
    assert names["style"] == "form" and names["explode"] is True  # names=a&names=b, as `docker save a b`
    assert parameters_of("/images/{imageid}/get", "get") == {
        "imageid": {"in": "path", "required": True, "type": "string", "format": "path"}
    }
    search = parameters_of("/images/search", "get")
    assert parameters_of("/images/search", "post") == {
        **search,
        "X-Registry-Auth": {"in": "header", "required": False, "type": "string"},
    }
    assert SPEC["paths"]["/images/search"]["post"]["responses"] == SPEC["paths"]["/images/search"]["get"]["responses"]


# --- the image routes as connexion serves them ------------------------------------------------------


def recording_app() -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    """pouchd's app on the spec, each operation answered by a stand-in that records its
    operationId and the arguments connexion gave it: what is checked is the routing and the
    request validation the spec makes, which the real handlers never see."""
    from pouch_server.app import create_app

    calls: list[tuple[str, dict[str, Any]]] = []

    def stand_in(op_id: str) -> Callable[..., Awaitable[JSONResponse]]:
        async def handler(**kwargs: Any) -> JSONResponse:
            calls.append((op_id, kwargs))
            return JSONResponse({"op": op_id})  # a response of its own: some operations answer a tar

        return handler

    op_ids = [op["operationId"] for item in SPEC["paths"].values() for op in item.values()]
    return create_app({op_id: stand_in(op_id) for op_id in op_ids}, spec=spec()), calls


def call(app: Any, method: str, path: str, **kw: Any) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return await c.request(method, path, **kw)

    return asyncio.run(run())


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # connexion's import
def test_image_routes() -> None:
    """Each request Docker's and pouch's clients make reaches the operation it means, with the
    image name whole, slashes, colons and `@` included, sent plain or percent-encoded."""
    app, calls = recording_app()
    name = "127.0.0.1:5000/team/busybox"
    cases: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = [
        ("GET", "/images/json", {}, "ImageList", {}),
        ("GET", "/v1.24/images/json?all=true&digests=false", {}, "ImageList", {"all": True, "digests": False}),
        ("GET", f"/images/{name}:v1/json", {}, "ImageInspect", {"imageid": f"{name}:v1"}),
        ("GET", "/images/team%2Fbusybox%40sha256%3Aab/json", {}, "ImageInspect", {"imageid": "team/busybox@sha256:ab"}),
        ("GET", f"/images/{name}/history", {}, "ImageHistory", {"imageid": name}),
        (
            "POST",
            f"/images/{name}/tag?repo=x%2Fy&tag=v2",
            {},
            "ImageTag",
            {"imageid": name, "repo": "x/y", "tag": "v2"},
        ),
        ("DELETE", f"/images/{name}:v1", {}, "ImageRemove", {"imageid": f"{name}:v1", "force": False}),
        ("DELETE", "/images/json?force=true", {}, "ImageRemove", {"imageid": "json", "force": True}),
        ("POST", f"/images/{name}/push?tag=v1", {}, "ImagePush", {"imageid": name, "tag": "v1"}),
        ("GET", "/images/save?name=busybox", {}, "ImageSave", {"name": "busybox"}),
        ("GET", "/images/get?names=a&names=b%2Fc", {}, "ImageGet", {"names": ["a", "b/c"]}),
        ("GET", f"/images/{name}/get", {}, "ImageGetOne", {"imageid": name}),
        ("GET", "/images/search?term=busybox", {}, "ImageSearch", {"term": "busybox"}),
        ("POST", "/images/search?term=busybox", {"headers": {"X-Registry-Auth": "e30="}}, "ImageSearchPost", {}),
        # A pull as each client sends it: no body (pouch, docker-py), an empty text/plain one (Docker).
        ("POST", "/images/create?fromImage=busybox&tag=latest", {}, "ImagePull", {"fromImage": "busybox"}),
        ("POST", "/images/create?fromImage=busybox", {"headers": {"Content-Type": "text/plain"}}, "ImagePull", {}),
        # A load as each client sends it: x-tar (pouch's CLI, Docker's), none (docker-py), octet-stream.
        (
            "POST",
            "/images/load?name=x",
            {"content": b"tar", "headers": {"Content-Type": "application/x-tar"}},
            "ImageLoad",
            {"body": b"tar"},
        ),
        ("POST", "/images/load", {"content": b"tar"}, "ImageLoad", {"body": b"tar"}),
        (
            "POST",
            "/images/load",
            {"content": b"tar", "headers": {"Content-Type": "application/octet-stream"}},
            "ImageLoad",
            {},
        ),
        ("POST", "/images/load?quiet=1", {"headers": {"Content-Type": "application/x-tar"}}, "ImageLoad", {}),
    ]
    for method, target, kw, op_id, args in cases:
        calls.clear()
        r = call(app, method, target, **kw)
        assert r.status_code == 200 and r.json() == {"op": op_id}, (method, target, r.status_code, r.text)
        [(_, got)] = calls
        assert {k: got.get(k) for k in args} == args, (method, target, got)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_image_requests_the_spec_refuses() -> None:
    app, calls = recording_app()
    r = call(app, "GET", "/images/search")
    assert r.status_code == 400 and "term" in r.json()["message"]
    r = call(app, "POST", "/images/load", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/json"
    assert calls == []


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_boolean_parameters_read_as_pouch_reads_them() -> None:
    """`docker rmi -f` sends force=1, `docker images -a` all=1, docker-py's images.list() all=0."""
    app, calls = recording_app()
    for target, op_id, args in (
        ("/images/json?all=0&only_ids=0", "ImageList", {"all": False}),
        ("/images/json?all=1", "ImageList", {"all": True}),
        ("/images/busybox?force=1", "ImageRemove", {"force": True}),
        ("/images/busybox?force=no", "ImageRemove", {"force": False}),
    ):
        calls.clear()
        r = call(app, "DELETE" if op_id == "ImageRemove" else "GET", target)
        assert r.status_code == 200 and calls == [(op_id, {**calls[0][1], **args})], (target, r.text)


# --- the container and exec operations ----------------------------------------------------------

# pouch's container operations not served yet (later work: checkpoints, upgrade, archive).
LATER = {"/containers/{id}/checkpoints", "/containers/{id}/checkpoints/{checkpointId}", "/containers/{id}/upgrade"}
LATER |= {"/containers/{id}/archive"}
CONTAINER_OPERATIONS = sorted(
    (p, m)
    for p, item in FACTS["paths"].items()
    if p.startswith(("/containers", "/exec")) and p not in LATER
    for m in item
)
# Parameters whose wire differs from pouch's spec, as pouch's daemon and the clients really use them.
PARAMETER_DIFFERENCES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    # pouch's spec copies rename's required `name` into restart; pouch's daemon never reads it and
    # no client (pouch's, Docker's) sends it.
    ("/containers/{id}/restart", "post"): {"name": {"in": "query", "required": False, "type": "string"}},
    # pouch's spec says integers (default 0); pouch's daemon parses `seconds[.nanoseconds]`, the form
    # its CLI and the Docker CLI send (`--since 10m` is sent as `1764331200.000000000`).
    ("/containers/{id}/logs", "get"): {
        "since": {"in": "query", "required": False, "type": "string"},
        "until": {"in": "query", "required": False, "type": "string"},
    },
}
# Parameters beyond pouch's spec, all Docker's: pouch's daemon reads the container ones too; the
# image list's `filter` is what docker-py sends on API 1.24.
ADDED_PARAMETERS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("/containers/{id}", "delete"): {"v": {"in": "query", "required": False, "type": "boolean"}},
    ("/containers/{id}/logs", "get"): {"details": {"in": "query", "required": False, "type": "boolean"}},
    # docker-py's images.list(name=...) on API 1.24
    ("/images/json", "get"): {"filter": {"in": "query", "required": False, "type": "string"}},
}


def test_container_operations_served() -> None:
    got = {(p, m) for p, item in SPEC["paths"].items() if p.startswith(("/containers", "/exec")) for m in item}
    assert got == set(CONTAINER_OPERATIONS) | {("/containers/{id}/kill", "post")}
    assert UNNAMED_OPERATIONS  # pouch's spec has no operationId there: ours is its client's method name
    for (path, method), op_id in UNNAMED_OPERATIONS.items():
        assert not FACTS["paths"][path][method].get("operationId")
        assert SPEC["paths"][path][method]["operationId"] == op_id


@pytest.mark.parametrize(("path", "method"), CONTAINER_OPERATIONS)
def test_container_parameters_mirror_reference(path: str, method: str) -> None:
    """Every parameter of pouch's container and exec operations, but the documented differences and
    additions; a body parameter is the JSON requestBody of the same schema and required-ness."""
    facts = FACTS["paths"][path][method]["parameters"]
    want = {name: fact for name, fact in facts.items() if fact["in"] != "body"}
    for name, fact in PARAMETER_DIFFERENCES.get((path, method), {}).items():
        assert want[name] != fact, (path, name)  # a real difference
        want[name] = fact
    for name, fact in ADDED_PARAMETERS.get((path, method), {}).items():
        assert name not in want, (path, name)
        want[name] = fact
    assert parameters_of(path, method) == want
    body = SPEC["paths"][path][method].get("requestBody")
    bodies = [fact for fact in facts.values() if fact["in"] == "body"]
    assert (body is not None) == bool(bodies), (path, method)
    for fact in bodies:
        assert body is not None and body.get("required", False) == fact["required"]
        assert list(body["content"]) == ["application/json"]
        schema = body["content"]["application/json"]["schema"]
        assert schema["$ref"].rsplit("/", 1)[1] == fact["schema"]["$ref"].rsplit("/", 1)[1]


def test_added_container_operations() -> None:
    assert parameters_of("/containers/{id}/kill", "post") == {
        "id": {"in": "path", "required": True, "type": "string"},
        "signal": {"in": "query", "required": False, "type": "string"},
    }
    assert {"204", "404", "409"} <= set(SPEC["paths"]["/containers/{id}/kill"]["post"]["responses"])


# The media types of pouch's container and exec operations (its spec's consumes and produces).
REFERENCE_CONTAINER_MEDIA_TYPES = {
    ("/containers/create", "post"): {"consumes": ["application/json"], "produces": ["application/json"]},
    ("/containers/{id}/json", "get"): {"produces": ["application/json"]},
    ("/containers/json", "get"): {"produces": ["application/json"]},
    ("/containers/{id}/exec", "post"): {"consumes": ["application/json"], "produces": ["application/json"]},
    ("/containers/{id}/stats", "get"): {"produces": ["application/json"]},
    ("/exec/{id}/start", "post"): {"consumes": ["application/json"], "produces": ["application/vnd.raw-stream"]},
    ("/exec/{id}/json", "get"): {"produces": ["application/json"]},
    ("/containers/{id}/attach", "post"): {"produces": ["application/vnd.raw-stream"]},
}
# pouch's spec names the hijacked stream's type `application/vnd.raw-stream`; pouch's daemon (and
# Docker's) send `application/vnd.docker.raw-stream`: the wire's is ours.
RAW_STREAM = "application/vnd.docker.raw-stream"


def test_reference_container_media_types_are_current() -> None:
    if not REFERENCE_PATH.exists():
        return  # the table above was taken from it
    reference = yaml.safe_load(REFERENCE_PATH.read_text())
    got = {
        (path, method): {key: op[key] for key in ("consumes", "produces") if key in op}
        for path, item in reference["paths"].items()
        if path.startswith(("/containers", "/exec")) and path not in LATER
        for method, op in item.items()
    }
    assert {k: v for k, v in got.items() if v} == REFERENCE_CONTAINER_MEDIA_TYPES


def test_container_media_types() -> None:
    for (path, method), types in REFERENCE_CONTAINER_MEDIA_TYPES.items():
        want = [RAW_STREAM if t == "application/vnd.raw-stream" else t for t in types["produces"]]
        assert list(success(path, method)["content"]) == want, (path, method)
        if "consumes" in types:
            assert list(SPEC["paths"][path][method]["requestBody"]["content"]) == types["consumes"]
    # Hijacked connections: 101 when the client asked to upgrade, else 200, both the raw stream.
    for path in ("/containers/{id}/attach", "/exec/{id}/start"):
        responses = SPEC["paths"][path]["post"]["responses"]
        assert list(responses["101"]["content"]) == list(responses["200"]["content"]) == [RAW_STREAM], path
    # Stats: one ContainerStats, or with `stream` one a line, as /events streams its messages (a
    # streamed answer is checked object by object: pouch_server/validation.py).
    stats_schema = {"schema": {"$ref": "#/components/schemas/ContainerStats"}}
    assert success("/containers/{id}/stats", "get")["content"] == {"application/json": stats_schema}
    assert SPEC["paths"]["/containers/{id}/stats"]["get"]["parameters"][1]["schema"]["default"] is True
    # Logs: the stdcopy frames (or a terminal's bytes), sent with no Content-Type, as bytes.
    logs = success("/containers/{id}/logs", "get")["content"]
    assert logs == {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_container_routes() -> None:
    """Requests as pouch's and Docker's clients send them reach their operation, with Go's booleans
    and a body sent without a Content-Type (pouch's CLI) read as JSON."""
    app, calls = recording_app()
    body = {"Image": "busybox", "HostConfig": {"LogConfig": {"Type": "", "Config": {}}, "MemorySwappiness": -1}}
    docker = {**body, "Hostname": "", "NetworkingConfig": {"EndpointsConfig": {}}}
    cases: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = [
        ("POST", "/v1.24/containers/create?name=web", {"json": docker}, "ContainerCreate", {"name": "web"}),
        ("POST", "/containers/create", {"content": json.dumps(body).encode()}, "ContainerCreate", {}),
        ("GET", "/containers/json?all=1", {}, "ContainerList", {"all": True}),
        ("GET", "/containers/json", {}, "ContainerList", {"all": False}),
        ("GET", "/containers/web/json", {}, "ContainerInspect", {"id": "web"}),
        ("POST", "/containers/web/restart?t=0", {}, "ContainerRestart", {"id": "web", "t": 0}),
        ("DELETE", "/containers/web?force=1&v=1", {}, "ContainerRemove", {"force": True, "v": True}),
        ("POST", "/containers/web/kill?signal=KILL", {}, "ContainerKill", {"signal": "KILL"}),
        ("GET", "/containers/web/logs?stdout=1&tail=2&since=1764331200.5", {}, "ContainerLogs", {"stdout": True}),
        (
            "POST",
            "/containers/web/attach?stderr=1&stdout=1&stream=1",
            {"headers": {"Content-Type": "text/plain", "Upgrade": "tcp", "Connection": "Upgrade"}},
            "ContainerAttach",
            {"stream": True},
        ),
        ("POST", "/exec/abc/start", {"json": {"Detach": False, "Tty": False}}, "ExecStart", {"id": "abc"}),
        ("POST", "/exec/abc/resize?h=40&w=100", {}, "ExecResize", {"h": "40", "w": "100"}),
    ]
    for method, target, kw, op_id, args in cases:
        calls.clear()
        r = call(app, method, target, **kw)
        assert r.status_code == 200 and r.json() == {"op": op_id}, (method, target, r.status_code, r.text)
        [(_, got)] = calls
        assert {k: got.get(k) for k in args} == args, (method, target, got)
