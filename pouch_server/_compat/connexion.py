"""connexion's request path with a few seams, and the private names pouchd uses; written for
connexion 3.3.0.

The spec is the router: every request goes through connexion's own layers (exceptions, Swagger
UI, routing, request validation, context, the app layer that calls the handler), in upstream's
order. The seams change how much work those layers repeat per request, never what they decide:

1. **Handlers decorated once** (:class:`OnceAsyncApp`). Upstream, ``AsyncOperation.fn`` builds a
   new ``StarletteDecorator`` for every request, and the decorator's wrapper calls ``decorate()``
   again each time (three ``functools.wraps`` and an ``inspect.signature`` of the handler), for a
   result that depends only on the operation. Here the first request decorates and later ones
   reuse it (the URI parser and the decorators read the operation from the request context,
   which exists only during a request). The response decorator works out once per operation
   what upstream infers on every response (:class:`_InferOnceResponses`).
2. **Parameter validators built once** (:class:`OnceValidationMiddleware`). Upstream,
   ``RequestValidationOperation.__call__`` builds a parameter validator for every request; here
   each operation builds its own once, and an operation without a body skips the steps that can
   only concern a body. An operation with a body runs upstream's ``__call__`` as it is: body
   validators get exactly the arguments upstream gives them. The request's Content-Type is read
   without the ``typing`` alias upstream's helper builds on every call.
3. **Routing** (:class:`RootRoutingMiddleware`). Upstream's ``RoutingMiddleware`` mounts each
   API's router at its base path; for an API at the root that Mount matches every path and only
   hands the request to the router inside it. Here that router's routes take the Mount's place,
   in the same order, in a router that tries first only the routes that can match the request
   (:class:`IndexedRouter`); Starlette's ``matches()`` decides, as upstream.
4. **Swagger UI only under /ui** (:class:`UIOnlySwaggerUIMiddleware`). Upstream,
   ``SwaggerUIMiddleware`` runs every request through a Starlette router of the UI's routes before
   handing it on; here only ``/ui...`` and ``/openapi...`` requests go through it.
5. **Exceptions caught without per-request wrapping** (:class:`LeanExceptionMiddleware`).
   Upstream makes a request object and two closures for every request, for the rare one that
   raises; here they are made when one does.
6. **Steps that only hand a request on return the next layer's awaitable**
   (:class:`QuickRoutedMiddleware` for the validation and app layers; the Swagger UI, routing
   and validation steps). Upstream each such step is a coroutine of its own that awaits the next
   layer; here it is a plain function doing the same work and returning the next layer's
   awaitable, which its caller awaits: the same calls in the same order, a coroutine fewer.

The other names below stand for private upstream symbols (named in each docstring), so that no
other module of pouchd uses a private name of connexion's.

To move to another connexion: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, MutableMapping
from typing import Any, cast

from connexion import AsyncApp
from connexion import utils as connexion_utils
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import operation as current_operation
from connexion.context import receive as current_receive
from connexion.context import scope as current_scope
from connexion.datastructures import NoContent
from connexion.decorators import StarletteDecorator
from connexion.decorators.response import AsyncResponseDecorator
from connexion.exceptions import MissingMiddleware
from connexion.lifecycle import ConnexionResponse
from connexion.middleware.abstract import ROUTING_CONTEXT, MissingOperation, RoutedMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.routing import RoutingAPI, RoutingMiddleware, RoutingOperation
from connexion.middleware.routing import _scope as _routing_scope
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.spec import Specification
from connexion.validators import (
    VALIDATOR_MAP,
    AbstractRequestBodyValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from pouch_server._compat.starlette import is_async_handler, lookup_exception_handler, route_path
from pouch_server.bodies import ANY_CONTENT_TYPE, as_json

UPSTREAM = "connexion"
WRITTEN_FOR = "3.3.0"


# --- 6. the routed layers' operation lookup ------------------------------------------------------


class QuickRoutedMiddleware(RoutedMiddleware[Any]):
    """A routed layer (request validation, the app layer) that finds the request's
    operation as upstream's ``RoutedMiddleware.__call__`` does and returns the awaitable of the
    operation (or of the next layer) instead of awaiting it in a coroutine of its own.

    Upstream: the routing extension's ``api_base_path`` picks the APIs registered under it (none:
    the request goes on to the next layer); in the first of them that has the extension's
    ``operation_id``, that operation takes the request; when none has it, a request without an
    operation id goes on, one with an id raises ``MissingOperation``; no routing extension at all
    raises ``MissingMiddleware``. Mixed in before the upstream class.
    """

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        try:
            routing = scope["extensions"][ROUTING_CONTEXT]
        except KeyError:
            raise MissingMiddleware(
                "Could not find routing information in scope. Please make sure "
                "you have a routing middleware registered upstream. "
            ) from None
        # API base paths are strings: None (no base path) finds no API here, as upstream skips it.
        apis = self.apis.get(routing.get("api_base_path"))
        if apis is None:
            return self.app(scope, receive, send)
        operation_id = routing.get("operation_id")
        for api in apis:
            operation = api.operations.get(operation_id)  # an operation object, never None
            if operation is not None:
                handled: Awaitable[None] = operation(scope, receive, send)
                return handled
            if operation_id is None:
                return self.app(scope, receive, send)
        raise MissingOperation("Encountered unknown operation_id.")


# --- 1. handlers decorated once ----------------------------------------------------------------


# The kinds of handler data among which upstream's content type inference can differ (it looks at
# ``data is None``, ``isinstance(data, str)``, and bytes, generators and iterators).
_NONE, _TEXT, _BINARY, _OTHER = range(1, 5)  # all true: see _infer_content_type


_kinds: dict[type, int] = {}  # by type: an ABC's isinstance() is a slow walk in Python


def _kind_of(data: Any) -> int:
    """The kind of ``data`` (not None), worked out once per type."""
    if isinstance(data, str):
        kind = _TEXT
    elif isinstance(data, (bytes, types.GeneratorType, collections.abc.Iterator)):
        kind = _BINARY
    else:
        kind = _OTHER
    _kinds[type(data)] = kind
    return kind


class _InferOnceResponses(AsyncResponseDecorator):
    """connexion's response decorator, with what it infers from the operation worked out once.

    Upstream, for every response whose handler names no Content-Type, ``_infer_content_type``
    reads the operation's ``produces`` from the request context and picks a type by the kind of
    data returned; it scans the handler's headers with ``utils.extract_content_type``, which
    builds a ``typing`` alias on each call (a third of a plain-text answer's cost). And
    ``_serialize_data`` splits the content type and tests it for JSON on every response. Both
    answers depend only on the operation and the kind of data or the content type: here each is
    worked out by upstream's own code the first time and kept. A handler that names its own
    Content-Type, and any inference that fails (it raises), go to upstream every time.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._inferred: dict[int, str | None] = {}  # kind of data -> content type
        self._json: dict[str | None, bool] = {}  # content type -> serialized as JSON

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        # Upstream's wrapper: the handler's answer turned into a response by respond().
        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return self.respond(await function(*args, **kwargs))

        return wrapper

    def respond(self, handler_response: Any) -> Any:
        """Upstream's wrapper after the handler has answered: a framework response as it is, a
        ``ConnexionResponse`` converted, anything else built into a response."""
        if self.framework.is_framework_response(handler_response):
            return handler_response
        if isinstance(handler_response, ConnexionResponse):
            return self.framework.connexion_to_framework_response(handler_response)
        return self.build_framework_response(handler_response)  # type: ignore[no-untyped-call]

    def _infer_content_type(self, data: Any, headers: Any) -> str | None:  # type: ignore[override]
        if isinstance(headers, dict):
            for name in headers:
                if name.lower() == "content-type":
                    break
            else:  # the handler named no Content-Type
                kind = _NONE if data is None else _kinds.get(type(data)) or _kind_of(data)
                try:
                    return self._inferred[kind]
                except KeyError:
                    inferred = self._inferred[kind] = AsyncResponseDecorator._infer_content_type(data, {})
                    return inferred
        upstream: str | None = AsyncResponseDecorator._infer_content_type(data, headers)
        return upstream

    def _serialize_data(self, data: Any, *, content_type: str) -> Any:
        if data is None or data is NoContent:
            return None
        is_json = self._json.get(content_type)
        if is_json is None:
            mime_type, _ = connexion_utils.split_content_type(content_type)
            is_json = self._json[content_type] = bool(connexion_utils.is_json_mimetype(mime_type))
        return self.jsonifier.dumps(data) if is_json else data


# What an operation without input is given once decorated: its handler and response decorator.
_Settle = Callable[[Callable[[], Awaitable[Any]], "_InferOnceResponses"], None]


class _OnceDecorator(StarletteDecorator):
    """``StarletteDecorator`` whose ``decorate()`` and URI parser are made on the first request.

    An operation that takes no input at all (no parameters, no body: GET /version, /info,
    /_ping) has nothing for the parameter decorator to collect: its coroutine handler is called
    with no arguments and no request object is made, and only the response decorator runs (half of
    such a request's cost upstream is the parameter decorator looking for query, path, body and
    form arguments that cannot exist). Once such an operation is decorated, ``settle`` is given
    the handler and its response decorator: its operation calls them instead of this wrapper.
    """

    def __init__(
        self,
        *,
        settle: Callable[[Callable[[], Awaitable[Any]], _InferOnceResponses], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settle = settle

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        decorated: Callable[..., Awaitable[Any]] | None = None
        uri_parser: Any = None
        takes_input = True

        @functools.wraps(function)
        async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
            nonlocal decorated, uri_parser, takes_input
            if decorated is None:
                operation: Any = current_operation  # the request's operation (an OpenAPIOperation)
                takes_input = bool(
                    operation.parameters or operation.request_body or not inspect.iscoroutinefunction(function)
                )
                uri_parser = self.uri_parser  # reads the operation from the request context
                if takes_input:
                    decorated = self.decorate(function)
                else:
                    # decorate() less the parameter decorator (and the sync/async one: a coroutine).
                    # The class, as upstream passes it (connexion's Starlette framework leaves
                    # get_body abstract).
                    responses = _InferOnceResponses(framework=self.framework, jsonifier=self.jsonifier)
                    decorated = responses(function)
                    if self.settle is not None:
                        self.settle(function, responses)
            if not takes_input:
                return await decorated()
            # connexion's context proxies stand for the request's scope and receive channel, as
            # in upstream's wrapper.
            request = self.framework.get_request(
                uri_parser=uri_parser, scope=cast("Scope", current_scope), receive=cast("Receive", current_receive)
            )
            return await decorated(request)

        return wrapper

    @property
    def _response_decorator_cls(self) -> type[AsyncResponseDecorator]:
        return _InferOnceResponses


class _OnceAsyncOperation(AsyncOperation):
    """Upstream's ``fn`` property decorates the handler anew on every call; here it is the handler
    decorated once. An operation without input, once settled, calls its handler and then its
    response decorator's :meth:`~_InferOnceResponses.respond` itself (one coroutine less)."""

    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(fn, **kwargs)
        self._handler: Callable[[], Awaitable[Any]] | None = None
        self._responses: _InferOnceResponses | None = None
        self._decorated = _OnceDecorator(
            pythonic_params=self.pythonic_params, jsonifier=self.jsonifier, settle=self._settle
        )(fn)

    def _settle(self, handler: Callable[[], Awaitable[Any]], responses: _InferOnceResponses) -> None:
        self._handler, self._responses = handler, responses

    @property
    def fn(self) -> Callable[..., Any]:
        return self._decorated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        # Upstream's: the decorated handler's response, then that response answers.
        if self._responses is not None and self._handler is not None:
            response = self._responses.respond(await self._handler())
        else:
            response = await self._decorated()
        return await response(scope, receive, send)


class _OnceAsyncApi(AsyncApi):
    def make_operation(self, operation: Any) -> AsyncOperation:
        return _OnceAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _OnceASGIApp(QuickRoutedMiddleware, AsyncASGIApp):
    api_cls = _OnceAsyncApi


class OnceAsyncApp(AsyncApp):
    """connexion's ``AsyncApp`` whose app layer (the bottom of its stack, which calls the
    handlers) decorates each operation's handler once and finds the operation as
    :class:`QuickRoutedMiddleware` does.

    Upstream: ``AsyncApp.__init__`` makes an ``AsyncASGIApp`` (its ``_middleware_app``, whose
    ``api_cls`` makes the operations) and then runs ``AbstractApp.__init__``, which wraps it in
    connexion's middleware stack. Here the same, with the app layer above.
    """

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        self._middleware_app: AsyncASGIApp = _OnceASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)


# --- 2. parameter validators built once --------------------------------------------------------


class _OnceValidationOperation(RequestValidationOperation):
    """Upstream's ``__call__`` builds a URI parser and a parameter validator for every request,
    and checks the request's Content-Type against the operation's ``consumes`` through a
    ``MediaTypeDict`` built each time. Here the parameter validator is built on first use and
    kept (it reads only the operation). An operation with a request body then runs upstream's
    ``__call__`` as it is, with that validator; one without checks its parameters, if any, and
    the Content-Type only when the request sends one (without it upstream assumes the operation's
    first type, which always passes), and returns the next layer's awaitable (seam 6). A
    Content-Type found acceptable is remembered (a few of them). An operation whose request body
    carries ``x-pouch-any-content-type: true`` reads its body as JSON whatever type is named."""

    def __init__(
        self,
        next_app: ASGIApp,
        *,
        operation: AbstractOperation,
        strict_validation: bool = False,
        validator_map: dict[str, Any] | None = None,
    ) -> None:
        validators = {**VALIDATOR_MAP, **(validator_map or {})}  # merged as upstream merges them
        self._parameter_cls = validators["parameter"]
        validators["parameter"] = self._parameter_validator  # what upstream's __call__ builds
        super().__init__(next_app, operation=operation, strict_validation=strict_validation, validator_map=validators)
        self.operation = operation
        self._built: Any = None
        body = getattr(operation, "request_body", None)
        self._has_body = bool(body)
        self._any_type = isinstance(body, dict) and body.get(ANY_CONTENT_TYPE) is True
        self._has_parameters = bool(operation.parameters)
        self._accepted: set[str] = set()

    def _parameter_validator(self, *args: Any, **kwargs: Any) -> Any:
        if self._built is None:
            self._built = self._parameter_cls(*args, **kwargs)
        return self._built

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        """Upstream's: the first header named ``content-type`` (in any case; name and value read
        as latin-1) as ``utils.extract_content_type`` finds it, without the ``typing`` alias that
        function builds on each call; split by ``utils.split_content_type``; without a type the
        operation's first, else ``application/octet-stream``; without a charset utf-8."""
        content_type: str | None = None
        for name, value in headers:
            key = name.decode("latin-1") if isinstance(name, bytes) else name
            if key.lower() == "content-type":
                content_type = value.decode("latin-1") if isinstance(value, bytes) else value
                break
        mime_type, encoding = connexion_utils.split_content_type(content_type)
        if mime_type is None:
            consumes = self.operation.consumes
            mime_type = consumes[0] if consumes else "application/octet-stream"
        return mime_type, "utf-8" if encoding is None else encoding

    def validate_mime_type(self, mime_type: str) -> None:
        if mime_type in self._accepted:
            return
        super().validate_mime_type(mime_type)  # raises for a type the operation does not take
        if len(self._accepted) < 16:
            self._accepted.add(mime_type)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        if self._has_body:
            if self._any_type:
                scope = as_json(scope)
            validated: Awaitable[None] = super().__call__(scope, receive, send)
            return validated
        if self._has_parameters:
            op = self.operation
            uri_parser = op.uri_parser_class(op.parameters, op.body_definition())
            self._parameter_validator(
                op.parameters,
                uri_parser=uri_parser,
                strict_validation=self.strict_validation,
                security_query_params=self.security_query_params,
            ).validate(scope)
        for name, _ in scope["headers"]:
            if name == b"content-type":
                self.validate_mime_type(self.extract_content_type(scope["headers"])[0])
                break
        return self.next_app(scope, receive, send)


class _OnceValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return _OnceValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class OnceValidationMiddleware(QuickRoutedMiddleware, RequestValidationMiddleware):
    """connexion's request validation, each operation's parameter validator built once."""

    api_cls = _OnceValidationAPI


# --- 3. routing ------------------------------------------------------------------------------------


class IndexedRouter(Router):
    """Starlette's router, trying first only the routes that can answer the request in full.

    Upstream's ``Router.app`` calls ``matches()`` on every route in order until one matches fully
    (a regex match and a child scope each, ~1.5 µs a route), so the last of 50 operations costs 50
    tries. A ``Route`` can match fully only a path that starts with its path's literal first
    segment, if it has one (``/containers/{id}/json``: ``containers``), and only a method it
    takes. Here a request first tries, in the routes' own order, only the routes that pass both
    tests for its method and its path's first segment (routes of any other kind, a Mount, are
    always tried), with upstream's ``matches()`` and ``handle()``: the first full match among
    them is upstream's first full match. When none matches fully, upstream's ``app`` runs as it is
    (a 405 from a partial match, its trailing-slash redirect, a 404). The lists are made by
    :meth:`reindex`, for each method and first segment the routes name (and one for any other),
    which whoever changes the route list calls (a change of its length is also noticed on the
    next request). A path parameter in the first segment, or a route that is not a plain
    ``Route``, puts the route on every list.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.middleware_stack != self.app:
            raise TypeError("an IndexedRouter takes no middleware")  # see __call__
        self.reindex()

    def reindex(self) -> None:
        """File the routes anew (call after changing them)."""
        filed = [(route, *_literal_segment_and_methods(route)) for route in self.routes]
        segments = {segment for _, segment, _ in filed if segment is not None}
        methods = {method for _, _, route_methods in filed for method in route_methods or ()}

        def candidates(method: str | None, segment: str | None) -> list[BaseRoute]:
            return [
                route
                for route, route_segment, route_methods in filed
                if route_segment in (None, segment) and (route_methods is None or method in route_methods)
            ]

        # method -> first segment -> candidates; None: any other method, any other segment
        self._by_method: dict[str | None, dict[str | None, list[BaseRoute]]] = {
            method: {segment: candidates(method, segment) for segment in (*segments, None)}
            for method in (*methods, None)
        }
        self._count = len(self.routes)

    def candidates(self, method: str, path: str) -> list[BaseRoute]:
        """The routes that can match a request for ``method`` on ``path`` (a route path) in
        full, in the router's order."""
        if self._count != len(self.routes):
            self.reindex()
        by_segment = self._by_method.get(method) or self._by_method[None]
        end = path.find("/", 1)
        # A path that does not start with "/" matches no route filed under a segment, and each
        # list holds all the others.
        found = by_segment.get(path[1:end] if end > 0 else path[1:])
        return by_segment[None] if found is None else found

    def app(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        if scope["type"] == "http":
            # Upstream's loop for a full match, over the candidates (seam 6: the route's awaitable).
            # candidates(), inline: this runs for every request.
            if self._count != len(self.routes):
                self.reindex()
            by_segment = self._by_method.get(scope["method"]) or self._by_method[None]
            path = route_path(scope)
            end = path.find("/", 1)
            found = by_segment.get(path[1:end] if end > 0 else path[1:])
            for route in by_segment[None] if found is None else found:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    if "router" not in scope:
                        scope["router"] = self
                    scope["route"] = route
                    scope.update(child_scope)
                    return route.handle(scope, receive, send)
        upstream: Awaitable[None] = super().app(scope, receive, send)
        return upstream

    # Upstream's __call__ hands the request to ``middleware_stack``, which for a router without
    # middleware (the only kind this class takes) is ``app``: called directly, one step less.
    __call__ = app  # type: ignore[assignment]  # the same call, returning an awaitable (seam 6)


def _literal_segment_and_methods(route: BaseRoute) -> tuple[str | None, frozenset[str] | None]:
    """The literal first segment of every path ``route`` matches in full, and the methods it takes
    (None: not known, any)."""
    if type(route) is not Route:  # a Mount, a Host, a subclass with a matches() of its own
        return None, None
    methods = frozenset(route.methods) if route.methods is not None else None
    path: str = route.path
    if not path.startswith("/"):
        return None, methods
    end = path.find("/", 1)
    segment = path[1:end] if end > 0 else path[1:]
    return (None if "{" in segment else segment), methods


class _RoutingOperation(RoutingOperation):
    """Upstream's ``__call__`` with the same effects, without its per-request helper function and
    returning the next layer's awaitable (seam 6): the request's scope as the routing layer kept
    it (upstream's private ``connexion.middleware.routing._scope``) gets the matched path
    parameters and, in its ``connexion_routing`` extension, the API's base path (the router's
    root path beyond the kept scope's) and the operation id; the next layer gets that scope."""

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        original_scope = _routing_scope.get()
        original_scope.setdefault("path_params", {}).update(scope.get("path_params", {}))
        root = scope.get("route_root_path", scope.get("root_path", ""))
        original_root = original_scope.get("route_root_path", original_scope.get("root_path", ""))
        routing = original_scope.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {})
        routing["api_base_path"] = root[len(original_root) :]
        routing["operation_id"] = self.operation_id
        return self.next_app(original_scope, receive, send)


class _RoutingAPI(RoutingAPI):
    def make_operation(self, operation: AbstractOperation) -> RoutingOperation:
        return _RoutingOperation(operation.operation_id, self.next_app)  # as upstream's from_operation


class RootRoutingMiddleware(RoutingMiddleware):
    """connexion's routing: routes looked up through :class:`IndexedRouter`, each operation's
    routing step a :class:`_RoutingOperation`, and an API at the root without a Mount in front of
    its routes."""

    router: IndexedRouter

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.router = IndexedRouter(default=self.router.default)  # upstream's, still empty

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        # Upstream's: the scope as it came kept for the routing step, then the router (seam 6).
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        _routing_scope.set(dict(scope))  # upstream: scope.copy()
        return self.router(scope, receive, send)

    def add_api(
        self,
        specification: Specification,
        base_path: str | None = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        # Upstream's add_api, with the API class above.
        api = _RoutingAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs)
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                route.app.default = api.router  # type: ignore[attr-defined]  # a Router, mounted below
        self.router.mount(api.base_path, app=api.router)
        # At the root, the Mount would match every path and only hand on to its router: its
        # routes take its place, in the same order.
        if api.base_path == "" and len(self.router.routes) == 1:
            self.router.routes[:] = api.router.routes
        self.router.reindex()


# --- 4. Swagger UI only under /ui --------------------------------------------------------------

_UI_PREFIXES = ("/ui", "/openapi")


class SwaggerUIAPIHooks(SwaggerUIAPI):
    """connexion's Swagger UI API, with the spec it serves (``/openapi.json``, ``/openapi.yaml``)
    made by :meth:`spec_for_request`.

    Upstream: ``SwaggerUIAPI._spec_for_prefix(request)``, a copy of the spec with ``servers``
    rewritten to the prefix the request came under, made per request.
    """

    def spec_for_request(self, request: Request) -> dict[str, Any]:
        spec: dict[str, Any] = super()._spec_for_prefix(request)
        return spec

    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        return self.spec_for_request(request)


class UIOnlySwaggerUIMiddleware(SwaggerUIMiddleware):
    """connexion's Swagger UI layer, passed through by every request that is not for the UI, and
    serving the API class ``ui_api`` (upstream's ``add_api`` hard-codes ``SwaggerUIAPI``)."""

    ui_api: type[SwaggerUIAPI] = SwaggerUIAPI

    def add_api(
        self,
        specification: Specification,
        base_path: str | None = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        api = self.ui_api(specification, base_path=base_path, arguments=arguments, default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        # The route path is the path or a tail of it: without "/ui" or "/openapi" anywhere in the
        # path (a test of the string, cheaper than working out the route path) it cannot start so.
        if scope["type"] == "http":
            path = scope["path"]
            if ("/ui" not in path and "/openapi" not in path) or not route_path(scope).startswith(_UI_PREFIXES):
                return self.app(scope, receive, send)
        return super().__call__(scope, receive, send)


# --- 5. exceptions caught without per-request wrapping -------------------------------------------


class LeanExceptionMiddleware(ExceptionMiddleware):
    """connexion's exception layer (Starlette's ``ExceptionMiddleware`` with connexion's handlers),
    its per-request wrapping made only when an exception reaches it.

    Upstream, for every request, connexion's ``__call__`` hands on to Starlette's, which makes a
    ``Request`` for the handlers and wraps the app and ``send`` in two new coroutine functions
    (``wrap_app_handling_exceptions``); the one around ``send`` only records whether the answer
    has begun. Here ``send`` is wrapped by a plain function recording the same, and what upstream's
    wrapper does with an exception is done here, in its order, when one comes: the handler for the
    status of an ``HTTPException``, else for the nearest class of the exception (the same lookup);
    none: the exception goes on; the answer begun: ``RuntimeError``; else the handler's response
    (a coroutine handler awaited, another run in the thread pool) is sent, given a ``Request`` made
    then, and the exception's traceback dropped.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        handlers: dict[Any, Any] = self._exception_handlers
        status_handlers: dict[int, Any] = self._status_handlers
        scope["starlette.exception_handlers"] = (handlers, status_handlers)  # as upstream: for apps below
        started = False

        def sender(message: MutableMapping[str, Any]) -> Awaitable[None]:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            return send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            handler = status_handlers.get(exc.status_code) if isinstance(exc, HTTPException) else None
            if handler is None:
                handler = lookup_exception_handler(handlers, exc)
            if handler is None:
                raise
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            request: Any = Request(scope, receive, send)
            if is_async_handler(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
            if response is not None:
                await response(scope, receive, sender)
            exc.__traceback__ = None  # as upstream: a reused exception would gather tracebacks


# --- body validators: upstream's private steps under names of their own -------------------------


class RequestBodyValidatorHooks(JSONRequestBodyValidator):
    """connexion's JSON request body validator, its private steps under names of their own.

    Upstream (``AbstractRequestBodyValidator``, ``JSONRequestBodyValidator``): ``wrap_receive``
    reads the body through ``_parse(stream, scope)``, then calls ``_validate(body)`` unless the
    body is None and nullable; ``_insert_messages`` replays messages at the start of a receive
    channel; ``_schema``, ``_encoding`` and ``_nullable`` are the constructor's arguments.
    Subclasses implement :meth:`parse_body` and :meth:`validate_body`.
    """

    @property
    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = self._schema
        return schema

    @property
    def encoding(self) -> str:
        encoding: str = self._encoding
        return encoding

    @property
    def nullable(self) -> bool:
        return bool(self._nullable)

    @staticmethod
    def replay(receive: Receive, messages: Iterable[MutableMapping[str, Any]]) -> Receive:
        """``receive`` with ``messages`` received first."""
        replayed: Receive = AbstractRequestBodyValidator._insert_messages(receive, messages=messages)
        return replayed

    async def parse_body(self, raw: bytes) -> Any:
        """The body, parsed from all its bytes."""
        raise NotImplementedError

    def validate_body(self, body: Any) -> None:
        """Check the parsed body; raise ``BadRequestProblem`` if it does not do."""
        raise NotImplementedError

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        return await self.parse_body(b"".join([chunk async for chunk in stream]))

    def _validate(self, body: Any) -> None:
        self.validate_body(body)


class ResponseBodyValidatorHooks(JSONResponseBodyValidator):
    """connexion's JSON response body validator, with its check of one parsed body callable as
    :meth:`validate_body`. Upstream: ``JSONResponseBodyValidator._validate(body)``, which raises
    ``NonConformingResponseBody``."""

    def validate_body(self, body: Any) -> None:
        self._validate(body)


__all__ = [
    "UPSTREAM",
    "WRITTEN_FOR",
    "IndexedRouter",
    "LeanExceptionMiddleware",
    "OnceAsyncApp",
    "OnceValidationMiddleware",
    "QuickRoutedMiddleware",
    "RequestBodyValidatorHooks",
    "ResponseBodyValidatorHooks",
    "RootRoutingMiddleware",
    "SwaggerUIAPIHooks",
    "UIOnlySwaggerUIMiddleware",
]
