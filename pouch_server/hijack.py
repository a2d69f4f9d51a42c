"""Hijacked connections: Docker's attach and exec start take over the HTTP connection.

The client asks (``Connection: Upgrade``, ``Upgrade: tcp``, or without them), the server answers
``HTTP/1.1 101 UPGRADED`` with Docker's headers (``200 OK`` when no upgrade was asked for) and
from then on the connection carries raw bytes both ways (the client's to the container's stdin,
the container's output to the client) until one side ends. ASGI has no such thing, so pouchd's
HTTP protocol (pouch_server/protocol.py) offers it to every request it hands to the app, as the
scope extension :data:`HIJACK_EXTENSION`: an awaitable :data:`Hijack` that writes the answer's
head raw, takes the connection from HTTP, and returns a :class:`HijackedStream`.

A handler returns a :class:`HijackResponse`; its session runs on the stream. Under a server
without the extension (httpx's ASGITransport in tests, another ASGI server) the request gets a
500 in pouch's error shape instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from pouch_common.escape import EscapeScanner, parse_detach_keys
from pouch_server import wire
from pouch_server.errors import APIError

log = logging.getLogger("pouchd")

#: The scope extension (``scope["extensions"][...]``) holding the request's :data:`Hijack`; set
#: by pouchd's protocol on every request it hands to the app (pouch_server/protocol.py).
HIJACK_EXTENSION = "pouchd.hijack"

#: Docker's media type of a hijacked stream.
RAW_STREAM = b"application/vnd.docker.raw-stream"

#: The answer when the server cannot hijack (no :data:`HIJACK_EXTENSION`).
NO_HIJACK = "this server cannot hijack connections for attach"

#: How many received bytes a stream keeps before it stops reading from the client (flow
#: control: a session that does not read holds the client back, not pouchd's memory).
READ_HIGH_WATER = 256 * 1024


class Hijack(Protocol):
    """``await hijack(status, headers, reason=None)``: write ``HTTP/1.1 <status> <reason>`` and
    ``headers`` (nothing else: no Content-Length, no Date), end HTTP on the connection and return
    its stream. ``reason`` defaults to the status's usual phrase. Raises RuntimeError when the
    request can no longer be hijacked (an answer has begun, its body is still arriving, further
    requests were read after it, or the client is gone)."""

    def __call__(
        self, status: int, headers: Sequence[tuple[bytes, bytes]], reason: bytes | None = None
    ) -> Awaitable[HijackedStream]: ...


class StreamConnection(Protocol):
    """What a :class:`HijackedStream` needs of the connection under it (pouchd's protocol)."""

    @property
    def transport(self) -> asyncio.WriteTransport: ...

    def pause_reads(self) -> None: ...
    def resume_reads(self) -> None: ...
    async def drain_writes(self) -> None: ...


class HijackedStream:
    """The raw byte stream of a hijacked connection.

    Made by the protocol, which feeds it what the client sends (:meth:`feed_data`,
    :meth:`feed_eof`, :meth:`connection_lost`); the session reads and writes it.
    """

    def __init__(self, connection: StreamConnection, *, can_write_eof: bool) -> None:
        self._connection = connection
        self._transport = connection.transport
        self._buffer = bytearray()
        self._eof = False
        self._lost = False
        self._paused = False
        self._readable = asyncio.Event()
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._write_closed = False
        self.can_write_eof = can_write_eof

    # --- fed by the protocol ------------------------------------------------------
    def feed_data(self, data: bytes) -> None:
        self._buffer += data
        self._readable.set()
        if len(self._buffer) > READ_HIGH_WATER and not self._paused:
            self._paused = True
            self._connection.pause_reads()

    def feed_eof(self) -> None:
        """The client half-closed (or closed) its side: reads end once the buffer is empty."""
        self._eof = True
        self._readable.set()

    def connection_lost(self) -> None:
        self._eof = self._lost = True
        self._readable.set()
        if not self._closed.done():
            self._closed.set_result(None)

    # --- for the session ------------------------------------------------------------
    async def read(self, max_bytes: int = 65536) -> bytes:
        """Up to ``max_bytes`` the client sent; b"" once it has half-closed or gone."""
        while not self._buffer:
            if self._eof:
                return b""
            self._readable.clear()
            await self._readable.wait()
        data = bytes(self._buffer[:max_bytes])
        del self._buffer[:max_bytes]
        if self._paused and len(self._buffer) <= READ_HIGH_WATER // 4:
            self._paused = False
            self._connection.resume_reads()
        return data

    async def write(self, data: bytes) -> None:
        """Send ``data``; waits while the client is not taking what it was sent. Raises
        ConnectionResetError once the connection is closed or its write side is."""
        if self._lost or self._write_closed or self._transport.is_closing():
            raise ConnectionResetError("hijacked connection closed")
        if data:
            self._transport.write(data)
            await self._connection.drain_writes()

    def close_write(self) -> None:
        """Half-close: the client reads EOF, and can still send. Over TLS, which asyncio cannot
        half-close (no close_notify without closing), this closes the connection."""
        if self._write_closed or self._lost:
            return
        self._write_closed = True
        if self.can_write_eof:
            self._transport.write_eof()
        else:
            self.close()

    def close(self) -> asyncio.Future[None]:
        """Close the connection once what was written has been sent. Returns a finished future, so
        that ``await stream.close()`` works too; :meth:`wait_closed` waits for the connection."""
        self._write_closed = True
        if not self._transport.is_closing():
            self._transport.close()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    @property
    def closed(self) -> bool:
        """The connection is gone (closed by either side)."""
        return self._closed.done()

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed)


