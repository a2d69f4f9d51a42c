"""Shared pieces of the benchmarks: results, statistics, raw HTTP probes and the processes under test.

Every process a benchmark starts goes through :func:`spawn`, which records it; :func:`stop_all`
(run by the runner in ``finally``, and at exit) ends whatever is still running.
"""

from __future__ import annotations

import atexit
import base64
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

from bench.install import Install
from pouch_testing import pouchd
from pouch_testing.pouchd import free_port
from pouch_testing.process import NotReady

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
BARE_APP = BENCH_DIR / "bare_app.py"
CONNEXION_APP = BENCH_DIR / "connexion_app.py"
POUCHD_NOFREEZE = BENCH_DIR / "pouchd_nofreeze.py"
NOFREEZE_MARK = "bench: gc.freeze() skipped"  # what bench/pouchd_nofreeze.py prints (it imports nothing of the bench)
SPEC = BENCH_DIR.parent / "api" / "swagger.yaml"
WRK = Path("/usr/bin/wrk")

# Endpoints served by both pouchd and the bare app (the bare app with pouchd's captured bytes).
ENDPOINTS = ("/v1.24/version", "/v1.24/info", "/_ping")
X = "\u00d7"  # the multiplication sign of ratios (written escaped: ruff RUF001)
# Response headers that differ per request or are computed by the server itself; everything
# else (content-type, api-version, server, cache-control, ...) is copied to the bare app.
_DYNAMIC_HEADERS = {"date", "content-length", "x-request-id", "transfer-encoding", "connection"}


class BenchError(Exception):
    """The benchmark could not run (as opposed to a missed target, which is only reported)."""


class Skipped(Exception):
    """The benchmark cannot run on this machine (e.g. wrk is missing); the message says why."""


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class Row:
    """One line of the results table: a figure, its floor from the same run, and its target."""

    bench: str
    metric: str
    value: str
    floor: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target

    @property
    def mark(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "MISS")


@dataclass
class Result:
    """What one benchmark produced: table rows, raw samples and notes for RESULTS.md."""

    name: str
    rows: list[Row] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Settings:
    """Sizes of one run; ``quick`` shrinks every loop but keeps the same procedure."""

    quick: bool = False
    cli_runs: int = 21
    wrk_seconds: int = 3
    wrk_rounds: int = 3
    wrk_tail_rounds: int = 5  # at the most connections, where p99 is judged: its median needs more runs
    wrk_connections: tuple[int, ...] = (16, 64)
    startup_runs: int = 9
    memory_requests: int = 20_000
    events_subscribers: int = 100
    events_reps: int = 20
    stall_rounds: int = 6
    stall_updates: int = 4
    replay_rounds: int = 2  # the stall benchmark's history-replay windows, per number of readers
    other_cli: str | None = None  # a command line to compare `pouch version` with (bench/cli_bench.py)

    @classmethod
    def make(cls, quick: bool, other_cli: str | None = None) -> Settings:
        if not quick:
            return cls(other_cli=other_cli)
        return cls(
            quick=True,
            cli_runs=6,
            wrk_seconds=1,
            wrk_rounds=2,
            wrk_tail_rounds=2,
            startup_runs=4,
            events_reps=8,
            stall_rounds=3,
            replay_rounds=1,
            other_cli=other_cli,
        )


@dataclass(frozen=True)
class CpuPlan:
    """Where a load test runs: the servers on one CPU and the load generator on the others, one
    thread per CPU, so that the server under load never waits for the CPU behind the load
    generator (the same for every server measured). With one usable CPU everything shares it."""

    servers: frozenset[int] | None
    clients: frozenset[int] | None
    client_threads: int

    @classmethod
    def make(cls) -> CpuPlan:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls(None, None, 2)
        return cls(frozenset(cpus[:1]), frozenset(cpus[1:]), len(cpus) - 1)

    def describe(self) -> str:
        if self.servers is None or self.clients is None:
            return "one usable CPU: servers and wrk share it"
        return (
            f"servers pinned to CPU {','.join(map(str, sorted(self.servers)))}, "
            f"wrk to CPU {','.join(map(str, sorted(self.clients)))}"
        )


