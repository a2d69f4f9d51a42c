"""Load and leaks on loopback: many concurrent keep-alive clients, and event subscribers that come
and go (closing politely, or resetting the connection mid-stream).

No timing assertions: only errors, statuses and resource baselines (the daemon's RSS and open
descriptors from /proc, and the ``pouchd_event_subscribers`` gauge). Every loop is bounded.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from helpers import PouchD, fd_count, subscribers, wait_for

CONCURRENCY = 64
ROUNDS = 3
ROUND_SECONDS = 3.0
WAVES = 3
PER_WAVE = 120  # 360 subscribers per variant


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def settled_fds(pid: int) -> int:
    """The daemon's descriptor count once it stops moving (connections of earlier requests closed)."""
    last = fd_count(pid)
    for _ in range(20):
        time.sleep(0.1)
        now = fd_count(pid)
        if now == last:
            return now
        last = now
    return last


def assert_log_clean(d: PouchD) -> None:
    logs = d.logs()
    assert "Traceback" not in logs and " ERROR " not in logs, logs[-3000:]


@pytest.fixture
def daemon(pouchd_factory) -> PouchD:
    """A daemon in production mode: without --validate-responses, as a loaded daemon runs."""
    return pouchd_factory(validate=False)


# --- (a) 64 concurrent keep-alive connections ---------------------------------------------------

WRK = shutil.which("wrk")


def _httpx_round(url: str, seconds: float, on_connected: Callable[[], None]) -> tuple[int, list[str]]:
    """CONCURRENCY threads, each with one keep-alive connection: (requests done, errors).

    Every thread connects and makes a first request, then they all wait for each other (so the
    load starts with all connections open, however slowly 64 threads start on a busy machine),
    then each sends requests until ``seconds`` have passed.
    """
    errors: list[str] = []
    counts: list[int] = []
    window: list[float] = []

    def start_window() -> None:
        on_connected()
        window.append(time.monotonic() + seconds)

    barrier = threading.Barrier(CONCURRENCY, action=start_window, timeout=60)

    def worker() -> None:
        n = 0
        try:
            with httpx.Client(timeout=30) as c:
                for i in range(1_000_000):
                    if i == 1:
                        barrier.wait()
                    if i > 0 and time.monotonic() >= window[0]:
                        break
                    r = c.get(url)
                    if r.status_code != 200 or not r.content.startswith(b"{"):
                        errors.append(f"status {r.status_code}: {r.content[:100]!r}")
                    n += 1
        except (httpx.HTTPError, threading.BrokenBarrierError) as e:
            errors.append(repr(e))
            barrier.abort()
        counts.append(n)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 90)
    assert not any(t.is_alive() for t in threads)
    return sum(counts), errors