#: What a :class:`HijackResponse` runs on the stream.
Session = Callable[[HijackedStream], Awaitable[None]]


class HijackResponse(Response):
    """A handler's answer that hijacks the connection and runs ``session`` on it.

    ``upgrade``: the request asked for it (``Connection: Upgrade``); the answer is then
    ``101 UPGRADED`` with ``Connection: Upgrade`` and ``Upgrade: tcp``, else ``200 OK``; both
    with ``Content-Type: application/vnd.docker.raw-stream``. The stream is closed when the
    session returns (or raises). connexion passes a Starlette response through as it is.
    """

    def __init__(self, upgrade: bool, session: Session) -> None:
        super().__init__(status_code=101 if upgrade else 200, media_type=RAW_STREAM.decode())
        self.upgrade = upgrade
        self.session = session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hijack: Hijack | None = scope.get("extensions", {}).get(HIJACK_EXTENSION)
        if hijack is None:
            log.warning("%s %s: %s", scope.get("method"), scope.get("path"), NO_HIJACK)
            await wire.send_error(send, 500, NO_HIJACK)
            return
        # Spelled as dockerd writes its raw head (clients read names in any case).
        headers = [(b"Content-Type", RAW_STREAM)]
        if self.upgrade:
            headers += [(b"Connection", b"Upgrade"), (b"Upgrade", b"tcp")]
        stream = await hijack(self.status_code, headers, b"UPGRADED" if self.upgrade else None)
        try:
            await self.session(stream)
        finally:
            stream.close()


def is_upgrade_request(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """The request asks for an upgrade: ``Connection`` lists ``upgrade`` and there is an
    ``Upgrade`` header (an ASGI scope's lower-cased headers)."""
    upgrade = connection = False
    for name, value in headers:
        if name == b"connection":
            connection = connection or b"upgrade" in (t.strip().lower() for t in value.split(b","))
        elif name == b"upgrade":
            upgrade = True
    return upgrade and connection


async def pump_stdin(
    conn: HijackedStream, write: Callable[[bytes], Awaitable[None]] | None, detach_keys: bytes | None
) -> bool:
    """The client's bytes to ``write`` (None: read and dropped) until the client's end of input;
    True when it sent the ``detach_keys`` first (None: none looked for), which are not passed on.
    A TTY session looks for them as dockerd does (container/stream/attach.go copyEscapable)."""
    scanner = EscapeScanner(detach_keys) if detach_keys else None
    while True:
        data = await conn.read(65536)
        if not data:
            return False
        detached = False
        if scanner is not None:
            data, detached = scanner.feed(data)
        if data and write is not None:
            await write(data)
        if detached:
            return True


def detached(reader: asyncio.Task[bool]) -> bool:
    """Whether a session's :func:`pump_stdin` task has ended with the client's detach keys."""
    return reader.done() and not reader.cancelled() and reader.exception() is None and reader.result()


def detach_keys(text: str | None) -> bytes:
    """A request's ``detachKeys`` as bytes (ctrl-p ctrl-q when none); APIError 400 when bad."""
    try:
        return parse_detach_keys(text)
    except ValueError as e:
        raise APIError(400, str(e)) from None