def pin(pid: int, cpus: frozenset[int] | None) -> None:
    """Pin every thread of a running process to ``cpus`` (the threads it starts later inherit it)."""
    if cpus is None:
        return
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except ProcessLookupError:  # a thread that has just ended
            pass


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def percentile(xs: list[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default), ``p`` in 0..100."""
    if not xs:
        return math.nan
    s = sorted(xs)
    k = (len(s) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ---------------------------------------------------------------------------------------------
# processes


_procs: list[subprocess.Popen[bytes]] = []


def spawn(argv: list[str], log_path: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start a process with stdout and stderr to ``log_path``, and remember it for :func:`stop_all`."""
    log = open(log_path, "ab")  # the child keeps its own copy of the fd
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, **kwargs
        )
    finally:
        log.close()
    _procs.append(proc)
    return proc


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; reaps the process."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        except ProcessLookupError:
            pass
    if proc in _procs:
        _procs.remove(proc)


def stop_all() -> None:
    """Stop every process :func:`spawn` started that is still running (idempotent)."""
    for proc in list(_procs):
        try:
            stop(proc, timeout=5.0)
        except Exception as e:  # keep going: the others must be stopped too
            print(f"bench: could not stop pid {proc.pid}: {e}", file=sys.stderr)


atexit.register(stop_all)


def rss_bytes(pid: int) -> int:
    """VmRSS of ``pid`` from /proc/PID/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise BenchError(f"no VmRSS for pid {pid}")


# ---------------------------------------------------------------------------------------------
# raw HTTP over a unix socket (no client library: cheap enough to poll every few ms)


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_unix(sock_path: Path | str, method: str, target: str, body: bytes = b"", timeout: float = 5.0) -> RawResponse:
    """One ``Connection: close`` request over a unix socket; raises OSError if it cannot connect."""
    head = f"{method} {target} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(sock_path))
        s.sendall(head.encode() + b"\r\n" + body)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    raw = b"".join(chunks)
    head_bytes, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        raise OSError(f"incomplete response from {sock_path}")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:])]
    length = next((int(v) for k, v in headers if k == "content-length"), None)
    return RawResponse(status, headers, rest if length is None else rest[:length])


def wait_http_ok(
    sock_path: Path, proc: subprocess.Popen[bytes], deadline: float, interval: float = 0.005, target: str = "/_ping"
) -> float:
    """Poll ``GET target`` every ``interval`` seconds until a 200; returns the monotonic time of it.

    Raises BenchError if the process exits or ``deadline`` (a ``time.monotonic()`` value) passes.
    """
    while True:
        if proc.poll() is not None:
            command = proc.args[0] if isinstance(proc.args, list) else proc.args
            raise BenchError(f"{command!s} exited with {proc.returncode} before answering")
        try:
            if http_unix(sock_path, "GET", target, timeout=max(0.1, deadline - time.monotonic())).status == 200:
                return time.monotonic()
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"no answer on {sock_path} in time")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# servers under test


class Server:
    """A floor's process (bare app, plain connexion app) on a unix socket and (optionally) a TCP port of
    127.0.0.1; pouchd itself is :class:`PouchD`, from pouch_testing/pouchd.py."""

    kind = "server"

    def __init__(self, workdir: Path, name: str, tcp: bool = True) -> None:
        self.workdir = workdir
        self.name = name
        self.sock = workdir / f"{name}.sock"
        self.port = free_port() if tcp else None
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, wait: bool = True, timeout: float = 30.0) -> Server:
        if self.sock.exists():
            self.sock.unlink()
        self.proc = spawn(self.argv(), self.log_path)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> float:
        assert self.proc is not None
        try:
            return wait_http_ok(self.sock, self.proc, time.monotonic() + timeout)
        except BenchError as e:
            raise BenchError(f"{self.kind}: {e}\n--- {self.log_path} ---\n{self.log_tail()}") from None

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PouchD(pouchd.PouchD):
    """pouchd from the bench's install in production mode (no --validate-responses), with its own
    home directory; every start is recorded for :func:`stop_all`."""

    def __init__(self, workdir: Path, name: str = "pouchd", tcp: bool = True, home: Path | None = None) -> None:
        # An empty config file of its own rather than `--config-file ""`: a tree measured with
        # --source from before pouchd took "" for "none" starts too, and neither reads the host's.
        no_config = workdir / "no-config.json"
        no_config.write_text("{}")
        super().__init__(
            workdir, executable=installed().pouchd, name=name, tcp=tcp, home=home, config_file=str(no_config)
        )

    def _popen(self, argv: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
        proc = super()._popen(argv, log)
        _procs.append(proc)
        return proc

    def wait_ready(self, timeout: float = 30.0, interval: float = 0.005) -> float:
        try:
            return super().wait_ready(timeout, interval)
        except NotReady as e:
            raise BenchError(str(e)) from None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        try:
            return super().stop(sig, timeout)
        finally:
            if self.proc in _procs:
                _procs.remove(self.proc)


class PouchDNoFreeze(PouchD):
    """The same pouchd started through bench/pouchd_nofreeze.py, which makes its ``gc.freeze()``
    a no-op: to measure what the freeze does, beside the normal pouchd, in the same run."""

    kind = "pouchd without gc.freeze"

    def argv(self) -> list[str]:
        return [installed().python, str(POUCHD_NOFREEZE), *super().argv()[1:]]

    def check_freeze_skipped(self) -> None:
        """Raise unless pouchd did call the replaced gc.freeze (after start-up, so check after a request)."""
        if NOFREEZE_MARK not in self.logs():
            raise BenchError(
                f"{self.kind}: pouchd never called gc.freeze(), so this is not what is measured:\n{self.log_tail()}"
            )


class BareApp(Server):
    """bench/bare_app.py: a bare Starlette app on the same uvicorn, serving pouchd's captured bytes."""

    kind = "bare app"

    def __init__(self, workdir: Path, fixtures: Path, name: str = "bare", tcp: bool = True) -> None:
        super().__init__(workdir, name, tcp)
        self.fixtures = fixtures

    def argv(self) -> list[str]:
        args = [installed().python, str(BARE_APP), "--fixtures", str(self.fixtures), "--uds", str(self.sock)]
        if self.port is not None:
            args += ["--port", str(self.port)]
        return args


