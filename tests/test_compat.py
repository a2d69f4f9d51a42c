"""Upstream internals stay fenced in pouch_server/_compat/, and each fence matches what is installed.

pouch_server/_compat/ has one module per upstream library whose private names pouchd uses, each
written for one version (``WRITTEN_FOR``; for asyncio, whose upstream is Python itself, its
major.minor). When a pin moves, the first test below names the
module whose assumptions must be checked again. The others check that nothing else in
pouch_server imports a private name of an upstream library or overrides one of its private
methods, so that the fence stays the only place to look. pouch_cli/_compat.py is the CLI's one
fence, around the generated client's private helper that ``pouch events`` streams with.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import pkgutil
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

import pouch_server._compat

UPSTREAMS = (
    "connexion",
    "uvicorn",
    "starlette",
    "httpx",
    "httptools",
    "jsonschema",
    "werkzeug",
    "prometheus_client",
    "yaml",
)
COMPAT_MODULES = sorted(m.name for m in pkgutil.iter_modules(pouch_server._compat.__path__))


def _import(name: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # connexion's import of starlette's test client warns
        return importlib.import_module(name)


def _installed(upstream: str) -> str:
    if upstream == "python":  # the standard library: the interpreter's major.minor
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    return importlib.metadata.version(upstream)


@pytest.mark.parametrize("name", COMPAT_MODULES)
def test_installed_upstream_is_the_one_the_compat_module_was_written_for(name: str) -> None:
    module = _import(f"pouch_server._compat.{name}")
    upstream, written_for = module.UPSTREAM, module.WRITTEN_FOR  # type: ignore[attr-defined]
    installed = _installed(upstream)
    assert installed == written_for, (
        f"{upstream} {installed} is installed, but pouch_server/_compat/{name}.py was written for "
        f"{upstream} {written_for}: check each upstream symbol it names against {upstream} {installed}, "
        "adjust, then update its WRITTEN_FOR"
    )


def test_the_compat_modules_are_the_expected_ones() -> None:
    assert COMPAT_MODULES == ["asyncio", "connexion", "starlette", "uvicorn"]


# asyncio's undocumented modules carry no underscore for the checks below to see: named here.
UNDOCUMENTED_ASYNCIO = {"asyncio.sslproto"}


def test_undocumented_asyncio_modules_are_imported_only_in_compat() -> None:
    offenders = []
    for name, path in _server_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            modules = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [f"{name}:{node.lineno} {m}" for m in modules if m in UNDOCUMENTED_ASYNCIO]
    assert not offenders, f"asyncio's undocumented modules belong in pouch_server/_compat/asyncio.py: {offenders}"
    fence = ast.parse((ROOT / "pouch_server" / "_compat" / "asyncio.py").read_text())
    assert any(isinstance(node, ast.ImportFrom) and node.module in UNDOCUMENTED_ASYNCIO for node in ast.walk(fence))


def _package_modules(package: str) -> list[tuple[str, Path]]:
    """(dotted name, path) of every module of ``package`` outside its compat fence."""
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "_compat" in parts or parts[-1] == "__main__":
            continue
        out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


def _server_modules() -> list[tuple[str, Path]]:
    return _package_modules("pouch_server")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_upstream(module: str) -> bool:
    return module.split(".")[0] in UPSTREAMS


def test_no_private_upstream_name_is_imported_outside_compat() -> None:
    offenders = []
    for name, path in _server_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and _is_upstream(node.module):
                modules = node.module.split(".")
                names = [alias.name for alias in node.names]
                if any(map(_is_private, modules)) or any(map(_is_private, names)):
                    offenders.append(f"{name}:{node.lineno} from {node.module} import {', '.join(names)}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{name}:{node.lineno} import {alias.name}"
                    for alias in node.names
                    if _is_upstream(alias.name) and any(map(_is_private, alias.name.split(".")))
                ]
    assert not offenders, f"private upstream names belong in pouch_server/_compat/: {offenders}"


# Names that Python itself puts on classes (ABCs, protocols), not upstream's.
_LANGUAGE = {"_abc_impl", "_is_protocol", "_is_runtime_protocol"}
# The standard library's public names that begin with an underscore (documented API, not private).
_STDLIB_PUBLIC = {"_exit"}  # os._exit


def _upstream_privates_overridden() -> list[str]:
    found = []
    for name, _ in _server_modules():
        module = _import(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue
            for attr in vars(cls):
                if not _is_private(attr) or attr in _LANGUAGE:
                    continue
                owner = next(
                    (base for base in cls.__mro__[1:] if _is_upstream(base.__module__) and attr in vars(base)), None
                )
                if owner is not None:
                    upstream = f"{owner.__module__}.{owner.__qualname__}"
                    found.append(f"{name}.{cls.__qualname__}.{attr} (overrides {upstream})")
    return found


def test_no_private_upstream_method_is_overridden_outside_compat() -> None:
    offenders = _upstream_privates_overridden()
    assert not offenders, f"override upstream privates in pouch_server/_compat/ only: {offenders}"


@pytest.mark.parametrize("package", ["pouch_server", "pouch_cli", "pouch_common"])
def test_private_attributes_used_outside_compat_are_pouchds_own(package: str) -> None:
    """``x._name`` outside the fence must name something the package itself defines: a private
    attribute of an upstream object (or of the generated client) is reached only through the
    package's _compat module(s)."""
    ours: set[str] = set()
    trees = [(name, ast.parse(path.read_text(), str(path))) for name, path in _package_modules(package)]
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                ours.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ours.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.attr)
    offenders = [
        f"{name}:{node.lineno} .{node.attr}"
        for name, tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _is_private(node.attr) and node.attr not in ours | _STDLIB_PUBLIC
    ]
    assert not offenders, f"private upstream attributes belong in {package}'s _compat: {offenders}"


