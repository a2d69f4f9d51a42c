"""asyncio's undocumented names that pouchd uses, written for Python 3.11.

pouchd's TLS listeners read a connection's first bytes before they know it speaks TLS (plain HTTP
gets Go's answer instead: pouch_server/tls.py). asyncio's documented ways to run TLS on a
connection, ``loop.create_server(ssl=...)`` and ``loop.start_tls``, cannot be given bytes already
read from it; the TLS protocol they both run can. It is fenced here:

- ``asyncio.sslproto.SSLProtocol(loop, app_protocol, sslcontext, waiter, server_side,
  server_hostname, call_connection_made, ssl_handshake_timeout, ssl_shutdown_timeout)``: a
  ``BufferedProtocol`` (``get_buffer``/``buffer_updated``) on the raw transport that hands the
  decrypted stream to ``app_protocol``, whose ``connection_made`` it calls once the handshake is
  done (``call_connection_made=True``), with a transport whose ``get_extra_info`` answers
  ``ssl_object``, ``sslcontext`` and ``peercert``. ``waiter`` may be None. A failed or timed-out
  handshake closes the raw transport (its ``_force_close``, which uvloop's transports have too)
  and is logged only in debug mode (an OSError: ``ssl.SSLError``, a reset, the timeout).

To move to another Python: check SSLProtocol's constructor and those behaviours in
Lib/asyncio/sslproto.py, adjust, update WRITTEN_FOR (major.minor).
"""

from __future__ import annotations

import asyncio
import ssl
from asyncio.sslproto import SSLProtocol
from typing import Any

UPSTREAM = "python"
WRITTEN_FOR = "3.11"


def start_server_tls(
    transport: asyncio.Transport,
    app_protocol: asyncio.Protocol,
    context: ssl.SSLContext,
    already_read: bytes,
    handshake_timeout: float,
) -> None:
    """Run the server side of TLS on ``transport``, in place of the protocol that had it so far and
    read ``already_read`` from it: those bytes are the start of the handshake. ``app_protocol``
    gets the decrypted stream once the handshake is done; a failed one closes the connection."""
    # typeshed wants a Future for the waiter and an int timeout; upstream takes None (no waiter:
    # nobody awaits the handshake, a failed one closes the connection) and any positive number.
    waiter: Any = None
    timeout: Any = handshake_timeout
    tls = SSLProtocol(
        asyncio.get_running_loop(), app_protocol, context, waiter, server_side=True, ssl_handshake_timeout=timeout
    )
    transport.set_protocol(tls)  # asyncio's and uvloop's transports then read through get_buffer
    tls.connection_made(transport)
    pending = memoryview(already_read)
    while pending and not transport.is_closing():
        buffer = tls.get_buffer(len(pending))
        n = min(len(buffer), len(pending))
        buffer[:n] = pending[:n]
        tls.buffer_updated(n)
        pending = pending[n:]


__all__ = ["UPSTREAM", "WRITTEN_FOR", "start_server_tls"]
