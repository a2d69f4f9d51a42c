"""pouch's error shape, ``{"message": "..."}`` as application/json, for every failure.

connexion and Starlette answer some errors themselves (problem+json, plain text); these
handlers turn all of them into pouch's shape (pouch_server/wire.py), so no client ever sees
another format.
"""

from __future__ import annotations

import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from pouch_server.wire import REQUEST_ID_EXTENSION, error_body

log = logging.getLogger("pouchd")

# Messages as the Go daemon words them, for errors raised by routing.
_STATUS_MESSAGES = {404: "page not found", 405: "method not allowed"}


class APIError(Exception):
    """Raised by handlers: an HTTP status and the message the client will see."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def request_id(request: ConnexionRequest) -> str:
    """The id the request's answer carries (set by the protocol, or by PouchMiddleware)."""
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


async def http_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = _STATUS_MESSAGES.get(status) or str(exc.detail or "request failed")
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "content-type"}
    return error_response(status, message, headers)


async def unexpected_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    rid = request_id(request)
    log.error("request %s failed", rid, exc_info=exc)
    # The traceback goes to the log only; the client gets the id to quote.
    return error_response(500, f"internal server error (request id {rid})")