def test_the_checks_above_catch_a_private_use() -> None:
    """The structural checks are not vacuous: the fence itself is full of what they look for."""
    tree = ast.parse((ROOT / "pouch_server" / "_compat" / "connexion.py").read_text())
    reached = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and _is_private(node.attr)}
    assert {"_insert_messages", "_middleware_app"} <= reached
    compat = _import("pouch_server._compat.connexion")
    overrides = [
        attr
        for _, cls in inspect.getmembers(compat, inspect.isclass)
        if cls.__module__ == compat.__name__
        for attr in vars(cls)
        if _is_private(attr) and attr not in _LANGUAGE
    ]
    assert "_parse" in overrides and "_spec_for_prefix" in overrides


# uvicorn keeps no underscore on its internals: the state of its protocol and server that pouchd
# touches, by name (pouch_server/_compat/uvicorn.py reaches it for the rest of the code).
UVICORN_STATE = {
    "cycle",
    "server_state",
    "flow",
    "scope",
    "client",
    "transport",
    "loop",
    "parser",
    "should_exit",
    "force_exit",
    "started",
    "capture_signals",
}


def _reaches_uvicorn(tree: ast.AST) -> bool:
    """The module imports uvicorn, or the fence around it: only there can these names be uvicorn's
    (elsewhere ``request.scope`` is Starlette's public Request attribute, for instance)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and (node.module.split(".")[0] == "uvicorn" or node.module == "pouch_server._compat.uvicorn")
        ):
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "uvicorn" for a in node.names):
            return True
    return False


def test_uvicorn_state_is_read_only_through_compat() -> None:
    trees = [(name, ast.parse(path.read_text(), str(path))) for name, path in _server_modules()]
    reaching = [(name, tree) for name, tree in trees if _reaches_uvicorn(tree)]
    assert {"pouch_server.protocol", "pouch_server.daemon"} <= {name for name, _ in reaching}
    offenders = [
        f"{name}:{node.lineno} .{node.attr}"
        for name, tree in reaching
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in UVICORN_STATE
    ]
    assert not offenders, f"uvicorn's internals belong in pouch_server/_compat/uvicorn.py: {offenders}"


def test_the_cli_fence_matches_the_installed_generator() -> None:
    """pouch_cli/_compat.py reaches into the generated client (see its docstring): it names the
    openapi-python-client version whose templates it was written for, and that private helper is
    still there with the parameters it passes."""
    compat: Any = _import("pouch_cli._compat")
    installed = importlib.metadata.version(compat.UPSTREAM)
    assert installed == compat.WRITTEN_FOR, (
        f"{compat.UPSTREAM} {installed} generates the client, but pouch_cli/_compat.py was written for "
        f"{compat.WRITTEN_FOR}: check _get_kwargs in its endpoint template, adjust, update WRITTEN_FOR"
    )
    system_events: Any = _import("pouch_client.api.system.system_events")
    assert set(inspect.signature(system_events._get_kwargs).parameters) == {"since", "until", "filters"}
    kwargs = compat.events_request("1", "2", '{"type":["daemon"]}')
    assert kwargs == {
        "method": "get",
        "url": "/events",
        "params": {"since": "1", "until": "2", "filters": '{"type":["daemon"]}'},
    }
    assert compat.events_request(None, None, None)["params"] == {}


# --- the seams of pouch_server/_compat/connexion.py decide as upstream does ---------------------------


def _run_asgi(app: Any, scope: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The messages ``app`` sends for ``scope``, and the class of the exception it raises, if any."""
    import asyncio

    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append((message["type"], message.get("status"), message.get("body")))

    try:
        asyncio.run(app(dict(scope), receive, send))
    except Exception as e:
        return sent, type(e).__name__
    return sent, None


