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

Then the replay of the event history: pouchd keeps the last 1,024 events for ``since``, and each
``daemon update`` event carries all the daemon's labels. The history is filled with updates at the
limits on labels (new values each time), then quiet windows alternate with loaded ones in which
1, then 4, clients (bench/replay_readers.py, another process) read ``GET /events?since=0&until=<now>``
(the whole history, then the end of the stream) over and over, as fast as they can.

Targets: no /_ping waits more than 250 ms; each update is answered within 5 s.

The limits (labels, their size, the body) are read from the measured install, so the bench always
sends the largest update that install accepts.
"""

from __future__ import annotations

import functools
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
    Skipped,
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
PING_GAP = 0.002
SUBSCRIBERS = 100
READERS = BENCH_DIR / "event_readers.py"
REPLAY_READERS = BENCH_DIR / "replay_readers.py"
REPLAY_CLIENTS = (1, 4)  # clients replaying the history at once, one set of windows each
# A loaded window lasts until every client has replayed the whole history at least once, and at
# least twice in all (one client alone is quick: its window would hold few pings).
REPLAYS_PER_WINDOW = 2
REPLAY_WINDOW_MAX = 30.0  # seconds: a window ends then even if replays are still running


@dataclass(frozen=True)
class DaemonLimits:
    """What bounds the largest update, as the measured install has it (:func:`daemon_limits`)."""

    max_labels: int  # pouch_common.limits.MAX_LABELS
    max_labels_size: int  # pouch_common.limits.MAX_LABELS_SIZE
    max_label_length: int  # pouch_common.limits.MAX_LABEL_LENGTH
    body_limit: int  # pouchd's default --max-body-size (pouch_server/config.py)
    history: int  # events kept for replay (pouch_server/managers/events.py, EventBus)


# Run by the measured install's interpreter: -I keeps the working directory (perhaps a source
# tree) off sys.path, so the numbers are the install's.
_LIMITS_QUERY = """
import inspect, json
from dataclasses import fields
from pouch_common import limits
from pouch_server.config import DaemonConfig
from pouch_server.managers.events import EventBus
print(json.dumps({
    "max_labels": limits.MAX_LABELS,
    "max_labels_size": limits.MAX_LABELS_SIZE,
    "max_label_length": limits.MAX_LABEL_LENGTH,
    "body_limit": next(f.default for f in fields(DaemonConfig) if f.name == "max_body_size"),
    "history": inspect.signature(EventBus).parameters["history"].default,
}))
"""


@functools.cache
def daemon_limits(python: str) -> DaemonLimits:
    """The limits of the install whose interpreter is ``python`` (the bench runs from the dev venv,
    and may measure another tree: ``--source``). Skipped when that tree has none (an
    earlier version without those limits)."""
    proc = subprocess.run([python, "-I", "-c", _LIMITS_QUERY], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise Skipped(f"cannot read the daemon's limits from the measured install: {proc.stderr.strip()[-300:]}")
    return DaemonLimits(**json.loads(proc.stdout))


def limit_labels(n: int, lim: DaemonLimits, prefix: str = "stall") -> list[str]:
    """The most labels the daemon holds, as large together as it allows (each within the limit on
    one label), with values made from ``n``: a different ``n`` changes every value."""
    count = lim.max_labels
    base, extra = divmod(lim.max_labels_size, count)
    width = len(str(count - 1))
    tag = f"{n}."
    labels = []
    for i in range(count):
        key = f"{prefix}{i:0{width}d}="
        length = min(base + (i < extra), lim.max_label_length) - len(key)
        labels.append(key + (tag * (length // len(tag) + 1))[:length])
    return labels


def largest_update(n: int, lim: DaemonLimits) -> bytes:
    """The largest update accepted: :func:`limit_labels` (the most the daemon holds), and a
    property the daemon ignores, as Go's decoder does, filling the body to its limit with what
    costs the JSON parser most (empty lists)."""
    head = json.dumps({"Labels": limit_labels(n, lim), "Padding": []}).encode()[:-2]
    body = head + b"[]," * ((lim.body_limit - len(head) - 3) // 3) + b"0]}"
    assert len(body) <= lim.body_limit
    return body


class KeepAlive:
    """Requests one after another over one keep-alive unix-socket connection (to fill the history fast)."""

    def __init__(self, sock_path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(str(sock_path))

    def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        """(status, body) of one POST of JSON."""
        self.sock.sendall(
            f"POST {target} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("pouchd closed the connection")
            got += chunk
        head, _, rest = got.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            (int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.strip().lower() == "content-length"), 0
        )
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("pouchd closed the connection")
            rest += chunk
        return int(lines[0].split()[1]), rest[:length]

    def close(self) -> None:
        self.sock.close()


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


def _measure(
    d: PouchD, settings: Settings, lim: DaemonLimits, tag: int
) -> tuple[list[float], list[float], list[float]]:
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
                body = largest_update(tag + rnd * settings.stall_updates + k, lim)
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


def _fill_history(d: PouchD, lim: DaemonLimits) -> float:
    """As many ``daemon update`` events as the history keeps, each with all the labels the daemon
    may hold (new values each time, so every event's labels are strings of their own): seconds taken."""
    conn = KeepAlive(d.sock)
    start = time.perf_counter()
    try:
        for n in range(lim.history):
            status, body = conn.post(
                "/v1.24/daemon/update", json.dumps({"Labels": limit_labels(n, lim, "replay")}).encode()
            )
            if status != 200:
                raise BenchError(f"an update at the label limits was answered {status}: {body[:200]!r}")
    finally:
        conn.close()
    return time.perf_counter() - start


def _replays(log: Path) -> list[tuple[int, float, int]]:
    """The replays bench/replay_readers.py reported so far: (client, seconds, events)."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("replay "):
            _, client, millis, events, _nbytes = line.split()
            out.append((int(client), float(millis) / 1000, int(events)))
    return out


def _measure_replay(
    d: PouchD, settings: Settings, lim: DaemonLimits, work: Path
) -> dict[int, tuple[list[float], list[float], list[float]]]:
    """For each number of clients: (quiet pings, slowest ping per loaded window, replay times)."""
    pinger = Pinger(d.sock)
    pinger.start()
    out: dict[int, tuple[list[float], list[float], list[float]]] = {}
    loaded_for = 0.3
    try:
        time.sleep(0.3)
        for clients in REPLAY_CLIENTS:
            quiet: list[float] = []
            worst: list[float] = []
            times: list[float] = []
            for rnd in range(settings.replay_rounds):
                t0 = time.perf_counter()
                time.sleep(min(max(0.3, loaded_for), 1.0))
                quiet += pinger.between(t0, time.perf_counter())
                log = work / f"replay-{clients}-{rnd}.log"
                t0 = time.perf_counter()
                readers = spawn([installed().python, str(REPLAY_READERS), str(d.sock), str(clients)], log)
                try:
                    while True:
                        done = _replays(log)
                        if len(done) >= REPLAYS_PER_WINDOW and {c for c, _, _ in done} == set(range(clients)):
                            break
                        if readers.poll() is not None:
                            raise BenchError(f"replay readers exited: {log.read_text()[-500:]}")
                        if time.perf_counter() - t0 > REPLAY_WINDOW_MAX:
                            break
                        time.sleep(0.01)
                finally:
                    stop(readers)
                time.sleep(0.05)  # a ping held back by the last replay has started by now
                loaded_for = time.perf_counter() - t0
                loaded = pinger.between(t0, time.perf_counter())
                if not loaded:
                    raise BenchError("no /_ping was sent while the history was replayed")
                worst.append(max(loaded))
                short = [e for _, _, e in done if e != lim.history]
                if short:
                    raise BenchError(f"a replay sent {short[0]} events, not the {lim.history} of a full history")
                times += [t for _, t, _ in done]
            out[clients] = (quiet, worst, times)
    finally:
        pinger.stop()
    return out


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("stall")
    work = ws.subdir("stall")
    lim = daemon_limits(installed().python)
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
                quiet, worst, updates = _measure(d, settings, lim, 0 if variant == "alone" else 5)
            finally:
                if readers is not None:
                    stop(readers)
        label = "" if variant == "alone" else f", {SUBSCRIBERS} /events subscribers"
        floor = percentile(quiet, 99)
        slowest = max(worst)
        rows.append(
            Row(
                "stall",
                f"slowest /_ping during the largest update{label} (floor: quiet p99)",
                ms(slowest),
                ms(floor),
                slowest / floor,
                f"≤ {TARGET_PING * 1000:.0f} ms",
                slowest <= TARGET_PING,
            )
        )
        rows.append(
            Row(
                "stall",
                f"largest update answered, slowest{label}",
                ms(max(updates)),
                "",
                None,
                f"≤ {TARGET_UPDATE:.0f} s",
                max(updates) <= TARGET_UPDATE,
            )
        )
        result.samples[f"{variant}: slowest /_ping per loaded window (ms)"] = [round(x * 1000, 2) for x in worst]
        result.samples[f"{variant}: update round trips (ms)"] = [round(x * 1000, 1) for x in updates]
        result.samples[f"{variant}: quiet /_ping p50/p99/max (ms)"] = [
            round(percentile(quiet, 50) * 1000, 3),
            round(floor * 1000, 3),
            round(max(quiet) * 1000, 3),
        ]
    with PouchD(work, "stall-replay", tcp=False) as d:
        d.start()
        fill = _fill_history(d, lim)
        replays = _measure_replay(d, settings, lim, work)
    result.samples["replay: filling the history (s)"] = [round(fill, 2)]
    for clients, (quiet, worst, times) in replays.items():
        label = f"{clients} client{'s' if clients > 1 else ''}"
        floor = percentile(quiet, 99)
        slowest = max(worst)
        rows.append(
            Row(
                "stall",
                f"slowest /_ping during event history replay ({lim.history} events), {label} (floor: quiet p99)",
                ms(slowest),
                ms(floor),
                slowest / floor,
                f"≤ {TARGET_PING * 1000:.0f} ms",
                slowest <= TARGET_PING,
            )
        )
        rows.append(Row("stall", f"one replay of the history, median, {label} (info)", ms(percentile(times, 50))))
        result.samples[f"replay, {label}: slowest /_ping per loaded window (ms)"] = [round(x * 1000, 2) for x in worst]
        result.samples[f"replay, {label}: one replay (ms)"] = [round(x * 1000, 1) for x in times]
        result.samples[f"replay, {label}: quiet /_ping p50/p99/max (ms)"] = [
            round(percentile(quiet, 50) * 1000, 3),
            round(floor * 1000, 3),
            round(max(quiet) * 1000, 3),
        ]
    result.rows = rows
    result.notes.append(
        f"{settings.stall_rounds} rounds of a quiet window then {settings.stall_updates} back-to-back "
        f"POST /v1.24/daemon/update of {lim.max_labels} labels ({lim.max_labels_size / 1024:g} Ki characters) in a "
        f"{lim.body_limit / 1024:g} KiB body filled by an ignored property of empty lists (the largest accepted, "
        "limits read from the measured install), pinging GET /_ping over one keep-alive unix-socket connection "
        f"every {PING_GAP * 1000:.0f} ms throughout; figure = slowest ping started in a loaded window, floor = p99 "
        f"of the quiet windows. Then the same with {SUBSCRIBERS} /events streams read by another process. "
        f"Then history replay: {lim.history} updates of {lim.max_labels} labels ({lim.max_labels_size / 1024:g} Ki "
        f"characters, new values each) fill the history; {settings.replay_rounds} rounds each of a quiet window "
        f"then a loaded one in which {' then '.join(map(str, REPLAY_CLIENTS))} clients (another process) read "
        "GET /v1.24/events?since=0&until=<now> to its end and again, until each has done so once and "
        f"{REPLAYS_PER_WINDOW} replays are done in all (at most {REPLAY_WINDOW_MAX:.0f} s); same pinger, same "
        "figure and floor."
    )
    return result
