"""connexion's error handlers: every failure answered in pouch's shape, ``{"message": "..."}``
as application/json.

connexion and Starlette answer some errors themselves (problem+json, plain text); these
handlers turn all of them, and :class:`pouch_server.errors.APIError`, into pouch's shape
(pouch_server/wire.py), so no client ever sees another format.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from pouch_server._compat.starlette import route_path
from pouch_server.errors import APIError
from pouch_server.wire import REQUEST_ID_EXTENSION, error_body

log = logging.getLogger("pouchd")

# Messages as the Go daemon words them, for errors raised by routing.
_STATUS_MESSAGES = {404: "page not found", 405: "method not allowed"}


def request_id(request: ConnexionRequest) -> str:
    """The id the request's answer carries (set by PouchMiddleware)."""
    return str(request.scope.get("extensions", {}).get(REQUEST_ID_EXTENSION, "-"))


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=error_body(message),
        headers=headers or {},
    )


async def api_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, APIError)
    if exc.status >= 500:
        log.error("request %s failed: %s", request_id(request), exc.message)
    return error_response(exc.status, exc.message)


async def problem_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    status = exc.status or 500
    if status in _STATUS_MESSAGES:
        message = _STATUS_MESSAGES[status]
    else:
        message = str(exc.detail or exc.title or "request failed")
    if status >= 500:
        log.error("request %s failed: %s", request_id(request), message)
    # Keep Allow on 405 and the like; drop headers that describe problem+json.
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "content-type"}
    return error_response(status, message, headers)


class AllowedMethods:
    """The methods the spec declares for each path, and HEAD wherever it declares GET: the
    ``Allow`` header of a 405. Starlette's router names only those of the first operation declared
    for the path (connexion gives each operation a route of its own)."""

    _METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

    def __init__(self, spec: dict[str, Any]) -> None:
        self.paths: list[tuple[re.Pattern[str], str]] = []
        for path, item in spec.get("paths", {}).items():
            methods = {m.upper() for m in item if m in self._METHODS} | ({"HEAD"} if "get" in item else set())
            self.paths.append((compile_path(path)[0], ", ".join(sorted(methods))))

    def of(self, path: str) -> str | None:
        return next((methods for pattern, methods in self.paths if pattern.match(path)), None)

    async def http_error(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        """Starlette's errors (404, 405) in pouch's shape."""
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        message = _STATUS_MESSAGES.get(status) or str(exc.detail or "request failed")
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "content-type"}
        if status == 405:
            headers["Allow"] = self.of(route_path(request.scope)) or headers.get("Allow", "")
        return error_response(status, message, headers)


async def unexpected_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    rid = request_id(request)
    log.error("request %s failed", rid, exc_info=exc)
    # The traceback goes to the log only; the client gets the id to quote.
    return error_response(500, f"internal server error (request id {rid})")
