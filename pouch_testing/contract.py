"""pouch's wire contract as facts: what tests/test_spec.py compares api/swagger.yaml with.

pouch publishes its API as Swagger 2.0 (``apis/swagger.yml``, here as
``../shared/reference/pouch-v1.24.yaml``). :func:`contract_facts` keeps of it only what is on the
wire: every operation's parameters, and every definition's type, format, enum, default,
nullability, required properties and shape, references kept as references. The result is
committed (tests/contract/, written by scripts/contract_facts.py), so the suite runs without the
reference beside the checkout; with it, the suite checks the committed facts are current.

:func:`canon` reduces a schema, of either spec, to the same terms for comparison.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: The keywords of a schema that say what is on the wire, as they are kept (``nullable`` also
#: stands for Swagger 2.0's ``x-nullable``); descriptions, examples and the like are not.
WIRE_KEYWORDS = ("type", "format", "enum", "default")


def wire_schema(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with only what :func:`canon` reads: a reference stays a reference (as
    ``$ref``, with ``nullable`` when ``x-nullable`` is beside it, whatever else is), nested
    schemas (``allOf``'s parts too) are reduced the same way."""
    if "$ref" in node:
        ref: dict[str, Any] = {"$ref": node["$ref"]}
        if node.get("nullable") or node.get("x-nullable"):
            ref["nullable"] = True
        return ref
    out: dict[str, Any] = {key: node[key] for key in WIRE_KEYWORDS if key in node}
    if node.get("nullable") or node.get("x-nullable"):
        out["nullable"] = True
    if isinstance(node.get("items"), dict):
        out["items"] = wire_schema(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = wire_schema(node["additionalProperties"])
    if "properties" in node:
        out["properties"] = {name: wire_schema(prop) for name, prop in node["properties"].items()}
    if "required" in node:
        out["required"] = sorted(node["required"])
    if isinstance(node.get("allOf"), list):
        out["allOf"] = [wire_schema(part) for part in node["allOf"]]
    return out


def _parameter(param: dict[str, Any], shared: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One Swagger 2.0 parameter (``#/parameters/...`` resolved): its name, and where it goes,
    whether it is required, and its type (or, for a body, its schema)."""
    if "$ref" in param:
        param = shared[param["$ref"].rsplit("/", 1)[1]]
    fact: dict[str, Any] = {"in": param["in"], "required": bool(param.get("required"))}
    if "schema" in param:
        fact["schema"] = wire_schema(param["schema"])
    fact |= {key: param[key] for key in WIRE_KEYWORDS if key in param}
    if isinstance(param.get("items"), dict):
        fact["items"] = wire_schema(param["items"])
    return param["name"], fact


def contract_facts(reference: dict[str, Any], text: bytes) -> dict[str, Any]:
    """The facts of ``reference`` (pouch's Swagger 2.0 spec, parsed; ``text``: its bytes, whose
    digest says which reference they came from)."""
    shared = reference.get("parameters", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, item in reference["paths"].items():
        common = item.get("parameters", [])
        paths[path] = {
            method: {
                "parameters": dict(_parameter(p, shared) for p in [*common, *op.get("parameters", [])]),
                "responses": sorted(str(code) for code in op.get("responses", {})),
            }
            for method, op in item.items()
            if method != "parameters"
        }
    return {
        "reference": {
            "title": reference["info"]["title"],
            "version": str(reference["info"]["version"]),
            "sha256": hashlib.sha256(text).hexdigest(),
        },
        "paths": paths,
        "definitions": {name: wire_schema(schema) for name, schema in reference["definitions"].items()},
    }


def _resolve(node: dict[str, Any], components: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        return name, components[name]
    return None, node


def canon(node: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A schema reduced to what is on the wire: type, format, enum, default, nullability, shape,
    references followed (``components``: the schemas they name) down to a depth of 6, below
    which a reference is its name. ``allOf`` is its parts merged into one schema, so that
    Swagger 2.0's nullable reference (``x-nullable`` beside ``$ref``) and OpenAPI 3.0's
    (``nullable`` beside ``allOf: [$ref]``) are the same."""
    nullable = bool(node.get("nullable") or node.get("x-nullable"))
    name, node = _resolve(node, components)
    if depth > 6:
        return name
    out: dict[str, Any] = {key: node[key] for key in WIRE_KEYWORDS if key in node}
    out["nullable"] = nullable or bool(node.get("nullable") or node.get("x-nullable"))
    if "items" in node:
        out["items"] = canon(node["items"], components, depth + 1)
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = canon(node["additionalProperties"], components, depth + 1)
    if "properties" in node:
        out["properties"] = {k: canon(v, components, depth + 1) for k, v in node["properties"].items()}
    if "required" in node:
        out["required"] = sorted(node["required"])
    for part in node.get("allOf", []):
        merged = canon(part, components, depth)
        if not isinstance(merged, dict):
            continue
        for key in WIRE_KEYWORDS:
            if key in merged:
                out.setdefault(key, merged[key])
        out["nullable"] = out["nullable"] or merged["nullable"]
        if "properties" in merged:
            out["properties"] = {**out.get("properties", {}), **merged["properties"]}
        if "required" in merged:
            out["required"] = sorted({*out.get("required", []), *merged["required"]})
    return out
