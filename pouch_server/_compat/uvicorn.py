"""uvicorn's internals that pouchd uses, written for uvicorn 0.54.0.

uvicorn's public surface is its ``Config`` and ``Server``; pouchd needs more than that in two
places, both fenced here:

- its HTTP protocol (pouch_server/protocol.py) extends ``HttpToolsProtocol``. It overrides only
  what asyncio (``connection_made``, ``connection_lost``, ``data_received``) and httptools (the
  parser callbacks ``on_message_begin``, ``on_url``, ``on_header``, ``on_headers_complete``,
  ``on_body``, ``on_message_complete``, which uvicorn's class implements for its parser) define,
  and reads uvicorn's per-connection state only through :class:`HttpToolsBase`'s methods;
- pouchd runs several servers in one process under its own signal handling (:class:`Server`).

To move to another uvicorn: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

UPSTREAM = "uvicorn"
WRITTEN_FOR = "0.54.0"


class StopParsing(Exception):
    """Raised from a parser callback to stop the parser for good, on purpose (not a bad request):
    :meth:`HttpToolsBase.parsing_stopped` is called instead of ``parser_rejected``."""


class HttpToolsBase(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the state pouchd's protocol needs behind named methods
    and two hooks, :meth:`parser_rejected` and :meth:`shutting_down`.

    Upstream state read here: ``self.cycle`` (the ``RequestResponseCycle`` of the request being
    answered: ``response_started``, ``response_complete``, ``disconnected``, ``message_event``,
    ``keep_alive``), ``self.pipeline`` (requests parsed while another is answered),
    ``self.scope`` (the request's ASGI scope, made by ``on_message_begin``),
    ``self.server_state.default_headers`` (``Date`` and the like), ``self.flow``
    (``FlowControl.write_paused``), ``self.client`` (the peer's address), ``self.parser`` (the
    httptools parser: the method) and ``self.url`` (the request target as received).

    For hijacked connections (pouch_server/hijack.py) it also feeds the parser itself
    (:meth:`feed_parser`, uvicorn's ``data_received`` less its handling of upgrades), takes a
    request off uvicorn's hands (:meth:`hand_over_cycle`) and reaches uvicorn's flow control
    (``self.flow``: ``pause_reading``, ``resume_reading``, ``drain``).
    """

    def feed_parser(self, data: bytes) -> int | None:
        """Parse ``data`` as uvicorn's ``data_received`` does, except for an upgrade to anything
        but a WebSocket (Docker's ``Upgrade: tcp``), which uvicorn only warns about and whose
        following bytes it drops: the offset in ``data`` where such a request's head ends is
        returned instead (what follows is not HTTP), else None."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if self._should_upgrade():  # a WebSocket, as uvicorn serves it (pouchd runs ws="none")
                self.handle_websocket_upgrade()
                return None
            return int(upgrade.args[0])
        except httptools.HttpParserError as error:
            if isinstance(error.__context__, StopParsing):  # httptools chains a callback's exception
                self.parsing_stopped()
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.parser_rejected()
        return None

    def parsing_stopped(self) -> None:
        """A parser callback raised :class:`StopParsing`: the parser is done with this connection."""

    def response_started(self) -> bool:
        """The request being answered has its answer begun (or is handed over)."""
        return self.cycle is not None and self.cycle.response_started

    def non_http_upgrade(self) -> bool:
        """The request being received asks for an upgrade that uvicorn does not serve (anything
        but a WebSocket); valid from ``on_headers_complete`` on."""
        return bool(self.parser.should_upgrade()) and not self._should_upgrade()

    def requests_queued(self) -> bool:
        """Requests parsed after the one being answered wait their turn (HTTP pipelining)."""
        return bool(self.pipeline)

    def keep_alive_off(self) -> None:
        """The connection closes once the request being answered has its answer."""
        if self.cycle is not None:
            self.cycle.keep_alive = False

    def hand_over_cycle(self) -> None:
        """The request being answered is answered outside uvicorn (its connection hijacked):
        uvicorn sends nothing more for it (its ``send`` refuses further messages, its
        ``receive`` answers ``http.disconnect``), does not complain that the app returned
        without a complete response, and never reads another request on the connection."""
        cycle = self.cycle
        cycle.response_started = True
        cycle.response_complete = True
        cycle.keep_alive = False
        cycle.message_event.set()
        self.server_state.total_requests += 1
        self._unset_keepalive_if_required()

    def pause_reads(self) -> None:
        """Stop reading from the client until :meth:`resume_reads` (uvicorn's flow control)."""
        self.flow.pause_reading()

    def resume_reads(self) -> None:
        self.flow.resume_reading()

    async def drain_writes(self) -> None:
        """Wait while the transport's write buffer is above its high-water mark."""
        if self.flow.write_paused:
            await self.flow.drain()

    def response_in_progress(self) -> bool:
        """A response has begun and is not complete."""
        cycle = self.cycle
        return cycle is not None and cycle.response_started and not cycle.response_complete

    def end_request(self) -> None:
        """Tell the request being answered, if any, that its client is gone (its app's
        ``receive`` then returns ``http.disconnect`` and its ``send`` stops writing)."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()

    def scope_extensions(self) -> dict[str, Any]:
        """The ``extensions`` of the request being received; call it from a parser callback
        after ``on_message_begin``. What is put there reaches the app in the request's scope."""
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
        return extensions

    def request_target(self) -> tuple[bytes, bytes]:
        """The method and path (no query) of the request being received; call it from
        ``on_headers_complete`` on (``self.url`` holds the raw target once the URL is parsed)."""
        return self.parser.get_method(), self.url.split(b"?", 1)[0]

    def default_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers uvicorn puts on every response it writes (``Date``)."""
        return list(self.server_state.default_headers)

    def writes_paused(self) -> bool:
        """The transport's buffer is full: the client is not reading what it is sent."""
        return bool(self.flow.write_paused)

    def peer(self) -> str:
        """The client's address, for the log."""
        return str(self.client)

    def parser_rejected(self) -> None:
        """The parser refused the request, or a parser callback raised: answer and close."""
        HttpToolsProtocol.send_400_response(self, "Invalid HTTP request received.")

    def shutting_down(self) -> None:
        """Called once uvicorn has told the connection that the server stops."""

    def client_eof(self) -> bool:
        """The client half-closed its side: True keeps the connection open for writing."""
        return False

    # uvicorn 0.54 annotates eof_received as returning None (it lets the transport close);
    # asyncio's Protocol lets it return True to keep the connection open for writing.
    def eof_received(self) -> bool | None:  # type: ignore[override]
        return True if self.client_eof() else None

    # uvicorn 0.54: send_400_response(msg) answers a text/plain 400 when httptools raises
    # HttpParserError from data_received (a malformed request, or a callback that raised).
    def send_400_response(self, msg: str) -> None:
        self.parser_rejected()

    # uvicorn 0.54: Server.shutdown() calls shutdown() on every connection: it closes an idle
    # one and ends keep-alive on a busy one.
    def shutdown(self) -> None:
        super().shutdown()
        self.shutting_down()


class Server(uvicorn.Server):
    """uvicorn's Server without its own signal handling, so that pouchd can run several (one per
    kind of listener) and stop them together, from its own handlers.

    Upstream: ``Server.serve`` runs inside ``capture_signals()``, which installs SIGINT/SIGTERM
    handlers that set ``should_exit`` (and ``force_exit`` on a second SIGINT); ``started`` is set
    once ``startup`` has its sockets listening; the main loop polls ``should_exit`` every 0.1 s,
    and ``shutdown`` stops waiting for connections and tasks when ``force_exit`` is set.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    @property
    def is_serving(self) -> bool:
        """Started: the sockets are listening."""
        return bool(self.started)

    def stop(self) -> None:
        """Stop gracefully: no new connections, open requests finish (for up to the graceful timeout)."""
        self.should_exit = True

    def stop_now(self) -> None:
        """Stop without waiting for open connections and requests."""
        self.force_exit = True
