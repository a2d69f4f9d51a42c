"""The network side of a login: bounded answers, the TLS settings of each verification mode,
the clients of one login, and transport failures put in a few words.

Every answer is read through a byte limit (MAX_BODY, asked uncompressed), connections have
CONNECT_TIMEOUT; the per-request and per-login deadlines are the manager's. The SSL contexts are
built once, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

import httpx

from pouch_server.errors import APIError

if TYPE_CHECKING:
    import ssl

CONNECT_TIMEOUT = 5.0
MAX_BODY = 1 << 20  # registries' /v2/ and token answers are small; a larger one is not a registry


class BadAnswer(Exception):
    """An answer pouchd will not read: larger than MAX_BODY, or compressed though it asked for none."""


class _LimitedStream(httpx.AsyncByteStream):
    """A response body that fails once it has delivered more than ``limit`` bytes."""

    def __init__(self, stream: httpx.AsyncByteStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self._stream:
            size += len(chunk)
            if size > self._limit:
                raise BadAnswer(f"answered with more than {self._limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


async def limit_answer(response: httpx.Response) -> None:
    """Response hook of the login clients: every answer is read through a byte limit, redirects and
    the flow's intermediate answers included (httpx reads those itself, whole).

    The clients send ``Accept-Encoding: identity``, so the bytes on the wire are the bytes in
    memory; a server that compresses anyway is refused rather than inflated by a factor it picks.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise BadAnswer(f"answered in content encoding {encoding[:40]!r}, which pouchd did not ask for")
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and (len(length) > 12 or int(length) > MAX_BODY):
        raise BadAnswer(f"answered with more than {MAX_BODY} bytes")
    # Every read of a body (aread, aiter_bytes, aiter_raw) iterates Response.stream; httpx wraps it
    # the same way after each send (BoundAsyncStream, httpx 0.28.1), before the hooks run.
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _LimitedStream(response.stream, MAX_BODY)


def describe_transport_error(e: BaseException) -> str:
    """A short cause without URLs: httpx's own text is often just "All connection attempts failed"."""
    if isinstance(e, (httpx.TimeoutException, TimeoutError)):
        return "timed out"
    text = str(e).strip()
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return f"TLS certificate verification failed ({text})"
    if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
        return f"TLS handshake failed, the server may not speak HTTPS ({text})"
    cause: BaseException | None = e
    while cause is not None:  # the OS error underneath says what happened
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve the host name ({cause.strerror or cause})"
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower()
        cause = cause.__cause__ or cause.__context__
    return text or type(e).__name__


class SSLContexts:
    """The TLS settings of each verification mode, built once per daemon and shared.

    httpx builds a new SSL context for every client it makes, and with verification that loads
    the CA bundle (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR): about 20 ms of CPU. On the event
    loop, at every request of every login, that stalled all of pouchd's other clients. A context
    is built on first use (pouchd's start-up does not pay for a login it may never do), in a
    thread, once; one SSLContext serves any number of connections. A failure is not kept: the
    next login tries again.
    """

    def __init__(self) -> None:
        self._built: dict[bool, ssl.SSLContext] = {}
        self._building: dict[bool, asyncio.Future[ssl.SSLContext]] = {}

    async def get(self, verify: bool) -> ssl.SSLContext:
        """The context of one mode; APIError(500) when it cannot be built."""
        context = self._built.get(verify)
        if context is not None:
            return context
        building = self._building.get(verify)
        if building is None:
            building = asyncio.ensure_future(asyncio.to_thread(_build_ssl_context, verify))
            self._building[verify] = building
            building.add_done_callback(self._done)
        try:
            context = await asyncio.shield(building)  # a login that times out does not cancel the build
        except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
            raise APIError(500, f"cannot set up TLS to check registry certificates: {e}") from None
        self._built[verify] = context
        return context

    def _done(self, building: asyncio.Future[ssl.SSLContext]) -> None:
        for verify, future in list(self._building.items()):
            if future is building:
                del self._building[verify]
        if not building.cancelled():
            building.exception()  # retrieved here too, should every login that waited be gone


def _build_ssl_context(verify: bool) -> ssl.SSLContext:
    """Run in a thread: the SSL context, and httpcore, which the first client would import on the
    event loop (~15 ms, once per process)."""
    import httpcore  # noqa: F401

    return httpx.create_ssl_context(verify)


class LoginClients:
    """The clients of one login, one per TLS verification mode (the registry's and, when it differs,
    the token server's), made by ``new_client`` on first use and closed with the login."""

    def __init__(self, new_client: Callable[[bool], Awaitable[httpx.AsyncClient]]) -> None:
        self._new_client = new_client
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._stack = contextlib.AsyncExitStack()

    async def get(self, verify: bool) -> httpx.AsyncClient:
        client = self._clients.get(verify)
        if client is None:
            client = await self._stack.enter_async_context(await self._new_client(verify))
            self._clients[verify] = client
        return client

    async def __aenter__(self) -> LoginClients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()
