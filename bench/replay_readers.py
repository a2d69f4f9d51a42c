"""N clients replaying pouchd's event history as fast as they can, until killed.

Run as a script by the stall benchmark (bench/stall_bench.py), in a process of its own so that
reading does not compete with the benchmark's pinger for its interpreter. Each client sends
``GET /v1.24/events?since=0&until=<now>`` (the whole history, then the end of the stream), reads
the answer to its end, and starts again at once. For every replay it prints one line, ``replay
CLIENT MILLISECONDS EVENTS BYTES``; ``started`` once every client has sent its first request.
Imports nothing from the project.
"""

from __future__ import annotations

import selectors
import socket
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Replay:
    """One client's replay in progress."""

    index: int
    sock: socket.socket
    start: float = field(default_factory=time.perf_counter)
    head: bytes = b""
    nbytes: int = 0
    events: int = 0
    last: bytes = b""  # the answer's last bytes: the end of an event line may span two reads


def request() -> bytes:
    now = time.time_ns()
    until = f"{now // 1_000_000_000}.{now % 1_000_000_000:09d}"
    # Connection: close, so the end of the answer is the end of the connection.
    return (f"GET /v1.24/events?since=0&until={until} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n").encode()


def begin(path: str, index: int, sel: selectors.BaseSelector) -> None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(request())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, Replay(index, s))


def finish(r: Replay) -> None:
    """Check that the answer was a whole stream, and report it."""
    if not r.head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"error: GET /events answered {r.head[:60]!r}")
    if not r.last.endswith(b"0\r\n\r\n"):  # the last chunk of a chunked answer: the stream ended
        raise SystemExit(f"error: the replay was cut off after {r.nbytes} bytes")
    ms = (time.perf_counter() - r.start) * 1000
    print(f"replay {r.index} {ms:.1f} {r.events} {r.nbytes}", flush=True)


def main() -> None:
    path, n = sys.argv[1], int(sys.argv[2])
    sel = selectors.DefaultSelector()
    for i in range(n):
        begin(path, i, sel)
    print("started", flush=True)
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while True:
        for key, _ in sel.select(30.0):
            r: Replay = key.data
            try:
                got = r.sock.recv_into(buf)
            except BlockingIOError:
                continue
            if got:
                data = view[:got]
                if not r.head:
                    r.head = bytes(data[:64])
                r.nbytes += got
                # Every event is one line ending "}\n" (chunk framing adds "\r\n", never "}\n").
                joined = r.last[-1:] + bytes(data[:1])
                r.events += buf.count(b"}\n", 0, got) + (joined == b"}\n")
                r.last = (r.last + bytes(data[-5:]))[-5:]
                continue
            sel.unregister(r.sock)
            r.sock.close()
            finish(r)
            begin(path, r.index, sel)


if __name__ == "__main__":
    main()