_SCOPE = {"type": "http", "method": "GET", "path": "/p", "root_path": "", "query_string": b"", "headers": []}


def test_the_lean_exception_layer_answers_as_connexions() -> None:
    from connexion.exceptions import ProblemException
    from connexion.lifecycle import ConnexionResponse
    from connexion.middleware.exceptions import ExceptionMiddleware
    from starlette.exceptions import HTTPException

    from pouch_server._compat.connexion import LeanExceptionMiddleware

    class Special(LookupError):
        pass

    def raising(exc: Exception, after_start: bool = False) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            if after_start:
                await send({"type": "http.response.start", "status": 200, "headers": []})
            raise exc

        return app

    async def ok(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def on_lookup(request: Any, exc: Exception) -> ConnexionResponse:
        return ConnexionResponse(status_code=418, body=f"lookup {type(exc).__name__}".encode())

    def on_418(request: Any, exc: Exception) -> ConnexionResponse:  # a plain function: the thread pool
        return ConnexionResponse(status_code=299, body=b"teapot")

    apps = [
        ok,
        raising(ValueError("x")),
        raising(Special("x")),
        raising(KeyError("x")),
        raising(HTTPException(418)),
        raising(HTTPException(404)),
        raising(ProblemException(status=409, title="t", detail="d")),
        raising(ValueError("late"), after_start=True),
        raising(Special("late"), after_start=True),
    ]
    for inner in apps:
        answers = []
        for cls in (ExceptionMiddleware, LeanExceptionMiddleware):
            layer: Any = cls(inner)
            layer.add_exception_handler(LookupError, on_lookup)
            layer.add_exception_handler(418, on_418)
            answers.append(_run_asgi(layer, _SCOPE))
        assert answers[0] == answers[1], inner


def test_the_quick_routed_lookup_finds_what_connexions_finds() -> None:
    from types import SimpleNamespace

    from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedMiddleware

    from pouch_server._compat.connexion import QuickRoutedMiddleware

    def answering(status: int) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": status, "headers": []})

        return app

    apis = {
        "": [SimpleNamespace(operations={"A": answering(201)}), SimpleNamespace(operations={"B": answering(202)})],
        "/empty": [],
    }
    routings: list[dict[str, Any] | None] = [
        None,
        {},
        {"api_base_path": None, "operation_id": "A"},
        {"api_base_path": "", "operation_id": "A"},
        {"api_base_path": "", "operation_id": "B"},
        {"api_base_path": "", "operation_id": "C"},
        {"api_base_path": "", "operation_id": None},
        {"api_base_path": "/other", "operation_id": "A"},
        {"api_base_path": "/empty", "operation_id": None},
    ]
    for routing in routings:
        scope = {**_SCOPE, "extensions": {} if routing is None else {ROUTING_CONTEXT: routing}}
        answers = []
        for cls in (RoutedMiddleware, QuickRoutedMiddleware):
            layer: Any = cls(answering(299))
            layer.apis.update(apis)
            answers.append(_run_asgi(layer, scope))
        assert answers[0] == answers[1], routing
    lifespan = {"type": "lifespan"}
    assert _run_asgi(QuickRoutedMiddleware(answering(299)), lifespan) == _run_asgi(
        RoutedMiddleware(answering(299)), lifespan
    )


def test_the_content_type_of_a_request_is_read_as_connexion_reads_it() -> None:
    from types import SimpleNamespace

    from connexion.middleware.request_validation import RequestValidationOperation

    from pouch_server._compat.connexion import _OnceValidationOperation

    headers_cases = [
        [],
        [(b"host", b"x")],
        [(b"content-type", b"application/json")],
        [(b"Content-Type", b"text/plain; charset=latin-1")],
        [(b"content-type", b"application/x-tar"), (b"content-type", b"text/plain")],
        [(b"content-type", b"")],
        [(b"content-type", b"application/json; charset=")],
        [(b"content-type", b"a/b; boundary=x; charset=utf-16")],
    ]
    for consumes in ([], ["application/x-tar"], ["application/json", "text/plain"]):
        op = SimpleNamespace(consumes=consumes, parameters=[], request_body={}, security=None)
        ours = _OnceValidationOperation(lambda *a: None, operation=op)  # type: ignore[arg-type]
        theirs = RequestValidationOperation(lambda *a: None, operation=op)  # type: ignore[arg-type]
        for headers in headers_cases:
            assert ours.extract_content_type(headers) == theirs.extract_content_type(headers), (consumes, headers)


def test_responses_are_inferred_as_connexion_infers_them() -> None:
    import types

    from connexion.context import _operation
    from connexion.decorators.response import AsyncResponseDecorator
    from connexion.frameworks.starlette import Starlette
    from connexion.jsonifier import Jsonifier

    from pouch_server._compat.connexion import _InferOnceResponses

    def gen() -> Any:
        yield b"x"

    data_cases: list[Any] = [None, "text", b"bytes", {"a": 1}, [1], iter([1]), 3]
    for produces in ([], ["application/json"], ["text/plain"], ["application/json", "text/plain"],
                     ["application/json", "application/octet-stream"], ["application/problem+json"]):  # fmt: skip
        _operation.set(types.SimpleNamespace(produces=produces))  # type: ignore[arg-type]
        framework: Any = Starlette  # as connexion passes it (its get_body is left abstract)
        ours = _InferOnceResponses(framework=framework, jsonifier=Jsonifier())
        theirs = AsyncResponseDecorator(framework=framework, jsonifier=Jsonifier())
        for _ in range(2):  # the second time from what the first worked out
            for data in [*data_cases, gen()]:
                for headers in ({}, {"X-Other": "1"}, {"content-type": "text/plain"}):
                    outcome = []
                    for decorator in (ours, theirs):
                        try:
                            ctype = decorator._infer_content_type(data, dict(headers))
                            body = decorator._serialize_data(data, content_type=ctype) if ctype else None
                            outcome.append((ctype, body if isinstance(body, (str, bytes, type(None))) else "obj"))
                        except Exception as e:
                            outcome.append((type(e).__name__, str(e)))
                    assert outcome[0] == outcome[1], (produces, data, headers)


def test_parameters_are_validated_as_connexion_validates_them() -> None:
    from connexion.validators.parameter import ParameterValidator

    from pouch_server.validation import WordedParameterValidator

    params: list[dict[str, Any]] = [
        {"name": "n", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "s", "in": "query", "required": True, "schema": {"type": "string", "enum": ["a", "b"]}},
        {"name": "z", "in": "query", "schema": {"type": "string", "nullable": True}},
        {"name": "d", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    ]
    values: list[Any] = [None, 0, 5, "a", "c", "null", "2020-01-01T00:00:00Z", "yesterday", [1]]
    for param in params:
        for value in values:
            for _ in range(2):  # the second time with the validator built the first
                ours = WordedParameterValidator.validate_parameter("query", value, param)
                theirs = ParameterValidator.validate_parameter("query", value, param)
                assert (ours is None) == (theirs is None), (param, value, ours, theirs)
                if value is None and theirs is not None:
                    assert ours == theirs  # "Missing query parameter 's'"
