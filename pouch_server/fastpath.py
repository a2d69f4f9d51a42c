"""Speed-ups for connexion 3.3's request path, through its own extension points.

Each class names the upstream behaviour it works around; none patches connexion's code in place.
Where that takes a private name of connexion or starlette, it comes from pouch_server/_compat/.

1. ``AsyncOperation.fn`` (connexion/apps/asynchronous.py) builds a new ``StarletteDecorator`` on
   every request, and the decorator's wrapper calls ``decorate()`` again on every request:
   three ``functools.wraps`` and an ``inspect.signature`` of the handler, per request, for a result
   that depends only on the operation. :class:`CachedAsyncOperation` decorates once, on the first
   request (the URI parser needs the operation context, which exists only then).
   For an operation with neither parameters nor a request body, the parameter decorator's
   per-request work (collecting query, path, body and form arguments that cannot exist) is skipped.
2. ``SwaggerUIMiddleware`` (connexion/middleware/swagger_ui.py) runs every request through a
   Starlette router of the UI's routes before handing it on. :class:`SwaggerUIOnlyMiddleware`
   sends only ``/ui`` and ``/openapi.*`` requests through it.
3. ``RoutingMiddleware`` matches every request against each route's regex through a Mount and a
   Router. Our spec's paths have no templates, so :class:`StaticRoutingMiddleware` first looks the
   (path, method) up in a table built from the same spec, and falls back to the router otherwise
   (templated paths, unknown paths and methods: the 404/405 answers stay connexion's).
4. ``RequestValidationOperation.__call__`` (connexion/middleware/request_validation.py) builds a
   URI parser and a parameter validator on every request; :class:`CachedRequestValidationOperation`
   builds them once per operation (and, for a body, connexion's body validator builds a
   jsonschema validator per request: built once per body schema here). The validation itself is
   unchanged; a body is first read as pouch's Go daemon reads it (pouch_server/bodies.py).
5. ``LifespanMiddleware`` and ``SecurityMiddleware`` are dropped from the stack: pouchd runs with
   uvicorn's lifespan off and the spec declares no security schemes.
6. Below its error handling, a request passes five more connexion layers (UI, routing, request
   validation, context, the app's operation with two decorators), each resolving the operation
   again, for operations that take no input at all: GET /version, /info, /_ping, /metrics.
   :class:`DirectDispatchMiddleware` answers such operations right under connexion's error
   handling: the operations come from the same spec, through the same resolver; the response is
   built by connexion's own response code (the fixed content type is the operation's one
   ``produces``) and, when response validation is on, checked by connexion's own
   ``ResponseValidationOperation``. A request is taken only when request validation has nothing to
   check: the operation declares no parameters, no request body and no security, validation is not
   strict, and the request sends no Content-Type (which upstream checks against ``consumes``).
   Anything else goes down the full stack.
Request validation, the spec-driven routing and (when enabled) response validation are kept.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, cast

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive as current_receive
from connexion.context import scope as current_scope
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.exceptions import NonConformingResponseHeaders
from connexion.frameworks.starlette import Starlette as StarletteFramework
from connexion.json_schema import Draft4RequestValidator
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse
from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedAPI, SpecMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.response_validation import ResponseValidationMiddleware, ResponseValidationOperation
from connexion.middleware.routing import RoutingMiddleware, RoutingOperation
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.spec import Specification
from connexion.utils import is_json_mimetype, is_nullable
from connexion.validators import VALIDATOR_MAP
from jsonschema import Draft4Validator
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pouch_server._compat.connexion import DecoratorHooks, ResponseDecoratorHooks, last_mounted_routes, operation_var
from pouch_server._compat.starlette import route_path
from pouch_server.bodies import BodyReader, json_by_default
from pouch_server.swagger_ui import ServersSwaggerUIAPI

_UI_PREFIXES = ("/ui", "/openapi")


class _NoArgumentsParameterDecorator(AsyncParameterDecorator):
    """Passes no arguments when the operation can have none; otherwise connexion's own behaviour."""

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        operation = operation_var.get()
        if operation.parameters or operation.request_body:
            return super().__call__(function)

        @functools.wraps(function)
        async def wrapper(_request: Any) -> Any:
            return await function()

        return wrapper


