"""N ``GET /events`` streams on a pouchd's unix socket, read and discarded until killed.

Run as a script by the stall benchmark (bench/stall_bench.py), in a process of its own so that
reading the streams does not compete with the benchmark's pinger for its interpreter. Prints
``ready`` once every stream has its response headers. Imports nothing from the project.
"""

from __future__ import annotations

import selectors
import socket
import sys


def main() -> None:
    path, n = sys.argv[1], int(sys.argv[2])
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"GET /v1.24/events HTTP/1.1\r\nHost: d\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            if not chunk:
                raise SystemExit("stream closed before its headers")
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"GET /events answered {head[:40]!r}")
        s.setblocking(False)
        socks.append(s)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select(1.0):
            try:
                if not key.fileobj.recv(1 << 20):  # type: ignore[union-attr]
                    sel.unregister(key.fileobj)
            except BlockingIOError:
                pass


if __name__ == "__main__":
    main()
