"""An HTTP forward proxy for the tests, on 127.0.0.1, that reaches one upstream only.

:class:`ForwardProxy` takes requests in absolute form (``GET http://reg.invalid:5000/v2/ HTTP/1.1``,
what a client sends to a proxy), records them, and sends each to its ``upstream`` (a registry on
loopback) whatever host the request names: a test can give pouchd a registry name that resolves
nowhere (``.invalid``), and nothing but the proxy is ever contacted. ``CONNECT`` (a client's
tunnel for HTTPS) is recorded and refused with 502, as a proxy that cannot reach the host answers.
With ``refuse=True`` every request is refused so.

Standard library only; a thread of its own.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from pouch_testing.httpserver import LoopbackHTTPServer

# Headers that concern one hop, never forwarded (RFC 9110 7.6.1).
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"})


class ForwardProxy:
    """``with ForwardProxy("127.0.0.1:5000") as proxy``: ``proxy.address`` to give a client,
    ``proxy.requests`` the ``(method, target)`` of each request it got, in order."""

    def __init__(self, upstream: str, *, refuse: bool = False) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.refuse = refuse
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = LoopbackHTTPServer(self._handler(), name="forward-proxy")

    @property
    def address(self) -> str:
        return self._server.address

    def _record(self, method: str, target: str) -> None:
        with self._lock:
            self.requests.append((method, target))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _refuse(self) -> None:
                self.send_response(502, "Bad Gateway")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_CONNECT(self) -> None:
                proxy._record("CONNECT", self.path)
                self._refuse()

            def _forward(self) -> None:
                proxy._record(self.command, self.path)
                url = urlsplit(self.path)
                if proxy.refuse or url.scheme != "http":
                    self._refuse()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                try:
                    upstream.request(self.command, url.path + (f"?{url.query}" if url.query else ""), body, headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response(answer.status, answer.reason)
                    sent_length = False
                    for key, value in answer.getheaders():
                        if key.lower() in _HOP_BY_HOP or key.lower() == "transfer-encoding":
                            continue
                        sent_length |= key.lower() == "content-length"
                        self.send_header(key, value)
                    if not sent_length:
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    upstream.close()

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        return Handler

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.stop()
