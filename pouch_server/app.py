"""The app factory: api/swagger.yaml bound to the handlers by operationId.

The spec is the router: connexion routes every request by it and validates the request against
it (and every response, when asked) before a handler runs. The spec names no Python modules; the
mapping from operationId to handler is the table the daemon passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from connexion.exceptions import ProblemException
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from pouch_server import error_handlers
from pouch_server._compat.connexion import (
    LeanExceptionMiddleware,
    OnceAsyncApp,
    OnceValidationMiddleware,
    RootRoutingMiddleware,
)
from pouch_server.errors import APIError
from pouch_server.jsonifier import PouchJsonifier
from pouch_server.middleware import PouchMiddleware
from pouch_server.swagger_ui import SwaggerUIMiddleware
from pouch_server.tls import ManagerWhitelist
from pouch_server.validation import validator_map

SPEC_PATH = Path(__file__).resolve().parent / "swagger.yaml"


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The spec as a dict, parsed by libyaml when PyYAML has it.

    Given a file, connexion parses it with PyYAML's pure-Python loader (about 70 ms for this spec,
    the largest single cost of pouchd's start-up) after rendering it as a Jinja2 template (the spec
    has no template syntax). libyaml builds the same dict in a few milliseconds.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as f:
        spec: dict[str, Any] = yaml.load(f, Loader=loader)  # a safe loader either way
    return spec


class OperationResolver(Resolver):
    """Resolves operationIds (pouch's client method names) from a table, not from import paths."""

    def __init__(self, table: dict[str, Callable[..., Any]]) -> None:
        super().__init__(function_resolver=self._lookup)
        self.table = table

    def _lookup(self, operation_id: str) -> Callable[..., Any]:
        try:
            return self.table[operation_id]
        except KeyError:
            raise ImportError(f"no handler for operationId {operation_id}") from None


def middlewares(validate_responses: bool) -> list[type]:
    """connexion's default stack, in its order, each layer through the seams of
    pouch_server/_compat/connexion.py (response validation as it is). Left out: the server-error
    layer (connexion's exception layer already answers any exception with the app's error
    handlers, and PouchMiddleware answers one raised while an answer is under way), lifespan
    (pouchd runs uvicorn's lifespan off), security (the spec declares no security schemes) and,
    unless asked for, response validation (upstream keeps that layer, and its per-request
    routing, even when it validates nothing)."""
    stack: list[type] = [
        LeanExceptionMiddleware,
        SwaggerUIMiddleware,
        RootRoutingMiddleware,
        OnceValidationMiddleware,
    ]
    if validate_responses:
        stack.append(ResponseValidationMiddleware)
    stack.append(ContextMiddleware)
    return stack


def create_app(
    operations: dict[str, Callable[..., Any]],
    *,
    spec: dict[str, Any] | None = None,
    debug: bool = False,
    validate_responses: bool = False,
    observe: Callable[[str | None, int, float], None] | None = None,
    manager_whitelist: frozenset[str] = frozenset(),
) -> ASGIApp:
    """Build the ASGI app serving the spec (pouchd's own unless ``spec`` is given) with
    ``operations`` (operationId → handler).

    The layers, outermost first: PouchMiddleware (request id, standard headers, version prefix,
    access log, metrics), the TLS whitelist when there is one, then connexion's stack down to
    the handler.
    """
    app = OnceAsyncApp(
        __name__,
        middlewares=middlewares(validate_responses),
        specification_dir=SPEC_PATH.parent,
        validator_map=validator_map(),
        jsonifier=PouchJsonifier(),
        swagger_ui_options=SwaggerUIOptions(
            spec_path="/openapi.json",
            swagger_ui_path="/ui",
            swagger_ui_config={"displayOperationId": True, "tryItOutEnabled": False},
        ),
    )
    spec = spec if spec is not None else load_spec()
    app.add_api(
        spec,
        base_path="",
        resolver=OperationResolver(operations),
        validate_responses=validate_responses,
    )
    app.add_error_handler(APIError, error_handlers.api_error)
    app.add_error_handler(ProblemException, error_handlers.problem_error)
    app.add_error_handler(HTTPException, error_handlers.AllowedMethods(spec).http_error)
    app.add_error_handler(Exception, error_handlers.unexpected_error)
    # connexion's own stack (AsyncApp.__call__ only hands each request to it).
    inner: ASGIApp = app.middleware
    if manager_whitelist:
        inner = ManagerWhitelist(inner, manager_whitelist)
    return PouchMiddleware(inner, debug=debug, observe=observe)
