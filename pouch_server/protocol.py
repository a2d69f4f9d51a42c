"""pouchd's HTTP/1.1 protocol: uvicorn's httptools protocol with the limits a long-running daemon
on a privileged socket needs, all answered in pouch's ``{"message": ...}`` shape.

uvicorn (0.54) has no read timeout for a request being received, no bound on the size of request
headers with httptools, no body size limit, and answers a malformed request with a text/plain 400.
:class:`PouchHttpProtocol` adds:

- a header timeout: from the first byte of a request (or from the connection, before any) until
  its headers are complete; a client trickling a request in is answered 408 and cut off;
- a body timeout: from the end of the headers until the whole body has arrived;
- a header size limit (URL plus headers): 431;
- a body size limit, from Content-Length before the handler runs and counted for chunked bodies: 413;
- a JSON 400 for requests the parser rejects (garbage request lines, bad framing);
- at shutdown, a bound on a client that has stopped reading its response (uvicorn would wait for
  it for the whole graceful-shutdown period).

Its own answers carry the standard headers (pouch_server/wire.py); the app's answers get them from
the app's outermost layer (pouch_server/middleware.py). It gives every request it hands to the app
an id (scope extension ``wire.REQUEST_ID_EXTENSION``), so that a refusal of the request's body,
written here after the hand-off, names the id that the app logs the request by.

:class:`TLSHttpProtocol`, for TLS listeners, also hands each request the common name of the
client's certificate (uvicorn gives the app no TLS details), for the ``--manager-whitelist`` check
(pouch_server/tls.py). :func:`protocol_for` makes the class for one server's limits.

What these answers say and carry comes from pouch_server/wire.py; uvicorn's state is read only
through pouch_server/_compat/uvicorn.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import ClassVar, cast

from pouch_common.limits import MAX_ARCHIVE_BYTES
from pouch_server import wire
from pouch_server._compat.uvicorn import HttpToolsBase
from pouch_server.config import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY_SIZE
from pouch_server.tls import PEER_COMMON_NAME, peer_common_name

log = logging.getLogger("pouchd")

# How long, after shutdown begins, a client whose writes are blocked (it is not reading) is waited for.
STUCK_WRITER_GRACE = 1.0
_TIMER_SLACK = 0.005

_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    413: b"Content Too Large",
    431: b"Request Header Fields Too Large",
}


@dataclass(frozen=True)
class Limits:
    """One server's limits; the defaults are pouchd's options' (--header-timeout, --body-timeout,
    --max-body-size). The header size limit is not an option."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_header_bytes: int = 64 * 1024
    max_body_bytes: int = DEFAULT_MAX_BODY_SIZE


