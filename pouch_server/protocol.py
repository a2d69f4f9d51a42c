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
import http
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, cast

import httptools

from pouch_common.limits import MAX_ARCHIVE_BYTES
from pouch_server import wire
from pouch_server._compat.uvicorn import HttpToolsBase, StopParsing
from pouch_server.config import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY_SIZE
from pouch_server.hijack import HIJACK_EXTENSION, READ_HIGH_WATER, HijackedStream
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

#: The paths whose POST may hijack the connection (attach, exec start), bare or under an API
#: version: their connections read nothing after the request as HTTP (see _hold).
_HIJACKABLE = re.compile(rb"(?:/v[0-9]+(?:\.[0-9]+)*)?/(?:containers/[^/]+/attach|exec/[^/]+/start)")

# A hijacked answer's head is written raw: no line breaks may be smuggled into it.
_BAD_HEAD_BYTES = re.compile(rb"[\x00\r\n]")


class _Completions:
    """A scratch parser's callbacks: counts the requests it has read whole."""

    def __init__(self) -> None:
        self.count = 0

    def on_message_complete(self) -> None:
        self.count += 1


def _completes(raw: memoryview, requests: int) -> bool:
    completions = _Completions()
    parser = httptools.HttpRequestParser(completions)
    parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn sets its own
    try:
        parser.feed_data(raw)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        pass  # what follows the requests counted is no HTTP: it need not parse
    return completions.count >= requests


