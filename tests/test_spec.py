"""api/swagger.yaml: valid OpenAPI 3.0, and a faithful mirror of pouch's v1.24 wire contract."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from helpers import ROOT, spec
from openapi_spec_validator import validate

from pouch_common.version import API_VERSION

SPEC = spec()
REFERENCE_PATH = ROOT.parent / "shared" / "reference" / "pouch-v1.24-system.yaml"

# Fields we add on purpose, beyond pouch's contract (additive, documented in the README).
ADDITIONS: dict[str, set[str]] = {
    "SystemVersion": {"MinAPIVersion"},
    "SystemInfo": {"DockerRootDir"},  # docker's name for PouchRootDir (`docker info`)
    "EventsMessage": {"Type", "Action", "Actor", "scope"},  # docker's names, for docker-py
}
# Properties that take a null the reference's schema does not state, though pouch's Go daemon
# takes it (Go decodes null into any field) and pouch's own Go CLI sends it.
NULLABLE: dict[str, set[str]] = {
    "DaemonUpdateConfig": {"Labels"},  # `pouch updatedaemon --image-proxy URL`: a nil slice
}


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
    }
    for op_id in ops.values():
        assert "." not in op_id, "operationIds must not name Python modules"


def test_every_operation_documents_error_responses() -> None:
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            assert "500" in op["responses"], (path, method)


def _resolve(node: dict[str, Any], components: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        return name, components[name]
    return None, node


def _canon(node: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A schema reduced to what is on the wire: type, format, enum, default, nullability, shape."""
    name, node = _resolve(node, components)
    if depth > 6:
        return name
    out: dict[str, Any] = {}
    for key in ("type", "format", "enum", "default"):
        if key in node:
            out[key] = node[key]
    out["nullable"] = bool(node.get("nullable") or node.get("x-nullable"))
    if "items" in node:
        out["items"] = _canon(node["items"], components, depth + 1)
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = _canon(node["additionalProperties"], components, depth + 1)
    if "properties" in node:
        out["properties"] = {
            k: _canon(v, components, depth + 1) for k, v in node["properties"].items()
        }
    if "required" in node:
        out["required"] = sorted(node["required"])
    return out


SCHEMAS = ["Error", "SystemVersion", "SystemInfo", "RegistryServiceConfig", "IndexInfo", "Runtime", "Commit",
           "DaemonUpdateConfig", "AuthConfig", "AuthResponse", "EventsMessage", "EventsActor", "EventType"]


@pytest.mark.skipif(not REFERENCE_PATH.exists(), reason="shared/reference is not beside this checkout")
@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_mirrors_reference(name: str) -> None:
    reference = yaml.safe_load(REFERENCE_PATH.read_text())
    ref_defs = reference["definitions"]
    ours = SPEC["components"]["schemas"]
    want = _canon(ref_defs[name], ref_defs)
    got = _canon(ours[name], ours)
    for extra in ADDITIONS.get(name, set()):
        got.get("properties", {}).pop(extra, None)
    for prop in NULLABLE.get(name, set()):
        assert got["properties"][prop]["nullable"] and not want["properties"][prop]["nullable"]
        got["properties"][prop]["nullable"] = False
    # x-nullable: false is go-swagger's default made explicit; false == absent.
    assert got == want


@pytest.mark.skipif(not REFERENCE_PATH.exists(), reason="shared/reference is not beside this checkout")
def test_events_query_parameters_mirror_reference() -> None:
    reference = yaml.safe_load(REFERENCE_PATH.read_text())
    want = {p["name"]: p["type"] for p in reference["paths"]["/events"]["get"]["parameters"]}
    got = {p["name"]: p["schema"]["type"] for p in SPEC["paths"]["/events"]["get"]["parameters"]}
    assert got == want


@pytest.mark.skipif(not REFERENCE_PATH.exists(), reason="shared/reference is not beside this checkout")
def test_paths_and_methods_mirror_reference() -> None:
    reference = yaml.safe_load(REFERENCE_PATH.read_text())
    want = {(p, m) for p, item in reference["paths"].items() for m in item}
    got = {(p, m) for p, item in SPEC["paths"].items() for m in item}
    assert want <= got
    assert got - want == {("/metrics", "get"), ("/_ping", "head")}