#: Either kind of server under test: a floor's process or pouchd (the same start/stop/sock/url/pid).
AnyServer = Server | PouchD


def capture_fixtures(pouchd: PouchD, out: Path) -> Path:
    """GET each endpoint from a running pouchd and write its status, static headers and exact body."""
    fixtures: dict[str, Any] = {}
    for path in ENDPOINTS:
        r = http_unix(pouchd.sock, "GET", path)
        if r.status != 200:
            raise BenchError(f"pouchd answered {r.status} to GET {path}: {r.body[:200]!r}")
        fixtures[path] = {
            "status": r.status,
            "headers": [[k, v] for k, v in r.headers if k not in _DYNAMIC_HEADERS],
            "body": base64.b64encode(r.body).decode(),
        }
    out.write_text(json.dumps(fixtures, indent=1))
    return out


class Workspace:
    """A temporary directory for one run, and pouchd's captured responses (made once, on demand)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pouch-bench-"))
        self._fixtures: Path | None = None
        self._n = 0

    def subdir(self, name: str) -> Path:
        self._n += 1
        path = self.dir / f"{self._n:02d}-{name}"
        path.mkdir()
        return path

    def fixtures(self) -> Path:
        if self._fixtures is None:
            work = self.subdir("capture")
            with PouchD(work, tcp=False) as pouchd:
                pouchd.start()
                self._fixtures = capture_fixtures(pouchd, self.dir / "fixtures.json")
        return self._fixtures

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


_install: Install | None = None


def use_install(install: Install) -> None:
    """Measure the commands of ``install`` (bench/install.py); the runner calls this first."""
    global _install
    for exe in (install.pouchd, install.pouch):
        if not os.access(exe, os.X_OK):
            raise BenchError(f"{exe} not found in the bench's install")
    _install = install


def installed() -> Install:
    """The install under measurement: its python runs the floors too, so both sides share it."""
    if _install is None:
        raise BenchError("no install chosen (bench.common.use_install)")
    return _install


class ConnexionApp(Server):
    """bench/connexion_app.py: a plain connexion app on pouchd's spec (unix socket only)."""

    kind = "connexion app"

    def __init__(self, workdir: Path, name: str = "connexion") -> None:
        super().__init__(workdir, name, tcp=False)

    def argv(self) -> list[str]:
        return [installed().python, str(CONNEXION_APP), "--spec", str(SPEC), "--uds", str(self.sock)]
