"""connexion's private names that pouchd uses, written for connexion 3.3.0.

Each name below stands for one upstream symbol (named in its docstring or comment) and gives it a
name that says what pouchd does with it: pouch_server/fastpath.py, validation.py, swagger_ui.py
and app.py use these, never connexion's private names themselves. Where connexion has a public
way (``AbstractOperation.uri_parser_class``, a ``RoutingOperation``'s ``operation_id`` and
``next_app``, ``ROUTING_CONTEXT``, the constructors' arguments), the code uses it and needs
nothing here.

To move to another connexion: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, MutableMapping
from typing import Any, ClassVar

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi
from connexion.context import _operation
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.decorators.response import AsyncResponseDecorator
from connexion.middleware.swagger_ui import SwaggerUIAPI
from connexion.validators import AbstractRequestBodyValidator, JSONRequestBodyValidator, JSONResponseBodyValidator
from starlette.requests import Request
from starlette.routing import BaseRoute, Router
from starlette.types import Receive, Scope

UPSTREAM = "connexion"
WRITTEN_FOR = "3.3.0"

#: ``connexion.context._operation``: the ContextVar behind ``connexion.context.operation``, which
#: connexion's response code reads (the operation's ``produces``). Upstream only its
#: ContextMiddleware sets it; the direct dispatch sets it around the calls it makes into that code.
operation_var = _operation


def use_api_class(app: AsyncApp, api_cls: type[AsyncApi]) -> None:
    """Make ``app`` build its app layer's operations with ``api_cls``.

    ``AsyncApp._middleware_app`` is the ``AsyncASGIApp`` at the bottom of connexion's stack; its
    (public) class attribute ``api_cls`` makes the operations. Must run before ``add_api``.
    """
    app._middleware_app.api_cls = api_cls


def last_mounted_routes(router: Router) -> list[BaseRoute]:
    """The routes of the API that ``RoutingMiddleware.add_api`` has just added to ``router``.

    Upstream mounts each API's router last on ``RoutingMiddleware.router`` (a Starlette Mount
    whose ``routes`` are one Route per path of the spec); it keeps no other handle on it.
    """
    mount = router.routes[-1]
    return list(getattr(mount, "routes", []))


class DecoratorHooks(StarletteDecorator):
    """``StarletteDecorator`` whose parameter and response decorators are chosen by the class
    attributes ``parameter_decorator`` and ``response_decorator``.

    Upstream: the properties ``BaseDecorator._parameter_decorator_cls`` and
    ``_response_decorator_cls``, read by ``BaseDecorator.decorate``.
    """

    parameter_decorator: ClassVar[type[AsyncParameterDecorator]] = AsyncParameterDecorator
    response_decorator: ClassVar[type[AsyncResponseDecorator]] = AsyncResponseDecorator

    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return self.parameter_decorator

    @property
    def _response_decorator_cls(self) -> type[AsyncResponseDecorator]:
        return self.response_decorator


class ResponseDecoratorHooks(AsyncResponseDecorator):
    """``AsyncResponseDecorator`` whose content-type inference can be overridden and called as
    :meth:`infer_content_type`.

    Upstream: the static method ``BaseResponseDecorator._infer_content_type(data, headers)``, called
    by ``build_framework_response``; it reads the operation from ``connexion.context.operation``.
    """

    def infer_content_type(self, data: Any, headers: dict[str, Any]) -> str | None:
        result: str | None = AsyncResponseDecorator._infer_content_type(data, headers)
        return result

    # Upstream declares a static method; build_framework_response calls it through ``self``, so an
    # instance method can take its place (and reach the subclass's inference).
    def _infer_content_type(self, data: Any, headers: dict[str, Any]) -> str | None:  # type: ignore[override]
        return self.infer_content_type(data, headers)


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
