"""Fixtures that run the real thing: a pouchd subprocess on a temporary socket and port, and
the installed ``pouch`` command."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
POUCHD = str(BIN / "pouchd")
POUCH = str(BIN / "pouch")


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass (bounded, no busy loop)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PouchD:
    """One pouchd process, started with ``--listen`` on a temp socket and a TCP port."""

    def __init__(self, tmp: Path, *extra: str, tcp: bool = True, home: Path | None = None,
                 sock: Path | None = None, env: dict[str, str] | None = None, validate: bool = True) -> None:
        self.tmp = tmp
        self.validate = validate  # --validate-responses (tests' default); False is production mode
        self.sock = sock or tmp / "pouchd.sock"
        self.home = home or tmp / "home"
        self.port = free_port() if tcp else None
        self.extra = list(extra)
        self.env = env
        self.log_path = tmp / f"pouchd-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.sock}"

    @property
    def tcp_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        args = [POUCHD, "--listen", self.host, "--home-dir", str(self.home)]
        if self.validate:
            args.append("--validate-responses")
        if self.port:
            args += ["--listen", f"tcp://127.0.0.1:{self.port}"]
        return args + self.extra

    def start(self, wait: bool = True) -> PouchD:
        self.log = open(self.log_path, "wb")
        env = {**os.environ, **(self.env or {})}
        self.proc = subprocess.Popen(self.argv(), stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"pouchd exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                with self.client() as c:
                    if c.get("/_ping").status_code == 200:
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"pouchd not ready after {timeout}s:\n{self.logs()}")

    def client(self, **kw: object) -> httpx.Client:
        return httpx.Client(transport=httpx.HTTPTransport(uds=str(self.sock)), base_url="http://d",
                            timeout=10, **kw)  # type: ignore[arg-type]

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"pouchd did not stop within {timeout}s:\n{self.logs()}") from None
        self.log.close()
        return self.proc.returncode


def subscribers(d: PouchD) -> float:
    """The daemon's ``pouchd_event_subscribers`` gauge: clients streaming /events right now."""
    with d.client() as c:
        text = c.get("/metrics").text
    for line in text.splitlines():
        if line.startswith("pouchd_event_subscribers "):
            return float(line.split()[1])
    raise AssertionError("no pouchd_event_subscribers gauge in /metrics")


# "Not frozen", not a benchmark: far above what a /_ping takes, far below what a frozen loop made it.
NOT_FROZEN = 1.0


def ping_once(d: PouchD) -> float:
    """One GET /_ping on a new connection of its own; its round trip in seconds."""
    start = time.perf_counter()
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(d.sock))
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"OK"), data[:200]
    return time.perf_counter() - start


@contextlib.contextmanager
def pinging(d: PouchD) -> Iterator[list[float]]:
    """/_ping every 5 ms, each on a new connection, while the body runs: the round trips, in seconds."""
    times: list[float] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            times.append(ping_once(d))
            stop.wait(0.005)

    t = threading.Thread(target=run)
    t.start()
    try:
        while not times:  # the pinger is running before the work starts
            time.sleep(0.005)
        yield times
    finally:
        stop.set()
        t.join(35)


def run_pouch(*args: str, host: str | None = None, env: dict[str, str] | None = None,
              input: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    argv = [POUCH] + (["-H", host] if host else []) + list(args)
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, input=input, timeout=timeout)


@pytest.fixture
def pouchd_factory(tmp_path: Path) -> Iterator[type]:
    started: list[PouchD] = []

    def make(*extra: str, start: bool = True, **kw: object) -> PouchD:
        d = PouchD(tmp_path, *extra, **kw)  # type: ignore[arg-type]
        started.append(d)
        return d.start() if start else d

    yield make  # type: ignore[misc]
    for d in started:
        if d.proc and d.proc.poll() is None:
            d.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def pouchd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    """A daemon shared by the read-only tests of a module."""
    d = PouchD(tmp_path_factory.mktemp("pouchd"), "--label", "zone=test").start()
    yield d
    d.stop()
