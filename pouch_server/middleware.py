"""The outermost ASGI layer: request id, version prefix, standard headers, access log, metrics.

It sits in front of everything else the app does (the TLS whitelist, then connexion) so that
every response, including the whitelist's 403 and connexion's and Starlette's own errors,
carries the same headers (pouch_server/wire.py) and is logged and counted the same way.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import re
import secrets
from collections.abc import Callable
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pouch_common.version import API_VERSION, MIN_API_VERSION, api_version_tuple
from pouch_server.context import request_id
from pouch_server.wire import REQUEST_ID, STANDARD_HEADERS, send_error

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


@functools.lru_cache(maxsize=64)
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
    def __init__(self, app: ASGIApp, debug: bool = False,
                 observe: Callable[[str | None, int, float], None] | None = None) -> None:
        self.app = app
        self.debug = debug
        self.observe = observe
        # Request ids: a random prefix per daemon run and a counter (no syscall per request).
        self._id_prefix = secrets.token_hex(3)
        self._ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = f"{self._id_prefix}{next(self._ids) & 0xFFFFFF:06x}"
        token = request_id.set(rid)
        if self.debug:
            # asyncio's slow-step report (-D) names the task: make it say which request it is.
            task = asyncio.current_task()
            if task is not None:
                task.set_name(f"{scope['method']} {scope['path'][:200]} id={rid}")
        start = perf_counter()
        original_path = scope["path"]
        # connexion's router records the matched operationId in this (shared) dict.
        extensions = scope.setdefault("extensions", {})
        problem = None
        m = _VERSION_PREFIX.match(original_path)
        if m:
            prefix = m.group(0)
            problem = version_error(m.group(1))
            scope = dict(scope)
            # The prefix becomes root_path and stays in path (ASGI's convention, which Starlette's
            # routing and StaticFiles rely on: they route on path minus root_path). root_path also
            # makes the served spec's `servers` and Swagger UI's URLs point at the prefix.
            scope["root_path"] = scope.get("root_path", "") + prefix
            if original_path == prefix:  # a bare "/v1.24" is the root under the prefix, as before
                scope["path"] = prefix + "/"
        status = 0
        headers = [*STANDARD_HEADERS, (REQUEST_ID, rid.encode())]

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

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
            routing = extensions.get("connexion_routing")
            operation = routing.get("operation_id") if routing else None
            if self.observe is not None:
                self.observe(operation, status, elapsed)
            if self.debug:
                access_log.debug("%s %s %d %.1fms id=%s", scope["method"], original_path, status,
                                 elapsed * 1000, rid)
            request_id.reset(token)
