"""Load and leaks on loopback: concurrent clients, event subscribers that come and go.

No timing assertions: only errors, statuses and resource baselines (RSS, open descriptors, the
subscriber gauge), with bounded loops.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import PouchD


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def subscribers(d: PouchD) -> float:
    for line in d.client().get("/metrics").text.splitlines():
        if line.startswith("pouchd_event_subscribers "):
            return float(line.split()[1])
    raise AssertionError("no subscriber gauge")


@pytest.fixture
def daemon(pouchd_factory) -> PouchD:
    # Production mode (no response validation), as a loaded daemon runs.
    d: PouchD = pouchd_factory(start=False)
    d.argv = lambda: [a for a in PouchD.argv(d) if a != "--validate-responses"]  # type: ignore[method-assign]
    return d.start()


@pytest.mark.slow
def test_64_concurrent_connections_on_info(daemon: PouchD) -> None:
    pid = daemon.proc.pid
    url = f"{daemon.tcp_url}/v1.24/info"
    errors: list[str] = []
    counts: list[int] = []

    def worker(stop_at: float) -> None:
        n = 0
        with httpx.Client(timeout=20) as c:
            while time.monotonic() < stop_at:
                try:
                    r = c.get(url)
                    if r.status_code != 200:
                        errors.append(f"status {r.status_code}")
                    n += 1
                except httpx.HTTPError as e:
                    errors.append(repr(e))
        counts.append(n)

    baseline_fds = fd_count(pid)
    rss: list[int] = []
    for _ in range(3):
        stop_at = time.monotonic() + 3
        threads = [threading.Thread(target=worker, args=(stop_at,)) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors[:5]
        # Keep-alive connections are closed by the clients: descriptors go back to the baseline.
        assert wait_for(lambda: fd_count(pid) <= baseline_fds + 2), (fd_count(pid), baseline_fds)
        rss.append(rss_kib(pid))
    assert sum(counts) > 64 * 3
    assert rss[-1] <= rss[1] * 1.10, rss  # stable after the first round has warmed caches


def _subscribe_wave(d: PouchD, n: int, abrupt: bool) -> None:
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(str(d.sock))
        s.sendall(b"GET /v1.24/events HTTP/1.1\r\nHost: d\r\n\r\n")
        socks.append(s)
    for s in socks:
        assert s.recv(12).startswith(b"HTTP/1.1 200")
    assert wait_for(lambda: subscribers(d) >= n), subscribers(d)
    for s in socks:
        if abrupt:  # RST instead of FIN
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


@pytest.mark.slow
@pytest.mark.parametrize("abrupt", [False, True])
def test_subscribers_that_come_and_go_leave_nothing_behind(daemon: PouchD, abrupt: bool) -> None:
    pid = daemon.proc.pid
    baseline_fds = fd_count(pid)
    for _ in range(3):
        _subscribe_wave(daemon, 110, abrupt)
        # No event is published: a quiet stream must notice its client is gone by itself.
        assert wait_for(lambda: subscribers(daemon) == 0), subscribers(daemon)
        assert wait_for(lambda: fd_count(pid) <= baseline_fds + 2), (fd_count(pid), baseline_fds)
    assert daemon.client().get("/_ping").text == "OK"
