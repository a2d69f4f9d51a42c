"""The outermost ASGI layer: request id, standard headers, version prefix, access log, metrics.

It sits in front of everything else the app does (the TLS whitelist, then connexion) so that
every answer the app gives, including the whitelist's 403 and connexion's and Starlette's own
errors, is logged and counted the same way and carries the same headers (pouch_server/wire.py):
this layer is the one place that gives a request its id and stamps the headers, under pouchd's
server as under any other ASGI server. Only the protocol's own rejections, written before or
without the app, carry them from the protocol (pouch_server/protocol.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from time import perf_counter

from connexion.middleware.abstract import ROUTING_CONTEXT
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pouch_common.version import API_VERSION, MIN_API_VERSION, api_version_tuple
from pouch_server.hijack import HIJACK_EXTENSION, Hijack, HijackedStream
from pouch_server.wire import REQUEST_ID, REQUEST_ID_EXTENSION, STANDARD_HEADERS, new_request_id, send_error

log = logging.getLogger("pouchd")
access_log = logging.getLogger("pouchd.access")

# pouch's router accepts any /v<digits and dots>/ prefix before a route.
_VERSION_PREFIX = re.compile(r"^/v(\d+(?:\.\d+)*)(?=/|$)")


def _own_version(version: str) -> tuple[int, ...]:
    parsed = api_version_tuple(version)
    assert parsed is not None, version  # pouch_common/version.py's constants: dot-separated digits
    return parsed


_MAX = _own_version(API_VERSION)
_MIN = _own_version(MIN_API_VERSION)


def _version_prefix(path: str) -> tuple[str, str | None] | None:
    m = _VERSION_PREFIX.match(path)
    if m is None:
        return None
    return m.group(0), version_error(m.group(1))


# Clients ask for the same few paths again and again: their answers are cached, for paths short
# enough that the cache stays small (at most 256 of 256 characters).
_cached_version_prefix = functools.lru_cache(maxsize=256)(_version_prefix)


def version_prefix(path: str) -> tuple[str, str | None] | None:
    """A path's version prefix (``/v1.24``) and, when that version is out of range, the error to
    answer; None without a prefix."""
    return _cached_version_prefix(path) if len(path) <= 256 else _version_prefix(path)


def version_error(version: str) -> str | None:
    """Docker's negotiation rule: a client may ask for any version from the minimum to the maximum."""
    asked = api_version_tuple(version)
    assert asked is not None  # the prefix pattern admits only digits and dots
    if asked > _MAX:
        return f"client version {version} is too new. Maximum supported API version is {API_VERSION}"
    if asked < _MIN:
        return f"client version {version} is too old. Minimum supported API version is {MIN_API_VERSION}"
    return None


class PouchMiddleware:
    def __init__(
        self, app: ASGIApp, debug: bool = False, observe: Callable[[str | None, int, float], None] | None = None
    ) -> None:
        self.app = app
        self.debug = debug
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        # Shared with the layers below (the copies of the scope they make keep this dict): connexion's
        # router records the matched operation in it, the error handlers and the protocol read the id.
        extensions = scope.get("extensions")
        if extensions is None:
            extensions = scope["extensions"] = {}
        # pouchd's protocol has named the request already; under another server it is named here.
        rid = extensions.get(REQUEST_ID_EXTENSION)
        if not rid:
            rid = extensions[REQUEST_ID_EXTENSION] = new_request_id()
        headers = [*STANDARD_HEADERS, (REQUEST_ID, rid.encode())]
        if self.debug:
            # asyncio's slow-step report (-D) names the task: make it say which request it is.
            task = asyncio.current_task()
            if task is not None:
                task.set_name(f"{scope['method']} {scope['path'][:200]} id={rid}")
        for name, value in scope["headers"]:
            if name == b"content-type":
                if not value.strip():
                    # A blank Content-Type is none at all, as pouch's Go server reads it (the
                    # request validation below would refuse it as a type the operation does not take).
                    scope = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != b"content-type"]}
                break
        original_path = scope["path"]
        problem = None
        prefixed = version_prefix(original_path)
        if prefixed is not None:
            prefix, problem = prefixed
            # The prefix becomes root_path and stays in path (ASGI's convention, which Starlette's
            # routing and StaticFiles rely on: they route on path minus root_path). root_path also
            # makes the served spec's `servers` and Swagger UI's URLs point at the prefix.
            scope = {**scope, "root_path": scope.get("root_path", "") + prefix}
            if original_path == prefix:  # a bare "/v1.24" is the root under the prefix, as before
                scope["path"] = prefix + "/"
        status = 0

        # A plain function handing on send's awaitable, not a coroutine of its own: one frame
        # less for each message of every answer.
        def send_wrapper(message: Message) -> Awaitable[None]:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            return send(message)

        # A hijacked answer (attach, exec start) is written raw by the protocol, not through send:
        # its head gets the same headers, and its status is logged and counted the same way.
        hijack: Hijack | None = extensions.get(HIJACK_EXTENSION)
        if hijack is not None:

            def stamped_hijack(
                hijack_status: int, head: Sequence[tuple[bytes, bytes]], reason: bytes | None = None
            ) -> Awaitable[HijackedStream]:
                nonlocal status
                status = hijack_status
                return hijack(hijack_status, [*head, *headers], reason)

            extensions[HIJACK_EXTENSION] = stamped_hijack

        try:
            if problem is not None:
                status = 400
                await send_error(send, 400, problem, headers)
            else:
                await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("request %s failed", rid)
            if not status:  # nothing sent yet
                status = 500
                await send_error(send, 500, f"internal server error (request id {rid})", headers)
        finally:
            elapsed = perf_counter() - start
            routing = extensions.get(ROUTING_CONTEXT)
            operation = routing.get("operation_id") if routing else None
            if self.observe is not None:
                self.observe(operation, status, elapsed)
            if self.debug:
                access_log.debug("%s %s %d %.1fms id=%s", scope["method"], original_path, status, elapsed * 1000, rid)
