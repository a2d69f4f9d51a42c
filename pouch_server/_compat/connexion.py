"""connexion's request path with three seams, and the private names pouchd uses; written for
connexion 3.3.0.

The spec is the router: every request goes through connexion's own layers (routing, request
validation, the app layer that calls the handler). Four seams change how much work those layers
repeat per request, never what they decide:

1. **Handlers decorated once** (:class:`OnceAsyncApi`). Upstream, ``AsyncOperation.fn`` builds a
   new ``StarletteDecorator`` for every request, and the decorator's wrapper calls ``decorate()``
   again each time (three ``functools.wraps`` and an ``inspect.signature`` of the handler), for a
   result that depends only on the operation. Here the first request decorates and later ones
   reuse it (the URI parser and the decorators read the operation from the request context,
   which exists only during a request).
2. **Parameter validators built once** (:class:`OnceValidationMiddleware`). Upstream,
   ``RequestValidationOperation.__call__`` builds a parameter validator for every request; here
   each operation builds its own once, and an operation without a body skips the steps that can
   only concern a body. An operation with a body runs upstream's ``__call__`` as it is: body
   validators get exactly the arguments upstream gives them.
3. **An API at the root routed without a Mount** (:class:`RootRoutingMiddleware`). Upstream's
   ``RoutingMiddleware`` mounts each API's router at its base path; for an API at the root that
   Mount matches every path and only hands the request to the router inside it (a regex match and
   a scope copy per request). Here that router's routes take the Mount's place: the same routes,
   in the same order, matched the same way.
4. **Swagger UI only under /ui** (:class:`UIOnlySwaggerUIMiddleware`). Upstream,
   ``SwaggerUIMiddleware`` runs every request through a Starlette router of the UI's routes before
   handing it on; here only ``/ui...`` and ``/openapi...`` requests go through it.

The other names below stand for private upstream symbols (named in each docstring), so that no
other module of pouchd uses a private name of connexion's.

To move to another connexion: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, MutableMapping
from typing import Any, cast

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import operation as current_operation
from connexion.context import receive as current_receive
from connexion.context import scope as current_scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.response import AsyncResponseDecorator
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.spec import Specification
from connexion.validators import (
    VALIDATOR_MAP,
    AbstractRequestBodyValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
)
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from pouch_server._compat.starlette import route_path

UPSTREAM = "connexion"
WRITTEN_FOR = "3.3.0"


# --- 1. handlers decorated once ----------------------------------------------------------------


class _OneTypeResponses(AsyncResponseDecorator):
    """Upstream infers each answer's content type from the operation's ``produces``, which it reads
    from the request context, on every response (``_infer_content_type``, a static method called
    through ``self``). When the operation produces exactly one type, that is the answer for any
    response whose handler names none: read once, when the handler is decorated."""

    only_type: str | None = None

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        produces = set(cast("Any", current_operation).produces)
        self.only_type = produces.pop() if len(produces) == 1 else None
        return super().__call__(function)

    def _infer_content_type(self, data: Any, headers: Any) -> str | None:  # type: ignore[override]
        if (
            self.only_type is not None
            and isinstance(headers, dict)
            and not any(name.lower() == "content-type" for name in headers)
        ):
            return self.only_type
        inferred: str | None = AsyncResponseDecorator._infer_content_type(data, headers)
        return inferred


class _OnceDecorator(StarletteDecorator):
    """``StarletteDecorator`` whose ``decorate()`` and URI parser are made on the first request.

    An operation that takes no input at all (no parameters, no body: GET /version, /info,
    /_ping) has nothing for the parameter decorator to collect: its coroutine handler is called
    with no arguments and no request object is made, and only the response decorator runs (half of
    such a request's cost upstream is the parameter decorator looking for query, path, body and
    form arguments that cannot exist).
    """

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
                decorated = self.decorate(function) if takes_input else self._respond_without_input(function)
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
        return _OneTypeResponses

    def _respond_without_input(self, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """``decorate()`` less the parameter decorator (and the sync/async one: a coroutine); the
        response decorator calls the handler with the arguments it is given: none."""
        # The class, as upstream passes it (connexion's Starlette framework leaves get_body abstract).
        responses = _OneTypeResponses(framework=self.framework, jsonifier=self.jsonifier)  # type: ignore[type-abstract]
        decorated: Callable[..., Awaitable[Any]] = responses(function)
        return decorated


class _OnceAsyncOperation(AsyncOperation):
    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(fn, **kwargs)
        self._decorated = _OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(fn)

    @property
    def fn(self) -> Callable[..., Any]:
        return self._decorated


class OnceAsyncApi(AsyncApi):
    """connexion's app layer, with each operation's handler decorated once."""

    def make_operation(self, operation: Any) -> AsyncOperation:
        return _OnceAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


def use_api_class(app: AsyncApp, api_cls: type[AsyncApi]) -> None:
    """Make ``app`` build its app layer's operations with ``api_cls``; call before ``add_api``.

    Upstream: ``AsyncApp._middleware_app`` is the ``AsyncASGIApp`` at the bottom of connexion's
    stack; its class attribute ``api_cls`` makes the operations.
    """
    app._middleware_app.api_cls = api_cls


# --- 2. parameter validators built once --------------------------------------------------------


class _OnceValidationOperation(RequestValidationOperation):
    """Upstream's ``__call__`` builds a URI parser and a parameter validator for every request,
    and checks the request's Content-Type against the operation's ``consumes`` through a
    ``MediaTypeDict`` built each time. Here the parameter validator is built on first use and
    kept (it reads only the operation). An operation with a request body then runs upstream's
    ``__call__`` as it is, with that validator; one without checks its parameters, if any, and
    the Content-Type only when the request sends one (without it upstream assumes the operation's
    first type, which always passes)."""

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
        self._has_body = bool(getattr(operation, "request_body", None))

    def _parameter_validator(self, *args: Any, **kwargs: Any) -> Any:
        if self._built is None:
            self._built = self._parameter_cls(*args, **kwargs)
        return self._built

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._has_body:
            await super().__call__(scope, receive, send)
            return
        if self.operation.parameters:
            op = self.operation
            uri_parser = op.uri_parser_class(op.parameters, op.body_definition())
            self._parameter_validator(
                op.parameters,
                uri_parser=uri_parser,
                strict_validation=self.strict_validation,
                security_query_params=self.security_query_params,
            ).validate(scope)
        if any(name == b"content-type" for name, _ in scope["headers"]):
            self.validate_mime_type(self.extract_content_type(scope["headers"])[0])
        await self.next_app(scope, receive, send)


class _OnceValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return _OnceValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class OnceValidationMiddleware(RequestValidationMiddleware):
    """connexion's request validation, each operation's parameter validator built once."""

    api_cls = _OnceValidationAPI


# --- 3. an API at the root routed without a Mount -----------------------------------------------


class RootRoutingMiddleware(RoutingMiddleware):
    """connexion's routing, an API at the root without a Mount in front of its routes."""

    def add_api(
        self,
        specification: Specification,
        base_path: str | None = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        mount = self.router.routes[-1]  # upstream's add_api mounts the API's router last
        if isinstance(mount, Mount) and mount.path == "" and len(self.router.routes) == 1:
            self.router.routes[-1:] = mount.routes


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not route_path(scope).startswith(_UI_PREFIXES):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


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
    "OnceAsyncApi",
    "OnceValidationMiddleware",
    "RequestBodyValidatorHooks",
    "ResponseBodyValidatorHooks",
    "RootRoutingMiddleware",
    "SwaggerUIAPIHooks",
    "UIOnlySwaggerUIMiddleware",
    "use_api_class",
]
