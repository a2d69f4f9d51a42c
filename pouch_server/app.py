"""The app factory: api/swagger.yaml bound to the handlers by operationId.

The spec is the router: connexion validates every request against it (and every response,
when asked) before a handler runs. The spec names no Python modules; the mapping from
operationId to handler lives here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pouch_common.speedups import deferred_imports, skip_httpx_cli

# connexion imports starlette's test client at import time, which imports httpx (and with it
# httpx's own CLI, ~50 ms) and warns about it on every daemon start; none of it is used here.
# It also imports requests, for remote $refs this spec does not have (see speedups.py).
skip_httpx_cli()
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
with deferred_imports("requests"):
    import connexion  # noqa: F401

import yaml  # noqa: E402
from connexion import AsyncApp  # noqa: E402
from connexion.exceptions import ProblemException  # noqa: E402
from connexion.options import SwaggerUIOptions  # noqa: E402
from connexion.resolver import Resolver  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402
from starlette.types import ASGIApp  # noqa: E402

from pouch_server import errors  # noqa: E402
from pouch_server._compat.connexion import use_api_class  # noqa: E402
from pouch_server.fastpath import CachedAsyncApi, middlewares  # noqa: E402
from pouch_server.middleware import PouchMiddleware  # noqa: E402
from pouch_server.tls import ManagerWhitelist  # noqa: E402
from pouch_server.validation import validator_map  # noqa: E402

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


def create_app(operations: dict[str, Callable[..., Any]], *, debug: bool = False,
               validate_responses: bool = False,
               observe: Callable[[str | None, int, float], None] | None = None,
               manager_whitelist: frozenset[str] = frozenset()) -> ASGIApp:
    """Build the ASGI app serving the spec with ``operations`` (operationId → handler).

    The layers, outermost first: PouchMiddleware (request id, version prefix, headers, access
    log, metrics), the TLS whitelist when there is one, then connexion's stack
    (pouch_server/fastpath.py) down to the handler.
    """
    app = AsyncApp(
        __name__,
        middlewares=middlewares(validate_responses),
        specification_dir=SPEC_PATH.parent,
        validator_map=validator_map(),
        swagger_ui_options=SwaggerUIOptions(
            spec_path="/openapi.json",
            swagger_ui_path="/ui",
            swagger_ui_config={"displayOperationId": True, "tryItOutEnabled": False},
        ),
    )
    # Operations decorate their handler once, not per request (see pouch_server/fastpath.py).
    use_api_class(app, CachedAsyncApi)
    app.add_api(
        load_spec(),
        base_path="",
        resolver=OperationResolver(operations),
        validate_responses=validate_responses,
    )
    app.add_error_handler(errors.APIError, errors.api_error)
    app.add_error_handler(ProblemException, errors.problem_error)
    app.add_error_handler(HTTPException, errors.http_error)
    app.add_error_handler(Exception, errors.unexpected_error)
    inner: ASGIApp = ManagerWhitelist(app, manager_whitelist) if manager_whitelist else app
    return PouchMiddleware(inner, debug=debug, observe=observe)