def _wrk_round(url: str, seconds: float, on_connected: Callable[[], None]) -> tuple[int, list[str]]:
    """wrk with CONCURRENCY keep-alive connections: (requests done, errors it reports)."""
    assert WRK is not None
    r = subprocess.run(
        [WRK, "-t2", f"-c{CONCURRENCY}", f"-d{seconds:.0f}s", "--timeout", "30s", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = r.stdout
    m = re.search(r"(\d+) requests in", out)
    if r.returncode != 0 or m is None:
        return 0, [f"wrk failed ({r.returncode}): {out} {r.stderr}"]
    errors = [line.strip() for line in out.splitlines() if "Socket errors" in line or "Non-2xx" in line]
    return int(m.group(1)), errors


@pytest.mark.slow
@pytest.mark.parametrize(
    "client", ["httpx", pytest.param("wrk", marks=pytest.mark.skipif(WRK is None, reason="no wrk"))]
)
def test_concurrent_keepalive_clients_on_info(daemon: PouchD, client: str) -> None:
    assert daemon.proc is not None
    pid = daemon.proc.pid
    url = f"{daemon.url}/v1.24/info"
    run_round = _wrk_round if client == "wrk" else _httpx_round
    baseline_fds = settled_fds(pid)
    rss: list[int] = []
    requests: list[int] = []
    fd_samples: list[int] = []  # appended to from two threads

    def sample_fds() -> None:
        fd_samples.append(fd_count(pid))

    for _ in range(ROUNDS):
        done: list[tuple[int, list[str]]] = []
        runner = threading.Thread(target=lambda out=done: out.append(run_round(url, ROUND_SECONDS, sample_fds)))
        runner.start()
        # Sample the daemon's descriptors: at some point all the connections are open at once.
        for _ in range(int(ROUND_SECONDS / 0.05)):
            sample_fds()
            if max(fd_samples) >= baseline_fds + CONCURRENCY or not runner.is_alive():
                break
            time.sleep(0.05)
        runner.join(ROUND_SECONDS + 120)
        assert not runner.is_alive() and done
        n, errors = done[0]
        assert not errors, errors[:5]
        assert n >= CONCURRENCY, n
        requests.append(n)
        # The clients closed their connections: descriptors go back to the baseline.
        assert wait_for(lambda: fd_count(pid) <= baseline_fds), (fd_count(pid), baseline_fds)
        rss.append(rss_kib(pid))
    peak_fds = max(fd_samples)
    print(f"{client}: requests/round {requests}, fds {baseline_fds} (peak {peak_fds}), RSS KiB {rss}")
    assert peak_fds >= baseline_fds + CONCURRENCY, (peak_fds, baseline_fds)
    # RSS is stable once the first round has warmed caches and allocator pools.
    assert rss[-1] <= rss[1] * 1.10, rss
    assert_log_clean(daemon)


# --- (b, c) event subscribers that come and go ------------------------------------------------


def _connect(d: PouchD, kind: str) -> socket.socket:
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(str(d.sock))
        return s
    assert d.port is not None
    return socket.create_connection(("127.0.0.1", d.port), timeout=10)


def _read_head(s: socket.socket) -> bytes:
    """The response head, read one byte at a time so that the body stays unread."""
    head = b""
    for _ in range(4096):
        if head.endswith(b"\r\n\r\n"):
            return head
        chunk = s.recv(1)
        assert chunk, f"closed before the end of the headers: {head!r}"
        head += chunk
    raise AssertionError(f"response head too long: {head[:200]!r}")


def _read_events(s: socket.socket, n: int, exact: bool = True) -> list[dict]:
    """The next ``n`` events of a stream (one chunk each); with ``exact``, nothing was sent beyond them."""
    buf = b""
    events: list[dict] = []
    for _ in range(1000):
        while b"\r\n" in buf and len(events) < n:
            size_line, rest = buf.split(b"\r\n", 1)
            size = int(size_line, 16)
            if len(rest) < size + 2:
                break
            events.append(json.loads(rest[:size]))
            buf = rest[size + 2 :]
        if len(events) == n:
            assert not (exact and buf), buf[:100]
            return events
        chunk = s.recv(65536)
        assert chunk, "stream closed"
        buf += chunk
    raise AssertionError(f"not {n} whole chunks in 1000 reads")


def _wave(d: PouchD, kind: str, abrupt: bool, wave: int) -> None:
    socks: list[socket.socket] = []
    try:
        for _ in range(PER_WAVE):
            s = _connect(d, kind)
            socks.append(s)
            s.sendall(b"GET /v1.24/events HTTP/1.1\r\nHost: pouchd\r\n\r\n")
        for s in socks:
            head = _read_head(s)
            assert head.startswith(b"HTTP/1.1 200"), head
        # Each response has begun, so each stream is subscribed.
        assert wait_for(lambda: subscribers(d) >= PER_WAVE), subscribers(d)
        # Mid-stream: events are flowing when the clients go. Polite clients read them all and
        # close (FIN). Abrupt ones reset (RST): half after reading one event, half with all unread.
        pad = "p" * 2000
        with d.client() as c:
            for i in range(2):
                assert c.post("/daemon/update", json={"Labels": [f"wave={wave}.{i}", f"pad={pad}"]}).status_code == 200
        for s in socks if not abrupt else socks[::2]:
            got = _read_events(s, 1, exact=False) if abrupt else _read_events(s, 2)
            assert [e["actor"]["Attributes"]["wave"] for e in got] == [f"{wave}.0", f"{wave}.1"][: len(got)]
    finally:
        for s in socks:
            if abrupt:  # RST instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "abrupt"), [("unix", False), ("tcp", False), ("tcp", True)], ids=["unix-close", "tcp-close", "tcp-reset"]
)
def test_subscribers_that_come_and_go_leave_nothing_behind(daemon: PouchD, kind: str, abrupt: bool) -> None:
    assert daemon.proc is not None
    pid = daemon.proc.pid
    assert subscribers(daemon) == 0
    baseline_fds = settled_fds(pid)
    rss: list[int] = []
    for wave in range(WAVES):
        _wave(daemon, kind, abrupt, wave)
        # Nothing more is published: quiet streams must notice by themselves that their client is gone.
        assert wait_for(lambda: subscribers(daemon) == 0), subscribers(daemon)
        assert wait_for(lambda: fd_count(pid) <= baseline_fds), (fd_count(pid), baseline_fds)
        rss.append(rss_kib(pid))
    assert rss[-1] <= rss[0] * 1.10, rss
    print(f"{WAVES}x{PER_WAVE} {kind} subscribers ({'RST' if abrupt else 'FIN'}): fds {baseline_fds}, RSS KiB {rss}")

    # Still serving streams.
    s = _connect(daemon, kind)
    try:
        s.sendall(b"GET /v1.24/events HTTP/1.1\r\nHost: pouchd\r\n\r\n")
        assert _read_head(s).startswith(b"HTTP/1.1 200")
        with daemon.client() as c:
            assert c.post("/daemon/update", json={"Labels": ["after=1"]}).status_code == 200
        assert _read_events(s, 1)[0]["actor"]["Attributes"]["after"] == "1"
    finally:
        s.close()
    assert wait_for(lambda: subscribers(daemon) == 0)
    assert_log_clean(daemon)