class _OneTypeResponseDecorator(ResponseDecoratorHooks):
    """Upstream infers the content type per response from the operation's ``produces``; when the
    handler sets none and the operation produces exactly one type, the answer is fixed."""

    _only_type: str | None = None

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        self.set_produces(operation_var.get().produces)
        return super().__call__(function)

    def set_produces(self, produces: list[str]) -> None:
        types = list(set(produces))
        self._only_type = types[0] if len(types) == 1 else None

    def infer_content_type(self, data: Any, headers: dict[str, Any]) -> str | None:
        if self._only_type is not None and data is not None and not any(
                k.lower() == "content-type" for k in headers):
            return self._only_type
        return super().infer_content_type(data, headers)  # reads the context's operation


class _OnceDecorator(DecoratorHooks):
    """StarletteDecorator whose per-operation work happens once instead of per request."""

    parameter_decorator = _NoArgumentsParameterDecorator
    response_decorator = _OneTypeResponseDecorator

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        decorated: Callable[..., Awaitable[Any]] | None = None
        uri_parser: Any = None

        needs_request = True

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal decorated, uri_parser, needs_request
            if decorated is None:
                uri_parser = self.uri_parser  # reads the operation from the request context
                decorated = self.decorate(function)
                # An operation without parameters or body never reads the request object.
                operation = operation_var.get()
                needs_request = bool(operation.parameters or operation.request_body)
            if not needs_request:
                return await decorated(None)
            # connexion's proxies of the request's scope and receive channel stand for them.
            request = self.framework.get_request(uri_parser=uri_parser, scope=cast("Scope", current_scope),
                                                 receive=cast("Receive", current_receive))
            return await decorated(request)

        return wrapper


class CachedAsyncOperation(AsyncOperation):
    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(fn, **kwargs)
        self.handler = fn

    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        return _OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self.handler)