def _raw_response(status: int, message: str, extra_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole error response, written by the protocol itself (no app has seen the request)."""
    body = wire.error_body(message)
    lines = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Error"))]
    for name, value in (*extra_headers, *wire.STANDARD_HEADERS, *wire.error_headers(body)):
        lines.append(name + b": " + value + b"\r\n")
    lines += [b"connection: close\r\n\r\n", body]
    return b"".join(lines)


_Base = HttpToolsBase


#: The path of an image archive upload (POST), bare or under an API version.
_ARCHIVE_UPLOAD = re.compile(rb"(?:/v[0-9]+(?:\.[0-9]+)*)?/images/load")


class PouchHttpProtocol(HttpToolsBase):
    """uvicorn's protocol with pouchd's limits; :func:`protocol_for` sets them per server."""

    limits: ClassVar[Limits] = Limits()

    # asyncio's BaseProtocol takes any BaseTransport; uvicorn's HttpToolsProtocol, extended here,
    # narrows it to the stream Transport that a server's connections always get (with the same ignore).
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        # The limits as instance attributes: the per-request callbacks read them without a
        # lookup through the class.
        limits = self.limits
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._max_header_bytes = limits.max_header_bytes
        self._max_body_bytes = limits.max_body_bytes
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: float | None = None
        self._why = ""
        self._header_bytes = 0
        self._body_bytes = 0
        self._length: bytes | None = None
        self._request_id: str | None = None
        self._rejected = False
        self._rejection: tuple[int, str] | None = None
        self._archive = False
        self._limit = self._max_body_bytes
        self._arm(self._header_timeout, "request headers not received in time")

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    # --- timers -------------------------------------------------------------------
    # One deadline per connection, moved on every request without touching the event loop's
    # timer heap: a request re-arms by storing a number. The loop timer only fires at the
    # earliest deadline it was set for and then either acts or re-schedules itself for the
    # current one (usually the keep-alive connection's next request has moved it on).
    def _arm(self, seconds: float, why: str) -> None:
        deadline = self._loop.time() + seconds
        self._deadline = deadline
        self._why = why
        if self._timer is None or deadline < self._timer.when():
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_at(deadline, self._check)

    def _cancel_timer(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None:
            return
        # A loop timer may fire a little before its time (uvloop's timers have millisecond
        # resolution); within that slack the deadline counts as reached, so no re-arm spins.
        if self._loop.time() < deadline - _TIMER_SLACK:
            self._timer = self._loop.call_at(deadline, self._check)
            return
        self._expired(self._why)

    def _expired(self, why: str) -> None:
        self._deadline = None
        if self._transport.is_closing():
            return
        log.info("closing connection from %s: %s", self.peer(), why)
        self._reject(408, why)

    def _reject(self, status: int, message: str) -> None:
        """Answer with an error and close, unless a response has already begun."""
        self._rejected = True
        self._cancel_timer()
        if not self.response_in_progress() and not self._transport.is_closing():
            headers = self.default_headers()
            if self._request_id is not None:  # the request was handed on, then refused (its body)
                headers.append((wire.REQUEST_ID, self._request_id.encode()))
            self._transport.write(_raw_response(status, message, headers))
        self.end_request()
        self._transport.close()

    # --- parser callbacks ---------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._rejected:
            return
        _Base.data_received(self, data)

    # The callbacks below run for every request: they call the base class directly (no
    # super() object) and keep their own work to a few attribute updates.
    def on_message_begin(self) -> None:
        _Base.on_message_begin(self)
        self._header_bytes = 0
        self._body_bytes = 0
        self._length = None
        self._request_id = None
        self._arm(self._header_timeout, "request headers not received in time")

    def on_url(self, url: bytes) -> None:
        self._header_bytes += len(url)
        if self._header_bytes > self._max_header_bytes:
            self._headers_too_large()
        _Base.on_url(self, url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > self._max_header_bytes:
            self._headers_too_large()
        if len(name) == 14 and name.lower() == b"content-length":
            self._length = value
        _Base.on_header(self, name, value)

    def _headers_too_large(self) -> None:
        self._rejection = (431, f"request headers larger than {self._max_header_bytes} bytes")
        raise ValueError("headers too large")  # httptools stops parsing; see parser_rejected

    def on_headers_complete(self) -> None:
        # An image archive (POST /images/load) may be far larger than any other body, and is
        # streamed to disk by its handler as it arrives: it has its own limit, and its body
        # timeout is one of idleness (each chunk moves it on), not of the whole upload.
        method, path = self.request_target()
        self._archive = method == b"POST" and _ARCHIVE_UPLOAD.fullmatch(path) is not None
        self._limit = MAX_ARCHIVE_BYTES if self._archive else self._max_body_bytes
        if self._length is not None and self._too_long(self._length):
            self._reject(413, f"request body larger than {self._limit} bytes")
            return
        self._arm(self._body_timeout, "request body not received in time")
        _Base.on_headers_complete(self)
        # The request is handed on (its task runs once this callback returns) under an id of its
        # own, which the app's answers carry (pouch_server/middleware.py) and so does a refusal of
        # its body written here, even before the app has run.
        rid = self._request_id = wire.new_request_id()
        self.scope_extensions()[wire.REQUEST_ID_EXTENSION] = rid

    def _too_long(self, content_length: bytes) -> bool:
        try:
            return int(content_length) > self._limit
        except ValueError:
            return False  # the parser rejects a malformed Content-Length itself

    def on_body(self, body: bytes) -> None:
        if self._rejected:
            return
        self._body_bytes += len(body)
        if self._body_bytes > self._limit:
            self._reject(413, f"request body larger than {self._limit} bytes")
            return
        if self._archive:
            self._arm(self._body_timeout, "request body not received in time")
        _Base.on_body(self, body)

    def on_message_complete(self) -> None:
        self._deadline = None  # the request is in: no deadline until the next one begins
        if self._rejected:
            return
        _Base.on_message_complete(self)

    def parser_rejected(self) -> None:
        # The parser rejected the request, or a callback above raised (431).
        status, message = self._rejection or (400, "invalid HTTP request")
        self._reject(status, message)

    # --- shutdown -------------------------------------------------------------------
    def shutting_down(self) -> None:
        # A response still being written when the daemon stops (an event stream) ends on its
        # own once it has been told to; but one whose client stopped reading is blocked in
        # send() on a full socket and would hold the shutdown for the whole grace period.
        # Such a client gets a short while to take its data, then is cut off.
        self._loop.call_later(STUCK_WRITER_GRACE, self._abort_if_stuck)

    def _abort_if_stuck(self) -> None:
        if not self._transport.is_closing() and self.writes_paused():
            log.info("closing connection from %s: not reading its response at shutdown", self.peer())
            self._transport.abort()


class TLSHttpProtocol(PouchHttpProtocol):
    """For TLS listeners: every request's scope also carries the client certificate's common name
    (scope ``extensions``, :data:`PEER_COMMON_NAME`), read once per connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as above
        self._peer_common_name = peer_common_name(transport)
        super().connection_made(transport)

    def on_message_begin(self) -> None:
        PouchHttpProtocol.on_message_begin(self)
        self.scope_extensions()[PEER_COMMON_NAME] = self._peer_common_name


def protocol_for(limits: Limits, *, tls: bool = False) -> type[PouchHttpProtocol]:
    """The protocol class for one uvicorn server (uvicorn makes one instance per connection)."""
    base = TLSHttpProtocol if tls else PouchHttpProtocol
    return cast("type[PouchHttpProtocol]", type(base.__name__, (base,), {"limits": limits, "__module__": __name__}))
