"""TLS on pouchd's TCP listeners: server certificate, optional client verification, CN whitelist,
and Go's answer to plain HTTP.

pouchd runs TLS itself rather than through uvicorn's ssl settings: :class:`TLSListenerProtocol`
first reads a connection's record header, as Go's crypto/tls does, and answers a client that
sent plain HTTP as Go's net/http server does (:data:`PLAIN_HTTP_ANSWER`); anything else is
handed to TLS (pouch_server/_compat/asyncio.py), then to the HTTP protocol on the decrypted stream.

uvicorn gives the app no detail of the TLS connection, so that HTTP protocol
(:class:`pouch_server.protocol.TLSHttpProtocol`) reads the client certificate's common name
from the connection and puts it in every request's scope (:data:`PEER_COMMON_NAME`).
:class:`ManagerWhitelist`, an ASGI layer inside PouchMiddleware, enforces ``--manager-whitelist``
with it: a client whose common name is not listed gets pouch's 403 ``{"message": "tls verified
error."}``, with a request id, logged and counted like any other answer.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any, ClassVar, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import create_ssl_context

from pouch_server import wire
from pouch_server._compat.asyncio import start_server_tls

log = logging.getLogger("pouchd")

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


def server_context(certfile: str, keyfile: str, cafile: str | None, verify: bool) -> ssl.SSLContext:
    """The TLS listeners' context, made as uvicorn makes it from its ssl settings (so a bad
    certificate fails here, at start-up). Raises OSError or ssl.SSLError."""
    return create_ssl_context(
        certfile=certfile,
        keyfile=keyfile,
        password=None,
        ssl_version=ssl.PROTOCOL_TLS_SERVER,
        cert_reqs=cert_reqs(verify),
        ca_certs=cafile,
        ciphers=None,
    )


#: What Go's net/http server writes, then closes, when a TLS connection begins with plain HTTP
#: (server.go, on a tls.RecordHeaderError whose header looks like HTTP). No Content-Length: the
#: body ends with the connection.
PLAIN_HTTP_ANSWER = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

#: The record headers (a connection's first 5 bytes) that Go takes for plain HTTP
#: (net/http's tlsRecordHeaderLooksLikeHTTP).
_HTTP_LOOKING = frozenset({b"GET /", b"HEAD ", b"POST ", b"PUT /", b"OPTIO"})
_RECORD_HEADER = 5
_ALERT, _HANDSHAKE = 21, 22


def _looks_like_tls(header: bytes) -> bool:
    """crypto/tls's test of a connection's first record header: an alert or a handshake, of a
    version below 0x1000 (anything else "does not look like a TLS handshake")."""
    return header[0] in (_ALERT, _HANDSHAKE) and (header[1] << 8 | header[2]) < 0x1000


class TLSListenerProtocol(asyncio.Protocol):
    """A TLS listener's connection until it is known to speak TLS (:func:`listener_protocol`
    makes the class for one server).

    uvicorn makes one per connection with the arguments of its HTTP protocols; they are kept for
    :attr:`http_protocol`, made once the first record header has arrived. Plain HTTP is answered
    with :data:`PLAIN_HTTP_ANSWER`; a header that is no TLS record either is closed on (Go logs
    it and closes); a TLS one is handed to TLS, the bytes read so far with it. Until then, and
    for the handshake, the client has ``timeout`` seconds (the header timeout: the time it has to
    send its request's headers, which come after).
    """

    http_protocol: ClassVar[Callable[..., asyncio.Protocol]]
    context: ClassVar[ssl.SSLContext]
    timeout: ClassVar[float]

    def __init__(self, **http_protocol_args: Any) -> None:
        self._args = http_protocol_args
        self._head = b""
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A server's connections always get a stream transport (uvloop's is no asyncio.Transport
        # subclass, so this is a cast, not a check).
        self._transport = cast("asyncio.Transport", transport)
        self._timer = asyncio.get_running_loop().call_later(self.timeout, self._expired)

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        assert transport is not None
        self._head += data
        if len(self._head) < _RECORD_HEADER:
            return
        self._cancel_timer()
        header = self._head[:_RECORD_HEADER]
        if header in _HTTP_LOOKING:
            transport.write(PLAIN_HTTP_ANSWER)
            transport.close()
        elif not _looks_like_tls(header):
            log.debug(
                "closing connection from %s: first record does not look like a TLS handshake",
                transport.get_extra_info("peername"),
            )
            transport.close()
        else:
            start_server_tls(transport, self.http_protocol(**self._args), self.context, self._head, self.timeout)

    def eof_received(self) -> bool | None:
        return None  # fewer bytes than a record header, then the end: the transport closes

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()

    def _expired(self) -> None:
        self._timer = None
        if self._transport is not None and not self._transport.is_closing():
            log.info("closing connection from %s: no TLS handshake in time", self._transport.get_extra_info("peername"))
            self._transport.close()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def listener_protocol(
    http_protocol: Callable[..., asyncio.Protocol], context: ssl.SSLContext, timeout: float
) -> type[TLSListenerProtocol]:
    """The protocol class of one TLS server's connections: TLS with ``context``, then ``http_protocol``."""
    attrs = {
        "http_protocol": staticmethod(http_protocol),
        "context": context,
        "timeout": timeout,
        "__module__": __name__,
    }
    return type(TLSListenerProtocol.__name__, (TLSListenerProtocol,), attrs)
