"""A small httpx transport for plain HTTP/1.1 to pouchd: over a unix socket, or TCP without TLS.

httpx's default transport is httpcore, which imports its TLS support (ssl, certifi) and its
concurrency layers (anyio, h11) and builds an SSL context even for a unix socket: about a fifth of
``pouch version``'s time, for a CLI that makes one or two requests on one connection. This
transport speaks HTTP/1.1 with the standard library's ``http.client``, which ``import httpx``
has already loaded, through httpx's public transport API (``httpx.BaseTransport``). TLS
connections keep httpx's own ``HTTPTransport`` (pouch_cli/client.py).

One connection is kept alive between requests (the version ping and the call share it); a
connection the daemon has closed meanwhile is replaced before a request is sent on it, and an
idempotent request that meets the close as it goes out is sent again, once, on a new one.
"""

from __future__ import annotations

import http.client
import select
import socket
from collections.abc import Iterable, Iterator
from typing import cast

import httpx


class _UnixHTTPConnection(http.client.HTTPConnection):
    """``http.client`` over a unix socket (the URL's host only goes into the Host header)."""

    def __init__(self, path: str, timeout: float | None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _ResponseStream(httpx.SyncByteStream):
    """The body as it arrives (``read1``: a live event stream shows each line at once)."""

    def __init__(self, response: http.client.HTTPResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        while True:
            with _mapped_errors(self._request, reading=True):
                chunk = self._response.read1(65536)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        self._response.close()


_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


class PlainTransport(httpx.BaseTransport):
    """HTTP/1.1 without TLS to one daemon: ``PlainTransport(uds="/path")`` or ``PlainTransport(host, port)``."""

    def __init__(self, host: str = "localhost", port: int | None = None, *, uds: str | None = None) -> None:
        self._host, self._port, self._uds = host, port, uds
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self, connect_timeout: float | None) -> tuple[http.client.HTTPConnection, bool]:
        """The connection to send on, and whether it had already been used."""
        conn = self._conn
        if conn is not None and conn.sock is not None and _closed_by_peer(conn.sock):
            conn.close()
        if conn is None:
            conn = self._conn = (
                _UnixHTTPConnection(self._uds, connect_timeout)
                if self._uds is not None
                else http.client.HTTPConnection(self._host, self._port, timeout=connect_timeout)
            )
        if conn.sock is not None:
            return conn, True
        conn.timeout = connect_timeout
        conn.connect()
        return conn, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        # A body of unknown length (an image archive from a pipe) is sent chunked as it is read,
        # never held whole; any other is read first, so that it can be sent again.
        body: bytes | None = None if _chunked(request) else request.read()
        with _mapped_errors(request, connecting=True):
            conn, reused = self._connection(timeouts.get("connect"))
        try:
            return self._send(conn, request, body, timeouts)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            # A kept-alive connection that the daemon closed (its idle timeout) just as this
            # request went out. An idempotent request is sent once more on a new connection, as
            # Go's and urllib3's clients do; any other request reports the error.
            if not reused or request.method not in _IDEMPOTENT or body is None:
                raise
        with _mapped_errors(request, connecting=True):
            conn, _ = self._connection(timeouts.get("connect"))
        return self._send(conn, request, body, timeouts)

    def _send(
        self,
        conn: http.client.HTTPConnection,
        request: httpx.Request,
        body: bytes | None,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        assert conn.sock is not None
        try:
            with _mapped_errors(request):
                conn.sock.settimeout(timeouts.get("write"))
                # httpx has made every header, Host included; http.client adds none of its own.
                conn.putrequest(
                    request.method, request.url.raw_path.decode("ascii"), skip_host=True, skip_accept_encoding=True
                )
                for name, value in request.headers.raw:
                    conn.putheader(name, value)
                if body is not None:
                    conn.endheaders(body or None)
                else:
                    conn.endheaders()
                    for chunk in cast(Iterable[bytes], request.stream):
                        if chunk:
                            conn.send(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                    conn.send(b"0\r\n\r\n")
            with _mapped_errors(request, reading=True):
                conn.sock.settimeout(timeouts.get("read"))
                response = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        return httpx.Response(
            status_code=response.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.getheaders()],
            stream=_ResponseStream(response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode("latin-1")},
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle kept-alive connection that is readable has been closed by the daemon (or is broken)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _mapped_errors:
    """Standard-library socket and HTTP errors as httpx's, which the CLI reports in one line."""

    def __init__(self, request: httpx.Request, *, connecting: bool = False, reading: bool = False) -> None:
        self.request, self.connecting, self.reading = request, connecting, reading

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if error is None or not isinstance(error, (OSError, http.client.HTTPException)):
            return
        message = str(error) or type(error).__name__
        mapped: type[httpx.TransportError]
        if isinstance(error, TimeoutError):
            mapped = (
                httpx.ConnectTimeout if self.connecting else httpx.ReadTimeout if self.reading else httpx.WriteTimeout
            )
        elif self.connecting:
            mapped = httpx.ConnectError
        elif isinstance(error, http.client.HTTPException):  # a closed connection, a malformed answer
            mapped = httpx.RemoteProtocolError
        else:
            mapped = httpx.ReadError if self.reading else httpx.WriteError
        raise mapped(message, request=self.request) from error


def _chunked(request: httpx.Request) -> bool:
    return bool(request.headers.get("Transfer-Encoding", "").lower() == "chunked")
