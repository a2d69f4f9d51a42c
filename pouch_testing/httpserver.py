"""A threaded HTTP server on 127.0.0.1, for the tests' stand-ins: a token server, registries that
misbehave, a forward proxy, a search index, echo servers. Standard library only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final, Self

#: How often the serving thread looks for :meth:`LoopbackHTTPServer.stop`: stopping waits for it,
#: and the tests stop many of these.
POLL_INTERVAL: Final = 0.05


class LoopbackHTTPServer:
    """``handler`` served on 127.0.0.1, on a port the kernel picks, by a thread of its own from
    :meth:`start` until :meth:`stop` (or for a ``with`` block). With ``join_handlers``,
    :meth:`stop` also waits for the requests being handled; else their threads are daemon ones,
    left to end by themselves."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, name: str, join_handlers: bool = False) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = not join_handlers
        self.port: int = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(POLL_INTERVAL,), name=name, daemon=True)

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self, *, before_close: Callable[[], None] | None = None) -> None:
        """Stop taking requests, call ``before_close`` (to end answers stalled on purpose, which
        closing would otherwise wait for), close the socket, and join the thread."""
        if self._thread.is_alive():
            self.httpd.shutdown()
        if before_close is not None:
            before_close()
        self.httpd.server_close()  # with join_handlers, waits for the handlers' threads
        self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
