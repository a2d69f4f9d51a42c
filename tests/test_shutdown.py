"""SIGTERM and SIGINT on a real pouchd: it stops accepting, finishes the requests in flight, sends
``daemon stop`` to live event streams and ends them cleanly, removes its socket and pidfile, exits 0
within its grace period, and keeps every update it answered 200. A start that fails releases what
it had taken (the pidfile, the sockets).

Raw sockets throughout, so that "no answer at all", "a truncated answer" and "a reset" can be told
apart (an HTTP client library folds them together). Already covered elsewhere, not repeated here:
SIGKILL durability rounds (test_daemon_update.py), the CLI seeing ``daemon stop`` (test_events.py),
stale and live sockets at start (test_core.py).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import PouchD, info, pouchd_command, subscribers, wait_for

Kind = str  # "unix" or "tcp"
KINDS: tuple[Kind, ...] = ("unix", "tcp")


class Truncated(AssertionError):
    """The peer closed the connection in the middle of a response."""


class Conn:
    """One client connection, with a read buffer and a small HTTP/1.1 response parser."""

    def __init__(self, d: PouchD, kind: Kind, timeout: float = 20.0) -> None:
        if kind == "unix":
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(str(d.sock))
            except OSError:
                self.sock.close()
                raise
        else:
            assert d.port is not None
            self.sock = socket.create_connection(("127.0.0.1", d.port), timeout=timeout)
        self.buf = b""
        self.received = 0  # bytes of the current response read so far (buffer included)

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(1 << 16)
        self.buf += chunk
        self.received += len(chunk)
        return bool(chunk)

    def _until(self, sep: bytes) -> bytes:
        for _ in range(100_000):
            i = self.buf.find(sep)
            if i >= 0:
                out, self.buf = self.buf[:i], self.buf[i + len(sep) :]
                return out
            if not self._fill():
                raise Truncated(f"EOF before {sep!r}; have {self.buf[:200]!r}")
        raise AssertionError("no separator in 100000 reads")

    def _exact(self, n: int) -> bytes:
        for _ in range(100_000):
            if len(self.buf) >= n:
                out, self.buf = self.buf[:n], self.buf[n:]
                return out
            if not self._fill():
                raise Truncated(f"EOF after {len(self.buf)} of {n} body bytes")
        raise AssertionError("body not complete in 100000 reads")

    def head(self) -> tuple[int, dict[str, str]]:
        """Status and headers of the next final (non-1xx) response."""
        for _ in range(10):
            lines = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
            version, status, *_ = lines[0].split(" ", 2)
            assert version == "HTTP/1.1", lines[0]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if not 100 <= int(status) < 200:
                return int(status), headers
        raise AssertionError("too many interim responses")

    def interim(self) -> int:
        """Wait for an interim response (``100 Continue``) and return its status."""
        line = self._until(b"\r\n\r\n").decode("latin-1")
        return int(line.split(" ", 2)[1])

    def chunks(self) -> Iterator[bytes]:
        """The chunks of a chunked body, up to and including its last-chunk (which is not yielded)."""
        for _ in range(1_000_000):
            size = int(self._until(b"\r\n").split(b";")[0], 16)
            data = self._exact(size)
            assert self._exact(2) == b"\r\n"
            if size == 0:
                return
            yield data
        raise AssertionError("more than a million chunks")

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """A whole response: status, headers and body (Content-Length or chunked)."""
        self.received = len(self.buf)
        status, headers = self.head()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status, headers, b"".join(self.chunks())
        return status, headers, self._exact(int(headers.get("content-length", "0")))

    def at_eof(self) -> bool:
        """True on an orderly end of stream (FIN) with nothing unread; a reset raises."""
        return not self.buf and not self._fill()


def request_bytes(
    method: str, path: str, body: bytes | None = None, *, close: bool = False, expect: bool = False
) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: pouchd\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    if expect:
        head += "Expect: 100-continue\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + (b"" if expect or body is None else body)


def update_body(*labels: str) -> bytes:
    return json.dumps({"Labels": list(labels)}).encode()


def open_stream(d: PouchD, kind: Kind, query: str = "") -> Conn:
    """A live GET /events whose response has begun (so the daemon has subscribed it)."""
    c = Conn(d, kind)
    c.send(request_bytes("GET", f"/v1.24/events{query}"))
    status, headers = c.head()
    assert status == 200 and headers.get("transfer-encoding") == "chunked", (status, headers)
    return c


def stream_events(c: Conn) -> list[dict]:
    """Every event of a stream up to its clean end: the last chunk, then FIN (not a reset)."""
    lines = b"".join(c.chunks()).splitlines()
    assert c.at_eof(), "data after the end of the stream"
    return [json.loads(line) for line in lines if line.strip()]


def refused(d: PouchD, kind: Kind) -> bool:
    """Whether a new connection is turned away (refused, or closed without a single byte).

    A connection that gets through is used for one /_ping, which must be answered in full.
    """
    try:
        c = Conn(d, kind, timeout=5)
    except OSError:
        return True
    try:
        try:
            c.send(request_bytes("GET", "/_ping", close=True))
            status, _, body = c.response()
        except (Truncated, ConnectionResetError, BrokenPipeError):
            if c.received:
                raise
            return True  # accepted just before the listener closed, then shut without an answer
        assert (status, body) == (200, b"OK")
        return False
    finally:
        c.close()


def start_inflight_update(d: PouchD, kind: Kind, label: str) -> tuple[Conn, bytes]:
    """A POST /daemon/update that the daemon is handling, waiting for its body.

    ``Expect: 100-continue`` makes the wait observable: uvicorn sends ``100 Continue`` when the
    application first reads the body, so the request is past routing and inside the handler chain.
    """
    body = update_body(label)
    c = Conn(d, kind)
    c.send(request_bytes("POST", "/v1.24/daemon/update", body, expect=True))
    assert c.interim() == 100
    return c, body


def assert_clean_exit(d: PouchD, rc: int, *extra_files: Path) -> str:
    """Exit 0, socket and extra files removed, no traceback; returns the log of this run."""
    logs = d.logs()
    assert rc == 0, logs
    assert not d.sock.exists(), "unix socket left behind"
    for path in extra_files:
        assert not path.exists(), f"{path.name} left behind"
    assert "Traceback" not in logs and " ERROR " not in logs, logs
    return logs


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_in_flight_requests_and_ends_streams(pouchd_factory, tmp_path: Path, sig: int) -> None:
    pidfile = tmp_path / "pouchd.pid"
    d: PouchD = pouchd_factory("--pidfile", str(pidfile))
    assert d.proc is not None
    assert pidfile.read_text().strip() == str(d.proc.pid)
    with d.client() as c:
        assert c.post("/daemon/update", json={"Labels": ["before=1"]}).status_code == 200

    streams = [open_stream(d, kind) for kind in KINDS * 2]
    filtered = open_stream(d, "tcp", "?filters=" + quote(json.dumps({"type": ["daemon"], "event": ["stop"]})))
    assert wait_for(lambda: subscribers(d) == 5), subscribers(d)
    with d.client() as c:
        assert c.post("/daemon/update", json={"Labels": ["mid=1"]}).status_code == 200
    inflight = [start_inflight_update(d, kind, f"inflight{i}=yes") for i, kind in enumerate(KINDS * 4)]

    d.proc.send_signal(sig)

    # Live streams get `daemon stop` and end, without waiting for the requests still in flight.
    for s in streams:
        events = stream_events(s)
        assert [(e["type"], e["action"]) for e in events] == [("daemon", "update"), ("daemon", "stop")], events
        assert events[0]["actor"]["Attributes"]["mid"] == "1"
        s.close()
    assert [e["action"] for e in stream_events(filtered)] == ["stop"]
    filtered.close()
    assert d.proc.poll() is None, "exited with requests in flight"

    # No new connection is accepted any more, on either listener, while those requests run.
    for kind in KINDS:
        assert wait_for(lambda kind=kind: refused(d, kind), timeout=5), f"{kind} listener still accepting"
    assert d.proc.poll() is None, "exited with requests in flight"

    # Each request in flight is finished: a complete 200, then the connection is closed (FIN).
    for c, body in inflight:
        c.send(body)
        status, headers, _ = c.response()
        assert status == 200, headers
        assert headers.get("connection") == "close"
        assert c.at_eof()
        c.close()

    rc = d.proc.wait(15)
    logs = assert_clean_exit(d, rc, pidfile)
    assert "pouchd shutting down" in logs
    d.stop()

    # Every update answered 200, including those answered during shutdown, is there after a restart.
    d.start()
    labels = info(d)["Labels"]
    assert {"before=1", "mid=1", *(f"inflight{i}=yes" for i in range(len(inflight)))} <= set(labels), labels


def _client_loop(d: PouchD, kind: Kind, make_request, stop: threading.Event, out: dict[str, list]) -> None:
    """Send requests until the daemon turns us away; sort every attempt into served/unserved/broken.

    Unserved means not a single byte of response: the connection was refused, or closed (or reset)
    before a request it had not started to handle. A truncated or non-200 response is broken.
    """
    conn: Conn | None = None
    try:
        for i in range(100_000):
            if stop.is_set():
                return
            if conn is None:
                try:
                    conn = Conn(d, kind, timeout=20)
                except OSError:
                    out["refused"].append(kind)
                    return
            req, tag = make_request(i)
            try:
                conn.send(req)
                status, headers, body = conn.response()
            except (Truncated, ConnectionResetError, BrokenPipeError) as e:
                if conn.received:
                    out["broken"].append(f"{kind}: truncated after {conn.received} bytes: {e!r}")
                else:
                    out["unserved"].append(tag)
                conn.close()
                conn = None
                continue
            if status != 200:
                out["broken"].append(f"{kind}: status {status}: {body[:200]!r}")
            else:
                out["served"].append(tag)
            if headers.get("connection") == "close":
                assert conn.at_eof()
                conn.close()
                conn = None
    except Exception as e:  # reported by the test
        out["broken"].append(f"{kind}: {e!r}")
    finally:
        if conn is not None:
            conn.close()


def test_requests_racing_the_signal_are_answered_in_full_or_not_at_all(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    assert d.proc is not None
    out: dict[str, list] = {"served": [], "unserved": [], "broken": [], "refused": []}
    stop = threading.Event()

    def info_request(i: int) -> tuple[bytes, str]:  # a new connection per request
        return request_bytes("GET", "/v1.24/info", close=True), "info"

    def update_request(worker: int):  # keep-alive, one label per request
        def make(i: int) -> tuple[bytes, str]:
            label = f"race{worker}n{i}=v"
            return request_bytes("POST", "/v1.24/daemon/update", update_body(label)), label

        return make

    threads = [
        threading.Thread(target=_client_loop, args=(d, KINDS[i % 2], info_request, stop, out)) for i in range(12)
    ]
    threads += [
        threading.Thread(target=_client_loop, args=(d, KINDS[i % 2], update_request(i), stop, out)) for i in range(4)
    ]
    for t in threads:
        t.start()
    try:
        # Signal once requests of both kinds are flowing.
        def flowing() -> bool:
            n_info = out["served"].count("info")
            return n_info >= 50 and len(out["served"]) - n_info >= 20

        assert wait_for(flowing, timeout=30), out["broken"][:5]
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(20)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert not out["broken"], out["broken"][:5]
    assert len(out["refused"]) == len(threads), "every client ends up refused"  # and none hangs
    assert_clean_exit(d, rc)
    d.stop()

    acked = [tag for tag in out["served"] if tag != "info"]
    unanswered = [tag for tag in out["unserved"] if tag != "info"]
    print(f"served {len(out['served'])} ({len(acked)} updates), unserved {len(out['unserved'])}")
    assert acked
    d.start()
    labels = set(info(d)["Labels"])
    assert [label for label in acked if label not in labels] == []  # every 200 was kept
    assert [label for label in unanswered if label in labels] == []  # nothing applied went unanswered


def test_stop_is_bounded_with_a_client_that_never_reads(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    assert d.proc is not None
    stuck = open_stream(d, "unix")  # subscribed, never read again
    reader = open_stream(d, "tcp")
    received: list[bytes] = []
    drained = threading.Event()

    def drain() -> None:  # a well-behaved client next to the stuck one
        try:
            for chunk in reader.chunks():
                received.append(chunk)
            received.append(b"EOF" if reader.at_eof() else b"MORE")
        finally:
            drained.set()

    follower = threading.Thread(target=drain, daemon=True)
    follower.start()
    # Labels accumulate and each `daemon update` event carries all of them: ~1.2 MB in total for
    # the stuck stream, far beyond what the socket buffers hold, so its writes block.
    pad = "v" * 1000
    with d.client() as c:
        for i in range(48):
            assert c.post("/daemon/update", json={"Labels": [f"k{i}={pad}"]}).status_code == 200
    try:
        start = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        assert drained.wait(15), "the reading client's stream did not end"
        assert received[-1] == b"EOF"
        events = [json.loads(line) for chunk in received[:-1] for line in chunk.splitlines() if line.strip()]
        assert [e["action"] for e in events] == ["update"] * 48 + ["stop"]
        rc = d.proc.wait(20)
        elapsed = time.monotonic() - start
    finally:
        stuck.close()
        reader.close()
    print(f"exit {elapsed:.1f}s after SIGTERM with a stuck event stream")
    # The stuck client is cut off about a second after shutdown begins (pouch_server/protocol.py),
    # well before the 10 s grace period would end; nothing is cancelled, nothing logged as an error.
    assert elapsed < 6, elapsed
    assert rc == 0, d.logs()
    assert not d.sock.exists()
    assert "not reading its response at shutdown" in d.logs()
    assert "ERROR" not in d.logs() and "Traceback" not in d.logs()
    d.stop()


def test_second_signal_stops_without_waiting_for_open_requests(pouchd_factory) -> None:
    """A request whose body never arrives holds a graceful stop (up to --body-timeout, 60 s here);
    a second SIGINT, as a second Ctrl-C, ends the wait."""
    d: PouchD = pouchd_factory("--body-timeout", "60")
    assert d.proc is not None
    conn = Conn(d, "unix")
    try:
        conn.send(
            b"POST /daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"Labels": '
        )
        time.sleep(0.3)
        d.proc.send_signal(signal.SIGINT)
        time.sleep(1.5)
        assert d.proc.poll() is None, "the first signal should wait for the request in flight"
        start = time.monotonic()
        d.proc.send_signal(signal.SIGINT)
        rc = d.proc.wait(10)
        elapsed = time.monotonic() - start
    finally:
        conn.close()
    assert elapsed < 5, elapsed
    assert rc == 0, d.logs()
    assert "stopping now" in d.logs()
    assert not d.sock.exists()
    d.stop()


# ---- a start that fails ------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["home directory", "certificate"])
def test_a_failed_start_releases_what_it_had_taken(tmp_path: Path, failure: str) -> None:
    """The pidfile is written and the listeners bound before the home directory is used and TLS is
    set up: a failure in either releases both (pouch_server/daemon.py's Lifecycle)."""
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    home = tmp_path / "home"
    if failure == "home directory":
        home.write_text("a file where the home directory should be")
    pidfile, sock = tmp_path / "pouchd.pid", tmp_path / "pouchd.sock"
    argv = pouchd_command(
        "--config-file",
        "",
        "--home-dir",
        str(home),
        "--pidfile",
        str(pidfile),
        "-l",
        f"unix://{sock}",
        "-l",
        "tcp://127.0.0.1:0",
    )
    if failure == "certificate":
        argv += ["--tlscert", str(bad), "--tlskey", str(bad)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(
        "Error: cannot set up TLS: " if failure == "certificate" else f"Error: cannot use home directory {home}: "
    ), r.stderr
    assert not pidfile.exists() and not sock.exists()
