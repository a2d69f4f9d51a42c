"""TLS on pouchd's TCP listeners: server certificate, optional client verification, CN whitelist.

uvicorn gives the app no detail of the TLS connection, so the protocol of TLS listeners
(:class:`pouch_server.protocol.TLSHttpProtocol`) reads the client certificate's common name
from the connection and puts it in every request's scope (:data:`PEER_COMMON_NAME`).
:class:`ManagerWhitelist`, an ASGI layer inside PouchMiddleware, enforces ``--manager-whitelist``
with it: a client whose common name is not listed gets pouch's 403 ``{"message": "tls verified
error."}``, with a request id, logged and counted like any other answer.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from pouch_server import wire

#: The scope extension (``scope["extensions"][...]``) holding the client certificate's common name,
#: set on every request that came over TLS (None without a certificate or without a common name).
PEER_COMMON_NAME = "pouchd.peer_common_name"

#: pouch's words for a client outside the whitelist.
FORBIDDEN = "tls verified error."


def peer_common_name(transport: asyncio.BaseTransport) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    cert: dict[str, Any] | None = ssl_object.getpeercert()
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class ManagerWhitelist:
    """Lets a request that came over TLS through only when its client certificate's common name
    is in ``whitelist``; requests over unix sockets and plain TCP pass.

    A request counts as TLS by its ASGI ``scheme`` (``https``, set by uvicorn from the transport),
    not by the extension: should the protocol ever fail to hand over the name, the request is
    refused, never let through.
    """

    def __init__(self, app: ASGIApp, whitelist: frozenset[str]) -> None:
        self.app = app
        self.whitelist = whitelist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("scheme") == "https":
            name = scope.get("extensions", {}).get(PEER_COMMON_NAME)
            if name not in self.whitelist:
                await wire.send_error(send, 403, FORBIDDEN)
                return
        await self.app(scope, receive, send)


def cert_reqs(verify: bool) -> int:
    return ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
