"""api/swagger.yaml: valid OpenAPI 3.0, and a faithful mirror of pouch's v1.24 wire contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT, spec
from openapi_spec_validator import validate

from pouch_common.version import API_VERSION
from pouch_testing.contract import canon

SPEC = spec()
# pouch's contract, as facts taken from its spec by scripts/contract_facts.py and committed, so
# that a clone without the reference beside it checks the same; with it, they must be current.
FACTS_PATH = ROOT / "tests" / "contract" / "pouch-v1.24-facts.json"
FACTS = json.loads(FACTS_PATH.read_text())
REFERENCE_PATH = ROOT.parent / "shared" / "reference" / "pouch-v1.24.yaml"

# Fields we add on purpose, beyond pouch's contract (additive, documented in the README).
ADDITIONS: dict[str, set[str]] = {
    "SystemVersion": {"MinAPIVersion"},
    "SystemInfo": {"DockerRootDir"},  # docker's name for PouchRootDir (`docker info`)
    "EventsMessage": {"Type", "Action", "Actor", "scope"},  # docker's names, for docker-py
}
# Properties that take a null the reference's schema does not state, though pouch's Go daemon
# takes it (Go decodes null into any field) and pouch's own Go CLI sends it.
NULLABLE: dict[str, set[str]] = {
    # Labels: `pouch updatedaemon --image-proxy URL` sends a nil slice; ImageProxy: Go's decoder
    # leaves a string as it was for a null, and so does the daemon (pouch_server/bodies.py).
    "DaemonUpdateConfig": {"Labels", "ImageProxy"},
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


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_mirrors_reference(name: str) -> None:
    ref_defs = FACTS["definitions"]
    ours = SPEC["components"]["schemas"]
    want = canon(ref_defs[name], ref_defs)
    got = canon(ours[name], ours)
    for extra in ADDITIONS.get(name, set()):
        got.get("properties", {}).pop(extra, None)
    for prop in NULLABLE.get(name, set()):
        assert got["properties"][prop]["nullable"] and not want["properties"][prop]["nullable"]
        got["properties"][prop]["nullable"] = False
    # x-nullable: false is go-swagger's default made explicit; false == absent.
    assert got == want


def test_events_query_parameters_mirror_reference() -> None:
    want = {name: p["type"] for name, p in FACTS["paths"]["/events"]["get"]["parameters"].items()}
    assert {p["in"] for p in FACTS["paths"]["/events"]["get"]["parameters"].values()} == {"query"}
    got = {p["name"]: p["schema"]["type"] for p in SPEC["paths"]["/events"]["get"]["parameters"]}
    assert got == want


# The operations we serve beyond pouch's contract.
ADDED_OPERATIONS = {("/metrics", "get"), ("/_ping", "head")}


def test_paths_and_methods_mirror_reference() -> None:
    """Every operation is pouch's or one of ours on purpose, and a path we serve has all of pouch's
    methods (pouch's spec is the whole engine: the paths not served yet are later work)."""
    reference = {(p, m) for p, item in FACTS["paths"].items() for m in item}
    got = {(p, m) for p, item in SPEC["paths"].items() for m in item}
    assert got - reference == ADDED_OPERATIONS
    served = {p for p, _ in got - ADDED_OPERATIONS}
    assert {(p, m) for p, m in reference if p in served} <= got
