"""TLS on pouchd's TCP listeners: server certificate, optional client verification, CN whitelist.

uvicorn does not expose the client certificate to the ASGI app, so pouchd's protocol
(pouch_server.protocol) reads it from the TLS connection and wraps the app with :func:`guard`,
which enforces ``--manager-whitelist`` before a request reaches the app: a verified client whose
common name is not listed gets pouch's 403 ``{"message": "tls verified error."}``.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

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


def guard(app: ASGIApp, common_name: str | None, whitelist: frozenset[str]) -> ASGIApp:
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


def cert_reqs(verify: bool) -> int:
    return ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
