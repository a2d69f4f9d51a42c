"""What every answer of pouchd has in common on the wire: pouch's error body and the standard headers.

Answers come from three places: the protocol (limits and malformed requests, before any app
runs), PouchMiddleware and the layers inside it (version prefix, TLS whitelist, failures), and
connexion's error handlers (pouch_server/errors.py). All of them build the body and the headers
here, so that no client can tell which layer answered.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pouch_common.version import API_VERSION, __version__

if TYPE_CHECKING:
    from starlette.types import Send

JSON_TYPE = b"application/json"

#: On every answer: PouchMiddleware adds them (and :data:`REQUEST_ID`) to the app's answers,
#: the protocol to its own.
STANDARD_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"api-version", API_VERSION.encode()),
    (b"server", f"pouchd/{__version__}".encode()),
)

#: The id of a request, as its access-log line names it; set by PouchMiddleware.
REQUEST_ID = b"x-request-id"


def error_body(message: str) -> bytes:
    """pouch's error shape: ``{"message": "..."}``."""
    return json.dumps({"message": message}).encode()


def error_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """Content headers of an error body (it is always JSON)."""
    return [(b"content-type", JSON_TYPE), (b"content-length", b"%d" % len(body))]


async def send_error(send: Send, status: int, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer an ASGI request with pouch's error shape (``headers`` after the content headers)."""
    body = error_body(message)
    await send({"type": "http.response.start", "status": status,
                "headers": [*error_headers(body), *(headers or ())]})
    await send({"type": "http.response.body", "body": body})
