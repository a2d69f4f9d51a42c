"""6. Stall: the slowest /_ping while the largest accepted request is in flight.

pouchd (production mode) on a unix socket. A pinger thread sends ``GET /_ping`` on a keep-alive
connection of its own, one after another 2 ms apart, and records each round trip with its start.
Windows alternate:

- quiet: pings alone, as long as a loaded window and at least 0.3 s; their p99 is the floor (/_ping's
  normal tail on this machine at this moment);
- loaded: the largest update the daemon accepts, ``POST /daemon/update`` with 256 labels of 64 Ki
  characters together (the most it holds) in a body filled to the 1 MiB limit by a property it
  ignores (as Go's decoder does) made of what costs the JSON parser most; sent several times back
  to back on another connection, each with new values. The figure is the slowest ping that
  started during the window.

The same again with 100 ``GET /events`` subscribers (read by a separate process,
bench/event_readers.py), each of which is sent every update's event: all 64 Ki characters of labels.
Targets (issue 11): no /_ping waits more than 250 ms; each update is answered within 5 s.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    BENCH_DIR,
    BenchError,
    PouchD,
    Result,
    Row,
    Settings,
    Workspace,
    http_unix,
    installed,
    ms,
    percentile,
    spawn,
    stop,
)

TARGET_PING = 0.250  # seconds
TARGET_UPDATE = 5.0
MAX_LABELS = 256  # pouch_common/limits.py (the bench imports nothing of the project)
MAX_LABELS_SIZE = 64 * 1024
BODY_LIMIT = 1024 * 1024
PING_GAP = 0.002
SUBSCRIBERS = 100
READERS = BENCH_DIR / "event_readers.py"


def largest_update(n: int) -> bytes:
    """The largest update accepted: 256 labels of 64 Ki characters together (the most the daemon
    holds), values changing with ``n``, and a property the daemon ignores, as Go's decoder does,
    filling the body to its 1 MiB limit with what costs the JSON parser most (empty lists)."""
    size = MAX_LABELS_SIZE // MAX_LABELS
    labels = [f"stall{i:03d}=" + str(n % 10) * (size - 9) for i in range(MAX_LABELS)]
    head = json.dumps({"Labels": labels, "Padding": []}).encode()[:-2]
    body = head + b"[]," * ((BODY_LIMIT - len(head) - 3) // 3) + b"0]}"
    assert len(body) <= BODY_LIMIT
    return body


@dataclass
class Pinger:
    """Pings over one keep-alive connection in a thread: (start, round trip) pairs."""

    sock_path: Path
    samples: list[tuple[float, float]] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        if self.error is not None:
            raise BenchError(f"pinger: {self.error}")

    def _run(self) -> None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(30)
                s.connect(str(self.sock_path))
                while not self._stop.is_set():
                    start = time.perf_counter()
                    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
                    got = b""
                    while not got.endswith(b"\r\n\r\nOK"):
                        chunk = s.recv(4096)
                        if not chunk:
                            raise OSError("connection closed")
                        got += chunk
                    if not got.startswith(b"HTTP/1.1 200"):
                        raise OSError(f"unexpected answer {got[:100]!r}")
                    self.samples.append((start, time.perf_counter() - start))
                    self._stop.wait(PING_GAP)
        except BaseException as e:  # reported by stop()
            self.error = e

    def between(self, t0: float, t1: float) -> list[float]:
        return [rtt for start, rtt in list(self.samples) if t0 <= start <= t1]


def _measure(d: PouchD, settings: Settings, tag: int) -> tuple[list[float], list[float], list[float]]:
    """Alternating quiet and loaded windows: (quiet pings, slowest ping per loaded window, update times)."""
    pinger = Pinger(d.sock)
    pinger.start()
    quiet: list[float] = []
    worst: list[float] = []
    updates: list[float] = []
    try:
        time.sleep(0.3)
        for rnd in range(settings.stall_rounds):
            window = max(0.3, max(updates, default=0.0) * settings.stall_updates)
            t0 = time.perf_counter()
            time.sleep(window)
            quiet += pinger.between(t0, time.perf_counter())
            t0 = time.perf_counter()
            for k in range(settings.stall_updates):
                body = largest_update(tag + rnd * settings.stall_updates + k)
                start = time.perf_counter()
                r = http_unix(d.sock, "POST", "/v1.24/daemon/update", body, timeout=60)
                updates.append(time.perf_counter() - start)
                if r.status != 200:
                    raise BenchError(f"the largest update was answered {r.status}: {r.body[:200]!r}")
            time.sleep(0.05)  # a ping held back by the last update has started by now
            loaded = pinger.between(t0, time.perf_counter())
            if not loaded:
                raise BenchError("no /_ping was sent while the updates ran")
            worst.append(max(loaded))
    finally:
        pinger.stop()
    return quiet, worst, updates


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("stall")
    work = ws.subdir("stall")
    rows: list[Row] = []
    for variant in ("alone", "subscribers"):
        with PouchD(work, f"stall-{variant}", tcp=False) as d:
            d.start()
            readers: subprocess.Popen[bytes] | None = None
            if variant == "subscribers":
                log = work / "readers.log"
                readers = spawn([installed().python, str(READERS), str(d.sock), str(SUBSCRIBERS)], log)
                deadline = time.monotonic() + 30
                while b"ready" not in log.read_bytes():
                    if readers.poll() is not None or time.monotonic() > deadline:
                        raise BenchError(f"event readers did not start: {log.read_text()[-500:]}")
                    time.sleep(0.05)
            try:
                quiet, worst, updates = _measure(d, settings, 0 if variant == "alone" else 5)
            finally:
                if readers is not None:
                    stop(readers)
        label = "" if variant == "alone" else f", {SUBSCRIBERS} /events subscribers"
        floor = percentile(quiet, 99)
        slowest = max(worst)
        rows.append(Row("stall", f"slowest /_ping during the largest update{label} (floor: quiet p99)",
                        ms(slowest), ms(floor), slowest / floor, f"≤ {TARGET_PING * 1000:.0f} ms",
                        slowest <= TARGET_PING))
        rows.append(Row("stall", f"largest update answered, slowest{label}", ms(max(updates)), "", None,
                        f"≤ {TARGET_UPDATE:.0f} s", max(updates) <= TARGET_UPDATE))
        result.samples[f"{variant}: slowest /_ping per loaded window (ms)"] = [round(x * 1000, 2) for x in worst]
        result.samples[f"{variant}: update round trips (ms)"] = [round(x * 1000, 1) for x in updates]
        result.samples[f"{variant}: quiet /_ping p50/p99/max (ms)"] = [
            round(percentile(quiet, 50) * 1000, 3), round(floor * 1000, 3), round(max(quiet) * 1000, 3)]
    result.rows = rows
    result.notes.append(
        f"{settings.stall_rounds} rounds of a quiet window then {settings.stall_updates} back-to-back "
        f"POST /v1.24/daemon/update of {MAX_LABELS} labels ({MAX_LABELS_SIZE // 1024} Ki characters) in a "
        f"{BODY_LIMIT // 1024} KiB body filled by an ignored property of empty lists (the largest accepted), "
        "pinging GET /_ping over one keep-alive unix-socket connection every "
        f"{PING_GAP * 1000:.0f} ms throughout; figure = slowest ping started in a loaded window, floor = p99 "
        f"of the quiet windows. Then the same with {SUBSCRIBERS} /events streams read by another process.")
    return result

