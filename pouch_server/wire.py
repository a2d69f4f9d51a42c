"""What every answer of pouchd has in common on the wire: pouch's error body and the standard headers.

Answers come from two places: the protocol (limits and malformed requests, written without the
app) and the app, whose outermost layer (pouch_server/middleware.py) stamps the headers on every
answer made inside it (the version prefix, the TLS whitelist, connexion's error handlers in
pouch_server/error_handlers.py, the handlers). Both build the body and the headers here, so that
no client can tell which layer answered.
"""

from __future__ import annotations

import itertools
import json
import secrets
from typing import TYPE_CHECKING

from pouch_common.version import API_VERSION, __version__

if TYPE_CHECKING:
    from starlette.types import Send

JSON_TYPE = b"application/json"

#: On every answer, with :data:`REQUEST_ID`: stamped by the app's outermost layer
#: (pouch_server/middleware.py) on the app's answers, and by the protocol
#: (pouch_server/protocol.py) on those it writes itself.
STANDARD_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"api-version", API_VERSION.encode()),
    (b"server", f"pouchd/{__version__}".encode()),
)

#: The header carrying a request's id, as its access-log line and a 500's message name it.
REQUEST_ID = b"x-request-id"

#: The scope extension (``scope["extensions"][...]``) holding the request's id: set by pouchd's
#: protocol on every request it hands to the app, else by the app's outermost layer.
REQUEST_ID_EXTENSION = "pouchd.request_id"

# Request ids: a random prefix per process and a counter (no syscall per request), shared by every
# server and app of the process so that no two requests get the same id.
_ID_PREFIX = secrets.token_hex(3)
_ids = itertools.count(1)


def new_request_id() -> str:
    """A fresh request id: twelve hex digits."""
    return f"{_ID_PREFIX}{next(_ids) & 0xFFFFFF:06x}"


def error_body(message: str) -> bytes:
    """pouch's error shape: ``{"message": "..."}``."""
    return json.dumps({"message": message}).encode()


def error_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """Content headers of an error body (it is always JSON)."""
    return [(b"content-type", JSON_TYPE), (b"content-length", b"%d" % len(body))]


async def send_error(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer an ASGI request with pouch's error shape (``headers`` after the content headers)."""
    body = error_body(message)
    await send({"type": "http.response.start", "status": status, "headers": [*error_headers(body), *(headers or ())]})
    await send({"type": "http.response.body", "body": body})
