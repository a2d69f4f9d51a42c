"""TLS on pouchd's TCP listeners: server certificate, optional client verification, CN whitelist.

uvicorn does not expose the client certificate to the ASGI app, so this module supplies an h11
protocol that reads it from the TLS connection and enforces ``--manager-whitelist`` before a
request reaches the app: a verified client whose common name is not listed gets pouch's
403 ``{"message": "tls verified error."}``.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

FORBIDDEN_BODY = json.dumps({"message": "tls verified error."}).encode()


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


def _guard(app: ASGIApp, common_name: str | None, whitelist: frozenset[str]) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("extensions", {})["tls"] = {"client_common_name": common_name}
            if whitelist and common_name not in whitelist:
                await send({"type": "http.response.start", "status": 403, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(FORBIDDEN_BODY)).encode()),
                ]})
                await send({"type": "http.response.body", "body": FORBIDDEN_BODY})
                return
        await app(scope, receive, send)

    return guarded


def protocol_class(whitelist: frozenset[str]) -> type[H11Protocol]:
    """An h11 protocol for TLS listeners that knows the client's certificate CN."""

    class TLSH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            super().connection_made(transport)  # type: ignore[arg-type]
            self.app = _guard(self.app, peer_common_name(transport), whitelist)

    return TLSH11Protocol


def cert_reqs(verify: bool) -> int:
    return ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