class CachedAsyncApi(AsyncApi):
    def make_operation(self, operation: Any) -> AsyncOperation:
        return CachedAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class SwaggerUIOnlyMiddleware(SwaggerUIMiddleware):
    def add_api(self, specification: Specification, base_path: str | None = None,
                arguments: dict[str, Any] | None = None, **kwargs: Any) -> None:
        # Upstream's, with the API class that names a real server (pouch_server/swagger_ui.py).
        api = ServersSwaggerUIAPI(specification, base_path=base_path, arguments=arguments,
                                  default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not route_path(scope).startswith(_UI_PREFIXES):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class StaticRoutingMiddleware(RoutingMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._static: dict[tuple[str, str], tuple[str, RoutingOperation]] = {}

    def add_api(self, specification: Specification, base_path: str | None = None,
                arguments: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        # The router just built holds one Route per (path, method) of the spec.
        prefix = (base_path or "").rstrip("/")
        routes = [r for r in last_mounted_routes(self.router)
                  if isinstance(r, Route) and "{" not in r.path and r.methods]
        # A Route for GET also answers HEAD; an operation the spec declares for HEAD comes first
        # (upstream's router takes whichever route comes first in the spec, so a HEAD operation
        # declared after its GET was never reached).
        for implicit_head in (False, True):
            for route in routes:
                endpoint = route.endpoint  # a RoutingOperation: connexion's routes call one
                if not isinstance(endpoint, RoutingOperation):
                    continue
                for method in route.methods or ():
                    if (method == "HEAD" and "GET" in (route.methods or ())) == implicit_head:
                        self._static.setdefault((prefix + route.path, method), (prefix, endpoint))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            entry = self._static.get((route_path(scope), scope["method"]))
            if entry is not None:
                # What RoutingOperation does once Starlette's router has matched it: record the
                # operation in connexion's routing context and call the next layer with the
                # request's own scope (a static path has no path parameters).
                base_path, op = entry
                routing = scope.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {})
                routing.update({"api_base_path": base_path, "operation_id": op.operation_id})
                await op.next_app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class CachedRequestValidationOperation(RequestValidationOperation):
    def __init__(self, next_app: ASGIApp, *, operation: AbstractOperation, strict_validation: bool = False,
                 validator_map: dict[str, Any] | None = None) -> None:
        super().__init__(next_app, operation=operation, strict_validation=strict_validation,
                         validator_map=validator_map)
        self.operation = operation
        self.validators = {**VALIDATOR_MAP, **(validator_map or {})}  # as upstream merges them

    @functools.cached_property
    def _parameter_validator(self) -> Any:
        return self.validators["parameter"](
            self.operation.parameters,
            uri_parser=self._uri_parser,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )

    @functools.cached_property
    def _has_body(self) -> bool:
        return bool(self.operation.request_body)

    @functools.cached_property
    def _json_by_default(self) -> bool:
        # pouch's Go client sends JSON bodies without a Content-Type (see pouch_server/bodies.py).
        return any(is_json_mimetype(c) for c in self.operation.consumes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Same steps as upstream, with the validators (and the body reader) built once.
        self._parameter_validator.validate(scope)
        if self._has_body:
            if self._json_by_default:
                scope = json_by_default(scope)
            mime_type, encoding = self.extract_content_type(scope["headers"])
            self.validate_mime_type(mime_type)  # an explicit non-JSON type: 415
            receive, scope = await self._validate_body(mime_type, encoding, receive, scope)
            await self.next_app(scope, receive, send)
            return
        headers = scope["headers"]
        # Without a Content-Type header upstream assumes the operation's first `consumes`, which
        # always passes validate_mime_type: only a given header needs checking.
        if any(name == b"content-type" for name, _ in headers):
            mime_type, _ = self.extract_content_type(headers)
            self.validate_mime_type(mime_type)
        await self.next_app(scope, receive, send)

    async def _validate_body(self, mime_type: str, encoding: str, receive: Receive,
                             scope: Scope) -> tuple[Receive, Scope]:
        """Upstream's body validation; the schema's reader and validator come from a per-schema cache."""
        schema = self.operation.body_schema(mime_type)
        if not schema:
            return receive, scope
        try:
            validator_cls = self.validators["body"][mime_type]
        except KeyError:
            return receive, scope  # upstream: "Skipping validation" for a type without a validator
        reader, schema_validator = self._for_schema(schema)
        validator = validator_cls(
            schema=schema,
            required=self.operation.request_body.get("required", False),
            nullable=is_nullable(self.operation.body_definition(mime_type)),
            encoding=encoding,
            strict_validation=self.strict_validation,
            uri_parser=self._uri_parser,
            reader=reader,
            schema_validator=schema_validator,
        )
        wrapped: tuple[Receive, Scope] = await validator.wrap_receive(receive, scope=scope)
        return wrapped

    @functools.cached_property
    def _uri_parser(self) -> Any:
        return self.operation.uri_parser_class(self.operation.parameters, self.operation.body_definition())

    @functools.cached_property
    def _schemas(self) -> dict[int, tuple[dict[str, Any], BodyReader | None, Any]]:
        return {}

    def _for_schema(self, schema: dict[str, Any]) -> tuple[BodyReader | None, Any]:
        # Keyed by identity: the operation hands out the same (resolved) schema object per media
        # type, so there are as many entries as the operation has body schemas. The schema is
        # kept in the entry so that its id stays its own.
        entry = self._schemas.get(id(schema))
        if entry is None:
            validator = Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
            entry = self._schemas[id(schema)] = (schema, BodyReader.for_schema(schema), validator)
        return entry[1], entry[2]


class CachedRequestValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: Any) -> RequestValidationOperation:
        return CachedRequestValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class CachedRequestValidationMiddleware(RequestValidationMiddleware):
    api_cls = CachedRequestValidationAPI


class _DirectOperation:
    """Calls an input-free handler and sends its answer, as connexion's app layer would."""

    def __init__(self, operation: AbstractOperation, jsonifier: Any) -> None:
        self.operation = operation
        self._handler = operation.function
        # connexion's Starlette framework leaves Framework.get_body abstract; connexion passes the class
        # (never an instance) in the same way (StarletteDecorator.framework).
        self._responses = _OneTypeResponseDecorator(framework=StarletteFramework,  # type: ignore[type-abstract]
                                                    jsonifier=jsonifier)
        self._responses.set_produces(operation.produces)
        self._dumps = jsonifier.dumps
        # The content type connexion's response code infers for a str or a dict the handler returns
        # without one depends on the operation alone: asked of that code once, here.
        self._inferred: dict[type, tuple[bytes, bool]] = {}
        token = operation_var.set(operation)
        try:
            for kind, sample in ((dict, {}), (str, "")):
                try:
                    content_type = self._responses.infer_content_type(sample, {})
                except NonConformingResponseHeaders:
                    continue
                as_json = bool(content_type) and is_json_mimetype(content_type)
                # A dict with a non-JSON type is rendered by Starlette's JSONResponse: not here.
                if content_type and (kind is str or as_json):
                    self._inferred[kind] = (content_type.encode("latin-1"), as_json)
        finally:
            operation_var.reset(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        result = await self._handler()
        data, status, headers = result, 200, None
        if type(result) is tuple and 2 <= len(result) <= 3 and type(result[1]) is int:
            data, status, headers = result[0], result[1] or 200, (result[2] if len(result) == 3 else None)
        inferred = self._inferred.get(type(data))
        if inferred is not None and (headers is None or (
                type(headers) is dict and not any(k.lower() == "content-type" for k in headers))):
            # The common cases in a few lines: a JSON object or a text from the handler, alone or
            # with a status and headers. connexion's response code would serialize it with the
            # same jsonifier (JSON types only), add the inferred Content-Type after the handler's
            # headers and have Starlette add the Content-Length; its four layers of inference cost
            # more than the serialization. The bytes and headers are the same
            # (tests/test_fastpath.py compares them with the full stack's).
            content_type, as_json = inferred
            body = (self._dumps(data) if as_json else data).encode()
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()] if headers else []
            raw += [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": body})
            return
        # Anything else goes through connexion's response code, which reads the operation from
        # connexion's context when the content type is not fixed (ContextMiddleware's job upstream).
        token = operation_var.set(self.operation)
        try:
            if isinstance(result, StarletteResponse):
                response = result
            elif isinstance(result, ConnexionResponse):
                response = StarletteFramework.connexion_to_framework_response(result)
            else:
                response = self._responses.build_framework_response(result)
        finally:
            operation_var.reset(token)
        await response(scope, receive, send)


_Entry = tuple[str, str, ASGIApp]  # api base path, operationId, the operation as an ASGI app


class _DirectAPI(RoutedAPI[_Entry | None]):
    """The spec's input-free operations, by (path, method)."""

    def __init__(self, *args: Any, jsonifier: Any = None, strict_validation: bool = False,
                 validate_responses: bool = False, validator_map: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.jsonifier = jsonifier or Jsonifier()  # the app layer's default (connexion/apps/asynchronous.py)
        self.validate_responses = validate_responses
        self.validator_map = validator_map
        self.table: dict[tuple[str, str], _Entry] = {}
        self._declared: set[tuple[str, str]] = set()  # every (path, method) of the spec, direct or not
        if not strict_validation:  # strict validation rejects unknown query parameters: full stack
            self.add_paths()

    def add_paths(self) -> None:
        super().add_paths()
        # Starlette's router answers HEAD with a GET route when no HEAD route comes first; the
        # table mirrors that (see StaticRoutingMiddleware), with the spec's own HEAD operations first.
        for (path, method), entry in list(self.table.items()):
            if method == "GET" and (path, "HEAD") not in self._declared:
                self.table[(path, "HEAD")] = entry

    def add_operation(self, path: str, method: str) -> None:
        if "{" in path:
            return
        operation = self.specification.operation_cls.from_spec(
            self.specification, path=path, method=method, resolver=self.resolver,
            uri_parser_class=self.uri_parser_class,
        )
        key = (self.base_path.rstrip("/") + path, method.upper())
        self._declared.add(key)
        entry = self.make_operation(operation)
        if entry is not None:
            self.table[key] = entry

    def make_operation(self, operation: AbstractOperation) -> _Entry | None:
        takes_input = operation.parameters or operation.request_body or operation.security
        if takes_input or not inspect.iscoroutinefunction(operation.function):
            return None
        app: ASGIApp = _DirectOperation(operation, self.jsonifier)
        if self.validate_responses:
            app = ResponseValidationOperation(app, operation=operation, validator_map=self.validator_map)
        return (self.base_path, operation.operation_id, app)


class DirectDispatchMiddleware(SpecMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: dict[tuple[str, str], _Entry] = {}

    def add_api(self, specification: Specification, **kwargs: Any) -> None:
        api = _DirectAPI(specification, next_app=self.app, **kwargs)
        for key, entry in api.table.items():
            self._table.setdefault(key, entry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            entry = self._table.get((route_path(scope), scope["method"]))
            if entry is not None and not any(name == b"content-type" for name, _ in scope["headers"]):
                base_path, operation_id, app = entry
                # What connexion's router records, for the layers above (metrics, access log).
                routing = scope.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {})
                routing.update({"api_base_path": base_path, "operation_id": operation_id})
                await app(scope, receive, send)
                return
        await self.app(scope, receive, send)


def middlewares(validate_responses: bool) -> list[type]:
    """connexion's stack with the changes above; response validation only when it is on (upstream
    keeps the layer, and its per-request routing, even when it validates nothing)."""
    stack: list[type] = [
        ServerErrorMiddleware,
        ExceptionMiddleware,
        DirectDispatchMiddleware,
        SwaggerUIOnlyMiddleware,
        StaticRoutingMiddleware,
        CachedRequestValidationMiddleware,
    ]
    if validate_responses:
        stack.append(ResponseValidationMiddleware)
    stack.append(ContextMiddleware)
    return stack