def _request_end(raw: bytes, requests: int) -> int | None:
    """Where, in ``raw`` (bytes read from a point between two requests), the ``requests``-th request
    ends: the fewest leading bytes a fresh parser needs to read it whole (a bisection; only for a
    hijackable request, whose following bytes belong to its stream). None if it does not end there."""
    view = memoryview(raw)
    if not _completes(view, requests):
        return None
    low, high = 0, len(raw)
    while low < high:
        middle = (low + high) // 2
        if _completes(view[:middle], requests):
            high = middle
        else:
            low = middle + 1
    return low


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
        # Hijacking (pouch_server/hijack.py; see _hold and _hijack).
        self._chunked = False
        self._hijackable = False  # the request being received may hijack the connection
        self._upgrade_body = 0  # body bytes of an upgrade request still to come after its head
        self._held: bytearray | None = None  # after a hijackable request: its stream's first bytes
        self._held_eof = False
        self._stop_next = False  # a hijackable request is in: parse no request after it
        self._stream: HijackedStream | None = None
        # The bytes read since the parser was last between requests at the start of a read, and
        # how many requests they completed: where a hijackable request ends in them is found by
        # re-parsing them (httptools does not tell where a request ends in what it was fed).
        self._idle = True
        self._raw: bytes | None = None
        self._raw_done = 0
        self._keep_raw = True
        self._arm(self._header_timeout, "request headers not received in time")

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        if self._stream is not None:
            self._stream.connection_lost()
        super().connection_lost(exc)

    def client_eof(self) -> bool:
        # A hijacked connection's client may half-close (the Docker CLI does at once when it has
        # no stdin) and still read the output: keep the connection open for writing, unless the
        # transport cannot half-close (TLS: asyncio ends the whole connection anyway).
        if self._stream is not None:
            self._stream.feed_eof()
        elif self._held is not None:  # before the app has hijacked: the stream gets the EOF
            self._held_eof = True
        else:
            return False
        return self._transport.can_write_eof()

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
        if self._stream is not None:
            self._stream.feed_data(data)
            return
        if self._held is not None:
            self._hold_bytes(data)
            return
        if self._upgrade_body:
            self._upgrade_body_received(data)
            return
        if self._idle:
            self._raw, self._raw_done = data, 0
        elif self._raw is not None:
            # A request spanning reads: its bytes are kept while they may be needed (its head, or
            # a hijackable request's body), never an upload's.
            self._raw = self._raw + data if self._keep_raw and len(self._raw) < self._max_header_bytes else None
        upgrade_offset = self.feed_parser(data)
        if upgrade_offset is not None:
            self._upgraded(data[upgrade_offset:])
        elif self._held is not None:
            self._held_from_raw()

    # --- hijacking ------------------------------------------------------------------
    # A request that may hijack its connection (an upgrade, or a POST to attach or exec start) is
    # the last one read as HTTP on it: what the client sends after it is kept (_held) for the
    # stream, and the connection closes if the app answers it normally instead. With Upgrade,
    # httptools says where its head ends; without, where it ends is found by re-parsing.
    def _hold(self) -> None:
        self._held = bytearray()
        self._stop_next = True
        self.keep_alive_off()

    def _hold_bytes(self, data: bytes | bytearray) -> None:
        assert self._held is not None
        self._held += data
        if len(self._held) > READ_HIGH_WATER:
            self.pause_reads()  # the app has not hijacked yet: the client waits

    def _held_from_raw(self) -> None:
        """A hijackable request ended in this read: the bytes after it are its stream's."""
        raw, self._raw = self._raw, None
        end = _request_end(raw, self._raw_done) if raw is not None else None
        if end is None:
            if self._stop_next is False:  # the parser read on into bytes now lost: cannot serve
                log.info("closing connection from %s: bytes after a hijackable request lost", self.peer())
                self._transport.close()
            return
        assert raw is not None
        self._hold_bytes(raw[end:])

    def _upgraded(self, rest: bytes) -> None:
        """An upgrade request's head is in; ``rest`` follows it: its body, then the stream."""
        self._raw = None
        if self._upgrade_body:
            self._upgrade_body_received(rest)
        elif self._held is not None:
            self._hold_bytes(rest)

    def _upgrade_body_received(self, data: bytes) -> None:
        # httptools reads no body of an upgrade request (it ends the request at its head): the
        # Content-Length bytes after the head are its body, passed on as the parser would.
        n = min(len(data), self._upgrade_body)
        self._upgrade_body -= n
        self.on_body(data[:n])
        if self._rejected:
            return
        if not self._upgrade_body:
            self.on_message_complete()
            if self._held is not None:
                self._hold_bytes(data[n:])

    def parsing_stopped(self) -> None:
        # A request began after a hijackable one (on_message_begin stopped the parser there):
        # its bytes are the stream's, found in data_received.
        self._stop_next = False

    async def _hijack(
        self, status: int, headers: Sequence[tuple[bytes, bytes]], reason: bytes | None = None
    ) -> HijackedStream:
        """The request's :data:`pouch_server.hijack.HIJACK_EXTENSION`: write the head, then the
        connection is the stream's."""
        if self._stream is not None:
            raise RuntimeError("connection already hijacked")
        if self._transport.is_closing():
            raise RuntimeError("the client is gone")
        if self.response_started():
            raise RuntimeError("cannot hijack: the answer has begun")
        if self._held is None and (not self._idle or self._upgrade_body or self.requests_queued()):
            raise RuntimeError("cannot hijack: the request's body is not all in, or more requests were read")
        if reason is None:
            reason = http.HTTPStatus(status).phrase.encode()
        lines = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
        lines += [name + b": " + value + b"\r\n" for name, value in headers]
        lines.append(b"\r\n")
        head = b"".join(lines)
        if _BAD_HEAD_BYTES.search(head[:-4].replace(b"\r\n", b"")):
            raise ValueError("line break or NUL in a hijacked answer's head")
        # From here the connection is no HTTP: no timeout (an attach may idle for days), no
        # keep-alive, nothing more parsed; uvicorn's side of the request is done.
        self._cancel_timer()
        self.hand_over_cycle()
        stream = self._stream = HijackedStream(self, can_write_eof=self._transport.can_write_eof())
        self._transport.write(head)
        held, self._held = self._held, None
        self.resume_reads()
        if held:
            stream.feed_data(bytes(held))
        if self._held_eof:
            stream.feed_eof()
        await self.drain_writes()
        return stream

    # The callbacks below run for every request: they call the base class directly (no
    # super() object) and keep their own work to a few attribute updates.
    def on_message_begin(self) -> None:
        if self._stop_next:  # a request after a hijackable one: its bytes are the stream's
            raise StopParsing
        _Base.on_message_begin(self)
        self._idle = False
        self._keep_raw = True
        self._header_bytes = 0
        self._body_bytes = 0
        self._length = None
        self._chunked = False
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
        elif len(name) == 17 and name.lower() == b"transfer-encoding":
            self._chunked = True  # (the parser refuses any coding but a final chunked)
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
        upgrade = self.non_http_upgrade()
        if upgrade and self._chunked:
            self._reject(400, "an upgrade request's body needs a Content-Length")
            return
        self._arm(self._body_timeout, "request body not received in time")
        _Base.on_headers_complete(self)
        # The request is handed on (its task runs once this callback returns) under an id of its
        # own, which the app's answers carry (pouch_server/middleware.py) and so does a refusal of
        # its body written here, even before the app has run.
        rid = self._request_id = wire.new_request_id()
        extensions = self.scope_extensions()
        extensions[wire.REQUEST_ID_EXTENSION] = rid
        extensions[HIJACK_EXTENSION] = self._hijack
        self._hijackable = upgrade or (method == b"POST" and _HIJACKABLE.fullmatch(path) is not None)
        if upgrade and self._length is not None:
            self._upgrade_body = int(self._length)  # see _upgrade_body_received
        self._keep_raw = self._hijackable

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
        if self._upgrade_body:  # an upgrade request's head only: its body comes after (data_received)
            return
        self._deadline = None  # the request is in: no deadline until the next one begins
        self._idle = True
        self._raw_done += 1
        if self._rejected:
            return
        _Base.on_message_complete(self)
        if self._hijackable:
            self._hold()

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
