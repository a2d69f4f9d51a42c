"""8. Containers: pouchd's container life cycle, list and logs beside dockerd 20.10's (and ctr's), on one containerd.

The processes are the images benchmark's (bench/image_bench.py): one containerd of the bench's own,
Debian's ``docker-registry`` on 127.0.0.1, pouchd (the bench's install, production mode) and Debian's
dockerd 20.10 on that containerd, each in a namespace of its own, and ``ctr`` in a third. The image
is busybox-static's (every applet), pushed to the registry and pulled by all three before measuring.

- **run**: the wall time of ``pouch run --rm --net none IMG sh -c true``, ``docker run --rm --net none
  IMG sh -c true`` (the docker CLI against that dockerd) and ``ctr run --rm IMG ID sh -c true`` (the
  floor), in rotating order.
- **cycle**: create, start, wait and delete of ``sh -c true`` (NetworkMode none) over one keep-alive
  connection per daemon, the same requests to both.
- **list**: ``GET /containers/json?all=1`` with 100 containers created, not started.
- **logs**: a container writing 100 MB to stdout, read by ``GET /containers/{id}/logs?follow=1``
  from its start to the end of the stream (and, for information, by ``ctr run`` on a pipe).
- **stall**: the slowest ``GET /_ping`` while 20 create-start-wait-delete cycles run at once.
- **memory**: VmRSS with 100 ``sleep 600`` containers running.

Every container is removed through the daemon that made it; after the daemons and containerd stop,
the shims this containerd started and the mounts under the benchmark's directories are counted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    Result,
    Row,
    Settings,
    Skipped,
    Workspace,
    X,
    installed,
    median,
    ms,
    percentile,
    rss_bytes,
)
from bench.image_bench import (
    CTR,
    DOCKER_API,
    POUCH_API,
    SETTLE,
    TARGET_PING,
    BenchContainerd,
    Conn,
    Dockerd,
    ImagePouchD,
    Pinger,
    Pushed,
    api_pull,
    paired,
    to_ms,
)
from bench.image_bench import unavailable as images_unavailable
from pouch_testing.containerd import mounts_under
from pouch_testing.images import build_busybox_image, push
from pouch_testing.registry import Registry

DAEMONS = ("pouchd", "dockerd")
CTR_NAMESPACE = "bench-ctr-run"
MiB = 1024 * 1024
TARGET_VS_DOCKERD = 1.0  # times: pouchd no slower than dockerd
TARGET_LOGS = 0.8  # throughput: pouchd at least 0.8x dockerd's
TIMEOUT = 120.0
IDLE = 3.0  # seconds a keep-alive connection may stay unused (pouchd closes it after 5)
CLK_TCK = os.sysconf("SC_CLK_TCK")
BENCH = "containers"


@dataclass(frozen=True)
class Plan:
    """The sizes of one run (``--quick``: fewer rounds, 20 containers listed and running, 20 MB of logs)."""

    cli_rounds: int
    cycle_rounds: int
    cycles_per_round: int  # per daemon and round, back to back
    listed: int
    list_rounds: int
    list_requests: int
    log_bytes: int
    log_rounds: int
    running: int
    parallel: int
    ping_rounds: int

    @classmethod
    def make(cls, settings: Settings) -> Plan:
        if settings.quick:
            return cls(3, 3, 2, 20, 3, 10, 20_000_000, 2, 20, 20, 1)
        return cls(11, 9, 4, 100, 7, 20, 100_000_000, 3, 100, 20, 3)


def unavailable() -> str | None:
    """Why this benchmark cannot run here, or None (the images benchmark's needs, and a docker CLI)."""
    problem = images_unavailable()
    if problem:
        return problem
    if docker_cli() is None:
        return "no docker CLI (/usr/local/bin/docker or on PATH)"
    return None


def docker_cli() -> str | None:
    local = Path("/usr/local/bin/docker")
    return str(local) if os.access(local, os.X_OK) else shutil.which("docker")


# ---------------------------------------------------------------------------------------------
# HTTP: any request over the keep-alive connection, and a raw log stream


def pgrep_shims() -> int:
    """How many processes ``pgrep -f containerd-shim`` finds on the whole host (anyone's)."""
    out = subprocess.run(["pgrep", "-f", "containerd-shim"], capture_output=True, text=True)
    return len(out.stdout.split())


class ApiConn(Conn):
    """:class:`bench.image_bench.Conn` with any method and a JSON body. A connection left idle
    longer than :data:`IDLE` is made again first: pouchd (uvicorn's ``timeout_keep_alive``) closes
    one after 5 s, and a request sent as it does so would be lost."""

    def __init__(self, sock_path: Path, timeout: float = TIMEOUT) -> None:
        super().__init__(sock_path, timeout)
        self.sock_path = sock_path
        self.timeout = timeout
        self.last = time.monotonic()

    def request(self, method: str, target: str, body: Any = None) -> tuple[int, bytes]:
        if time.monotonic() - self.last > IDLE:
            self.sock.close()
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(self.timeout)
            self.sock.connect(str(self.sock_path))
            self.buf = b""
        try:
            return self._request(method, target, body)
        finally:
            self.last = time.monotonic()

    def _request(self, method: str, target: str, body: Any) -> tuple[int, bytes]:
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {target} HTTP/1.1\r\nHost: d\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + data)
        status = int(self._line().split()[1])
        headers: dict[bytes, bytes] = {}
        while line := self._line():
            key, _, value = line.partition(b":")
            headers[key.strip().lower()] = value.strip()
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._take(size))
                self._take(2)
            while self._line():
                pass
            return status, b"".join(parts)
        return status, self._take(int(headers.get(b"content-length", b"0")))

    def expect(self, method: str, target: str, ok: tuple[int, ...], body: Any = None) -> bytes:
        status, answer = self.request(method, target, body)
        if status not in ok:
            raise BenchError(f"{method} {target} answered {status}: {answer[:300]!r}")
        return answer


def read_to_eof(sock_path: Path, target: str) -> list[bytes]:
    """The raw bytes of ``GET target`` with ``Connection: close``, read until the daemon closes:
    nothing parsed while reading, so that the reader costs as little CPU as it can."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        s.connect(str(sock_path))
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n".encode())
        parts = []
        while data := s.recv(1 << 20):
            parts.append(data)
    return parts


def log_payload(raw: bytes) -> tuple[int, int]:
    """(payload bytes, frames) of a raw logs answer: chunked or not, stdcopy frames (8-byte headers)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.1 200"):
        raise BenchError(f"the logs request answered {head[:300]!r}")
    if b"transfer-encoding: chunked" in head.lower():
        parts = []
        pos = 0
        while True:
            eol = body.index(b"\r\n", pos)
            size = int(body[pos:eol].split(b";")[0], 16)
            if size == 0:
                break
            parts.append(body[eol + 2 : eol + 2 + size])
            pos = eol + 4 + size
        body = b"".join(parts)
    total = frames = pos = 0
    while pos + 8 <= len(body):
        size = int.from_bytes(body[pos + 4 : pos + 8], "big")
        total += size
        frames += 1
        pos += 8 + size
    if pos != len(body):
        raise BenchError(f"the log stream ends inside a frame ({pos} != {len(body)})")
    return total, frames


def expected_payload(n: int) -> int:
    """What ``head -c N | tr | fold -w 100`` writes: N bytes and a newline after every full 100 but the last."""
    return n + (n + 99) // 100 - 1


# ---------------------------------------------------------------------------------------------
# processes


def timed_command(argv: list[str], timeout: float = TIMEOUT, env: dict[str, str] | None = None) -> float:
    """Wall time of one run, in seconds (stdout to /dev/null); raises BenchError if the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, env=env
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def shims(address: Path | None = None) -> list[int]:
    """PIDs of containerd-shim processes (as ``pgrep -f containerd-shim``), or only those started by
    the containerd listening on ``address``."""
    marker = None if address is None else b"-address\0" + os.fsencode(address) + b"\0"
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"containerd-shim" in cmdline and (marker is None or marker in cmdline):
                found.append(int(pid))
    return found


@contextlib.contextmanager
def _started(work: Path) -> Iterator[tuple[BenchContainerd, Registry, ImagePouchD, Dockerd]]:
    """containerd, the registry, pouchd and dockerd, stopped in reverse order on the way out."""
    with contextlib.ExitStack() as stack:
        containerd = BenchContainerd(work / "containerd")
        stack.callback(containerd.stop)
        containerd.start()
        registry = stack.enter_context(Registry(work / "registry"))
        pouchd = ImagePouchD(work, containerd.address, registry.address)
        stack.enter_context(pouchd)
        pouchd.start()
        dockerd = Dockerd(work, containerd.address, registry.address)
        stack.callback(dockerd.stop)
        dockerd.start()
        yield containerd, registry, pouchd, dockerd


# ---------------------------------------------------------------------------------------------
# the measurements


def row(metric: str, a: float, b: float, r: float, target: str = "", ok: bool | None = None, fmt: str = "ms") -> Row:
    if fmt == "ms":
        value, floor = ms(a), ms(b)
    elif fmt == "MB/s":
        value, floor = f"{a:.1f} MB/s", f"{b:.1f} MB/s"
    else:
        value, floor = f"{a / MiB:.1f} MiB", f"{b / MiB:.1f} MiB"
    return Row(BENCH, metric + (" (info)" if ok is None and not target else ""), value, floor, r, target, ok)


def at_most(a: list[float], b: list[float], metric: str, target: float | None) -> Row:
    """Paired median ratio of times (lower is better) against ``target``."""
    r = paired(a, b)
    if target is None:
        return row(metric, median(a), median(b), r)
    return row(metric, median(a), median(b), r, f"≤ {target:.2f}{X}", r <= target)


@dataclass
class ContainerBench:
    plan: Plan
    work: Path
    containerd: BenchContainerd
    pouchd: ImagePouchD
    dockerd: Dockerd
    image: Pushed
    result: Result
    notes: list[str] = field(default_factory=list)

    def sock(self, who: str) -> Path:
        return self.pouchd.sock if who == "pouchd" else self.dockerd.sock

    def api(self, who: str) -> str:
        return POUCH_API if who == "pouchd" else DOCKER_API

    def pid(self, who: str) -> int:
        return self.pouchd.pid if who == "pouchd" else self.dockerd.pid

    def conn(self, who: str) -> ApiConn:
        return ApiConn(self.sock(who), timeout=TIMEOUT)

    def ctr(self, *args: str) -> list[str]:
        return [str(CTR), "-a", str(self.containerd.address), "-n", CTR_NAMESPACE, *args]

    # -- API steps

    def create(self, conn: ApiConn, who: str, cmd: list[str]) -> str:
        body = {"Image": self.image.ref, "Cmd": cmd, "HostConfig": {"NetworkMode": "none"}}
        answer = conn.expect("POST", f"{self.api(who)}/containers/create", (201,), body)
        return str(json.loads(answer)["Id"])

    def start(self, conn: ApiConn, who: str, cid: str) -> None:
        conn.expect("POST", f"{self.api(who)}/containers/{cid}/start", (204,))

    def wait(self, conn: ApiConn, who: str, cid: str) -> None:
        answer = json.loads(conn.expect("POST", f"{self.api(who)}/containers/{cid}/wait", (200,)))
        if answer.get("StatusCode") != 0:
            raise BenchError(f"{who}: container {cid} exited with {answer}")

    def delete(self, conn: ApiConn, who: str, cid: str, force: bool = False) -> None:
        conn.expect("DELETE", f"{self.api(who)}/containers/{cid}" + ("?force=1" if force else ""), (204,))

    def cycle(self, conn: ApiConn, who: str) -> dict[str, float]:
        """One create, start, wait and delete of ``sh -c true``: the seconds of each step."""
        times: dict[str, float] = {}
        t = time.perf_counter()
        cid = self.create(conn, who, ["sh", "-c", "true"])
        times["create"] = time.perf_counter() - t
        t = time.perf_counter()
        self.start(conn, who, cid)
        times["start"] = time.perf_counter() - t
        t = time.perf_counter()
        self.wait(conn, who, cid)
        times["wait"] = time.perf_counter() - t
        t = time.perf_counter()
        self.delete(conn, who, cid)
        times["delete"] = time.perf_counter() - t
        times["cycle"] = sum(times.values())
        return times

    def ids(self, who: str) -> list[str]:
        conn = self.conn(who)
        try:
            return [
                str(c["Id"]) for c in json.loads(conn.expect("GET", f"{self.api(who)}/containers/json?all=1", (200,)))
            ]
        finally:
            conn.close()

    def purge(self, who: str) -> int:
        """Remove (force) every container ``who`` holds, through it, four at a time: how many there were."""
        ids = self.ids(who)

        def remove(cid: str) -> None:
            conn = self.conn(who)
            try:
                self.delete(conn, who, cid, force=True)
            finally:
                conn.close()

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(remove, ids))
        return len(ids)

    # -- 1. the run commands

    def cli_rows(self) -> None:
        pouch = installed().pouch
        host = f"unix://{self.pouchd.sock}"
        docker = docker_cli()
        assert docker is not None
        config = self.work / "docker-config"  # the docker CLI's config dir: never ~/.docker
        config.mkdir(exist_ok=True)
        drop = ("DOCKER_API_VERSION", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
        docker_env = {k: v for k, v in os.environ.items() if k not in drop} | {"DOCKER_CONFIG": str(config)}
        pouch_env = {k: v for k, v in os.environ.items() if k != "POUCH_HOST"}
        tail = ["--rm", "--net", "none", self.image.ref, "sh", "-c", "true"]
        serial = iter(range(1_000_000))
        commands: dict[str, Callable[[], list[str]]] = {
            "pouch": lambda: [str(pouch), "-H", host, "run", *tail],
            "docker": lambda: [docker, "-H", f"unix://{self.dockerd.sock}", "run", *tail],
            "ctr": lambda: self.ctr("run", "--rm", self.image.ref, f"bench-{next(serial)}", "sh", "-c", "true"),
        }
        envs = {"pouch": pouch_env, "docker": docker_env, "ctr": None}
        problem = None
        probe = subprocess.run([str(pouch), "run", "--help"], capture_output=True, timeout=60, env=pouch_env)
        if probe.returncode != 0:
            problem = "pouch run not available (`pouch run --help` fails in the measured install)"
        else:
            trial = subprocess.run(commands["pouch"](), capture_output=True, timeout=TIMEOUT, env=pouch_env)
            if trial.returncode != 0:
                problem = f"pouch run not available: it failed ({trial.returncode}): {trial.stderr.decode()[-300:]!r}"
        names = [n for n in commands if not (problem and n == "pouch")]

        def timed(name: str) -> float:
            return timed_command(commands[name](), TIMEOUT, envs[name])

        for name in names:  # warm-up
            timed(name)
        times: dict[str, list[float]] = {n: [] for n in names}
        for i in range(self.plan.cli_rounds):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                times[name].append(timed(name))
        rows = self.result.rows
        if problem:
            rows.append(Row(BENCH, f"pouch run --rm: {problem}", "n/a", target=f"≤ {TARGET_VS_DOCKERD:.2f}{X} docker"))
        else:
            rows.append(at_most(times["pouch"], times["docker"], "`pouch run --rm` / `docker run --rm`", 1.0))
            rows.append(at_most(times["pouch"], times["ctr"], "`pouch run --rm` / `ctr run --rm`", None))
        rows.append(at_most(times["docker"], times["ctr"], "`docker run --rm` / `ctr run --rm`", None))
        for name, xs in times.items():
            self.result.samples[f"run --rm sh -c true, {name} (ms)"] = to_ms(xs)
        for who in DAEMONS:  # --rm: nothing left
            left = self.ids(who)
            if left:
                self.notes.append(f"after the `run --rm` commands, {who} still held {len(left)} containers")
                self.purge(who)

    # -- 2. create + start + wait + delete

    def cycle_rows(self) -> None:
        conns = {who: self.conn(who) for who in DAEMONS}
        steps = ("create", "start", "wait", "delete", "cycle")
        every: dict[str, dict[str, list[float]]] = {who: {s: [] for s in steps} for who in DAEMONS}
        rounds: dict[str, list[float]] = {who: [] for who in DAEMONS}
        cpu: dict[str, list[float]] = {who: [] for who in DAEMONS}
        try:
            for who in DAEMONS:  # warm-up
                self.cycle(conns[who], who)
            for i in range(self.plan.cycle_rounds):
                for who in DAEMONS if i % 2 == 0 else DAEMONS[::-1]:
                    c0 = cpu_seconds(self.pid(who))
                    cycles = []
                    for _ in range(self.plan.cycles_per_round):
                        t = self.cycle(conns[who], who)
                        cycles.append(t["cycle"])
                        for s in steps:
                            every[who][s].append(t[s])
                    cpu[who].append((cpu_seconds(self.pid(who)) - c0) / self.plan.cycles_per_round)
                    rounds[who].append(median(cycles))
        finally:
            for conn in conns.values():
                conn.close()
        r = paired(rounds["pouchd"], rounds["dockerd"])
        p, d = every["pouchd"], every["dockerd"]
        self.result.rows.append(
            row(
                "create+start+wait+delete `sh -c true` (API): pouchd / dockerd, median per cycle",
                median(p["cycle"]),
                median(d["cycle"]),
                r,
                f"≤ {TARGET_VS_DOCKERD:.2f}{X}",
                r <= TARGET_VS_DOCKERD,
            )
        )
        for s in steps[:-1]:
            self.result.rows.append(row(f"…{s}", median(p[s]), median(d[s]), median(p[s]) / median(d[s])))
        self.result.rows.append(
            row(
                "…the daemon's own CPU per cycle",
                median(cpu["pouchd"]),
                median(cpu["dockerd"]),
                median(cpu["pouchd"]) / median(cpu["dockerd"]),
            )
        )
        for who in DAEMONS:
            self.result.samples[f"cycle, {who}: median per round (ms)"] = to_ms(rounds[who])
            for s in steps[:-1]:
                self.result.samples[f"cycle, {who}: {s}, median/p90/max (ms)"] = to_ms(
                    [median(every[who][s]), percentile(every[who][s], 90), max(every[who][s])]
                )
            self.result.samples[f"cycle, {who}: daemon CPU per cycle, per round (ms)"] = to_ms(cpu[who])

    # -- 3. GET /containers/json?all=1

    def list_rows(self) -> None:
        n = self.plan.listed
        made: dict[str, list[float]] = {}
        for who in DAEMONS:
            conn = self.conn(who)
            try:
                made[who] = []
                for _ in range(n):
                    t = time.perf_counter()
                    self.create(conn, who, ["sh", "-c", "true"])
                    made[who].append(time.perf_counter() - t)
            finally:
                conn.close()
        conns = {who: self.conn(who) for who in DAEMONS}
        targets = {who: f"{self.api(who)}/containers/json?all=1" for who in DAEMONS}
        rounds: dict[str, list[float]] = {who: [] for who in DAEMONS}
        every: dict[str, list[float]] = {who: [] for who in DAEMONS}
        sizes: dict[str, int] = {}
        try:
            for who in DAEMONS:  # warm-up
                for _ in range(3):
                    conns[who].expect("GET", targets[who], (200,))
            for i in range(self.plan.list_rounds):
                for who in DAEMONS if i % 2 == 0 else DAEMONS[::-1]:
                    latencies = []
                    body = b""
                    for _ in range(self.plan.list_requests):
                        t = time.perf_counter()
                        body = conns[who].expect("GET", targets[who], (200,))
                        latencies.append(time.perf_counter() - t)
                    listed = json.loads(body)
                    if len(listed) != n:
                        raise BenchError(f"{who} listed {len(listed)} containers, not {n}")
                    sizes[who] = len(body)
                    rounds[who].append(median(latencies))
                    every[who] += latencies
        finally:
            for conn in conns.values():
                conn.close()
        r = paired(rounds["pouchd"], rounds["dockerd"])
        self.result.rows += [
            row(
                f"GET /containers/json?all=1, {n} created (not started) containers: pouchd / dockerd, median latency",
                median(every["pouchd"]),
                median(every["dockerd"]),
                r,
                f"≤ {TARGET_VS_DOCKERD:.2f}{X}",
                r <= TARGET_VS_DOCKERD,
            ),
            row(
                "…p90 latency",
                percentile(every["pouchd"], 90),
                percentile(every["dockerd"], 90),
                percentile(every["pouchd"], 90) / percentile(every["dockerd"], 90),
            ),
            row(
                f"…create of those {n} containers, median",
                median(made["pouchd"]),
                median(made["dockerd"]),
                median(made["pouchd"]) / median(made["dockerd"]),
            ),
        ]
        for who in DAEMONS:
            self.result.samples[f"list, {who}: median per round (ms)"] = to_ms(rounds[who])
            self.result.samples[f"list, {who}: answer size (bytes)"] = [sizes[who]]
        t = time.perf_counter()
        removed = {who: self.purge(who) for who in DAEMONS}
        self.result.samples["list: removing them all, both daemons (s)"] = [round(time.perf_counter() - t, 2)]
        if removed != dict.fromkeys(DAEMONS, n):
            raise BenchError(f"removed {removed} containers, not {n} in each daemon")

    # -- 4. logs

    def log_command(self) -> list[str]:
        return ["sh", "-c", f"head -c {self.plan.log_bytes} /dev/zero | tr '\\0' a | fold -w 100"]

    def log_run(self, who: str) -> tuple[float, int, float, float]:
        """Start a container writing ``log_bytes`` and read its logs (follow) from the start of the
        container to the end of the stream: (seconds, payload bytes, daemon CPU s, reader CPU s)."""
        conn = self.conn(who)
        try:
            cid = self.create(conn, who, self.log_command())
            c0, r0 = cpu_seconds(self.pid(who)), time.process_time()
            t = time.perf_counter()
            self.start(conn, who, cid)
            parts = read_to_eof(self.sock(who), f"{self.api(who)}/containers/{cid}/logs?follow=1&stdout=1")
            elapsed = time.perf_counter() - t
            daemon_cpu, reader_cpu = cpu_seconds(self.pid(who)) - c0, time.process_time() - r0
            self.wait(conn, who, cid)
            self.delete(conn, who, cid)
        finally:
            conn.close()
        payload, _frames = log_payload(b"".join(parts))
        return elapsed, payload, daemon_cpu, reader_cpu

    def ctr_log_run(self, n: int) -> tuple[float, int]:
        """``ctr run`` of the same command, its stdout on a pipe read here: (seconds, bytes)."""
        argv = self.ctr("run", "--rm", self.image.ref, f"bench-logs-{n}", *self.log_command())
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        total = 0
        while data := os.read(proc.stdout.fileno(), 1 << 20):
            total += len(data)
        err = proc.stderr.read() if proc.stderr is not None else b""
        code = proc.wait(TIMEOUT)
        elapsed = time.perf_counter() - t
        if code != 0:
            raise BenchError(f"{' '.join(argv)} failed ({code}): {err.decode()[-300:]}")
        return elapsed, total

    def logs_rows(self) -> None:
        want = expected_payload(self.plan.log_bytes)
        names = [*DAEMONS, "ctr"]
        rate: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in DAEMONS}
        reader: dict[str, list[float]] = {n: [] for n in DAEMONS}
        got: dict[str, set[int]] = {n: set() for n in names}
        for i in range(self.plan.log_rounds):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                if name == "ctr":
                    seconds, payload = self.ctr_log_run(i)
                else:
                    seconds, payload, daemon_cpu, reader_cpu = self.log_run(name)
                    cpu[name].append(daemon_cpu)
                    reader[name].append(reader_cpu)
                got[name].add(payload)
                rate[name].append(payload / seconds / 1e6)
        short = {n: sorted(v) for n, v in got.items() if v != {want}}
        r = median([a / b for a, b in zip(rate["pouchd"], rate["dockerd"], strict=True)])
        mb = self.plan.log_bytes / 1e6
        metric = f"logs?follow=1 of a container writing {mb:.0f} MB, start to end of stream: pouchd / dockerd"
        if short:
            metric += f" (WRONG byte counts: {short}, expected {want})"
        self.result.rows += [
            row(
                metric,
                median(rate["pouchd"]),
                median(rate["dockerd"]),
                r,
                f"≥ {TARGET_LOGS:.2f}{X}",
                r >= TARGET_LOGS and not short,
                fmt="MB/s",
            ),
            row(
                "…pouchd / ctr run, stdout on a pipe",
                median(rate["pouchd"]),
                median(rate["ctr"]),
                median(rate["pouchd"]) / median(rate["ctr"]),
                fmt="MB/s",
            ),
            row(
                "…the daemon's own CPU per run",
                median(cpu["pouchd"]),
                median(cpu["dockerd"]),
                median(cpu["pouchd"]) / median(cpu["dockerd"]),
            ),
        ]
        for name in names:
            self.result.samples[f"logs {mb:.0f} MB, {name} (MB/s)"] = [round(x, 1) for x in rate[name]]
        for who in DAEMONS:
            self.result.samples[f"logs, {who}: daemon CPU per run (s)"] = [round(x, 2) for x in cpu[who]]
            self.result.samples[f"logs, {who}: the bench's reader CPU per run (s)"] = [round(x, 2) for x in reader[who]]

    # -- 5. /_ping during parallel cycles; VmRSS with containers running

    def burst(self, who: str, n: int) -> float:
        """``n`` create-start-wait-delete cycles at once, each on a connection of its own: the wall time."""
        conns = [self.conn(who) for _ in range(n)]
        gate = threading.Barrier(n + 1)

        def one(conn: ApiConn) -> None:
            gate.wait()
            self.cycle(conn, who)

        try:
            with ThreadPoolExecutor(n) as pool:
                futures = [pool.submit(one, c) for c in conns]
                gate.wait()
                t = time.perf_counter()
                for f in futures:
                    f.result()
                return time.perf_counter() - t
        finally:
            for c in conns:
                c.close()

    def ping_rows(self) -> None:
        n = self.plan.parallel
        walls: dict[str, list[float]] = {}
        for who in DAEMONS:
            quiet: list[float] = []
            worst: list[float] = []
            walls[who] = []
            window = 0.5
            with Pinger(self.sock(who)) as pinger:
                for _ in range(self.plan.ping_rounds):
                    t0 = time.perf_counter()
                    time.sleep(window)
                    quiet += pinger.between(t0, time.perf_counter())
                    t0 = time.perf_counter()
                    wall = self.burst(who, n)
                    time.sleep(0.05)
                    loaded = pinger.between(t0, time.perf_counter())
                    if not loaded:
                        raise BenchError(f"no /_ping was sent to {who} during the cycles")
                    worst.append(max(loaded))
                    walls[who].append(wall)
                    window = max(0.5, wall)
            judged = who == "pouchd"
            slowest, floor = max(worst), percentile(quiet, 99)
            self.result.rows.append(
                Row(
                    BENCH,
                    f"slowest /_ping during {n} parallel create+start+wait+delete, {who} (floor: quiet p99)"
                    + ("" if judged else " (info)"),
                    ms(slowest),
                    ms(floor),
                    slowest / floor,
                    f"≤ {TARGET_PING * 1000:.0f} ms" if judged else "",
                    slowest <= TARGET_PING if judged else None,
                )
            )
            self.result.samples[f"{who}: slowest /_ping per burst of {n} (ms)"] = to_ms(worst)
            self.result.samples[f"{who}: quiet /_ping p50/p99/max (ms)"] = to_ms(
                [percentile(quiet, 50), floor, max(quiet)]
            )
            self.result.samples[f"{who}: wall time of a burst of {n} cycles (ms)"] = to_ms(walls[who])
        self.result.rows.append(
            row(
                f"…wall time of the {n} parallel cycles, pouchd / dockerd",
                median(walls["pouchd"]),
                median(walls["dockerd"]),
                paired(walls["pouchd"], walls["dockerd"]),
            )
        )

    def rss_rows(self, idle: dict[str, int]) -> None:
        n = self.plan.running
        running: dict[str, int] = {}
        for who in DAEMONS:

            def run_one(_: int, who: str = who) -> None:
                conn = self.conn(who)
                try:
                    self.start(conn, who, self.create(conn, who, ["sleep", "600"]))
                finally:
                    conn.close()

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(run_one, range(n)))
            time.sleep(SETTLE)
            running[who] = rss_bytes(self.pid(who))
        for who in DAEMONS:
            self.result.rows.append(
                row(
                    f"{who} VmRSS with {n} running containers (floor: idle, before any container)",
                    running[who],
                    idle[who],
                    running[who] / idle[who],
                    fmt="MiB",
                )
            )
            self.result.samples[f"{who}: VmRSS idle, with {n} running (MiB)"] = [
                round(idle[who] / MiB, 1),
                round(running[who] / MiB, 1),
            ]
        per = {who: (running[who] - idle[who]) / n for who in DAEMONS}
        self.result.rows.append(
            Row(
                BENCH,
                "…VmRSS growth per running container, pouchd / dockerd (info)",
                f"{per['pouchd'] / 1024:.0f} KiB",
                f"{per['dockerd'] / 1024:.0f} KiB",
                per["pouchd"] / per["dockerd"] if per["dockerd"] > 0 else None,
            )
        )
        t = time.perf_counter()
        removed = {who: self.purge(who) for who in DAEMONS}
        self.result.samples[f"memory: force-removing the {n} running containers, both daemons (s)"] = [
            round(time.perf_counter() - t, 2)
        ]
        if removed != dict.fromkeys(DAEMONS, n):
            raise BenchError(f"force-removed {removed} containers, not {n} in each daemon")


def run_image(address: str) -> Pushed:
    """busybox-static (every applet) as ``bench/run:v1`` in the registry."""
    image = build_busybox_image()
    push(image, address, "bench/run", "v1")
    return Pushed(image, address, "bench/run", "v1", f"{image.content_size / MiB:.1f} MiB")


def run(ws: Workspace, settings: Settings) -> Result:
    problem = unavailable()
    if problem:
        raise Skipped(problem)
    plan = Plan.make(settings)
    result = Result(BENCH)
    work = ws.subdir("containers")
    host_shims_before = pgrep_shims()
    address: Path | None = None
    left_mounts: list[str] = []
    with _started(work) as (containerd, registry, pouchd, dockerd):
        address = containerd.address
        image = run_image(registry.address)
        for sock, api in ((pouchd.sock, POUCH_API), (dockerd.sock, DOCKER_API)):
            api_pull(sock, api, image)
        bench = ContainerBench(plan, work, containerd, pouchd, dockerd, image, result)
        timed_command(bench.ctr("images", "pull", "--plain-http", image.ref), TIMEOUT)
        time.sleep(SETTLE)
        idle = {who: rss_bytes(bench.pid(who)) for who in DAEMONS}
        try:
            bench.cli_rows()
            bench.cycle_rows()
            bench.list_rows()
            bench.logs_rows()
            bench.ping_rows()
            bench.rss_rows(idle)
        except OSError as e:  # a daemon closed a connection, a socket timed out
            raise BenchError(f"containers: {e!r}") from e
        finally:
            try:
                left = {who: bench.purge(who) for who in DAEMONS}
                ctr_left = subprocess.run(bench.ctr("containers", "ls", "-q"), capture_output=True, text=True)
                if any(left.values()) or ctr_left.stdout.split():
                    bench.notes.append(
                        f"clean-up removed containers left behind: {left}, ctr: {ctr_left.stdout.split()}"
                    )
            except (OSError, BenchError) as e:  # the daemons' own clean-up (on stop) still runs
                print(f"bench: could not remove every container through its daemon: {e}", file=sys.stderr)
        mine_running = len(shims(address))
        left_mounts = [os.path.relpath(m, work) for m in mounts_under(work)]
    mine_after = shims(address)
    for pid in mine_after:  # a shim of this containerd outlived it: the bench started it, so it ends it
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if mine_after:
        print(f"bench: {len(mine_after)} shims of the bench's containerd outlived it (killed)", file=sys.stderr)
    host_shims_after = pgrep_shims()
    version = containerd.version[0] if containerd.version else "?"
    result.samples["containerd-shim processes on the host before/after (pgrep -f containerd-shim)"] = [
        host_shims_before,
        host_shims_after,
    ]
    result.samples["shims of the bench's containerd: with every container removed, after everything stopped"] = [
        mine_running,
        len(mine_after),
    ]
    result.samples["mounts under the bench's directory with every container removed"] = [len(left_mounts)]
    result.notes.append(
        f"one containerd ({version}) of the bench's own, Debian's docker-registry on 127.0.0.1 serving busybox-static "
        f"as one image ({image.label}, every applet) pulled by pouchd (POST /images/create), dockerd 20.10 (Debian's "
        "docker.io, --containerd on the same socket, its own namespace, no iptables or bridge) and ctr (its own "
        "namespace); pouchd in production mode (no --debug: -D runs asyncio in debug mode)."
    )
    result.notes.append(
        f"run: `pouch -H unix://… run --rm --net none IMG sh -c true`, `docker -H unix://… run --rm --net none IMG "
        f"sh -c true` (the docker CLI {docker_cli()}, DOCKER_API_VERSION unset: it negotiates 1.41 with dockerd "
        "20.10; a DOCKER_CONFIG of the bench's own), `ctr -a … -n … run --rm IMG ID sh -c true` (floor, no network "
        f"flag); one warm-up each, then {plan.cli_rounds} rounds of one run each, the order rotating; ratios are "
        "paired medians (the median of the rounds' own ratios)."
    )
    result.notes.append(
        "cycle: POST /containers/create {Image, Cmd: [sh, -c, true], HostConfig: {NetworkMode: none}}, POST "
        "/containers/ID/start, POST /containers/ID/wait, DELETE /containers/ID, the same requests to both daemons "
        f"(/v1.24 for pouchd, /v1.41 for dockerd) over one keep-alive unix-socket connection each; {plan.cycle_rounds} "
        f"rounds of {plan.cycles_per_round} cycles per daemon, the order flipping each round; ratio = the median of "
        "the rounds' median-cycle ratios; the steps' rows are ratios of medians (info); the daemon's CPU is its "
        "utime+stime from /proc/PID/stat over a round, per cycle (containerd's, the shims' and runc's are not in it)."
    )
    result.notes.append(
        f"list: {plan.listed} containers created (not started) in each daemon, then {plan.list_rounds} rounds of "
        f"{plan.list_requests} GET /containers/json?all=1 back to back over one keep-alive connection per daemon, "
        "the order flipping; ratio = the median of the rounds' median-latency ratios."
    )
    result.notes.append(
        f"logs: a container running `{' '.join(bench.log_command()[2:])}` ({expected_payload(plan.log_bytes):,} bytes "
        "to stdout in 100-byte lines); timed from just before POST /start until the daemon closes GET "
        "/containers/ID/logs?follow=1&stdout=1 (sent with Connection: close right after the start answered; read "
        "in 1 MiB recv calls, nothing parsed until the end; then every stdcopy frame is counted and the payload "
        f"checked). {plan.log_rounds} rounds, pouchd, dockerd and `ctr run` (stdout on a pipe read by the bench: the "
        "floor of getting the bytes out of the container) in rotating order; MB = 10^6 bytes of payload."
    )
    result.notes.append(
        f"stall: GET /_ping every 10 ms over a keep-alive connection while {plan.parallel} create+start+wait+delete "
        f"cycles run at once (each on its own connection, released together), {plan.ping_rounds} time(s) per daemon, "
        "each after a quiet window; figure = the slowest ping started during the cycles, floor = quiet p99. memory: "
        f"VmRSS {SETTLE:.0f} s after the images were pulled (before any container) and {SETTLE:.0f} s after "
        f"{plan.running} `sleep 600` containers were created and started (four at a time); then force-removed."
    )
    result.notes.append(
        f"clean-up: every container removed through its daemon (DELETE ?force=1) and checked gone; shims of the "
        f"bench's containerd with everything removed: {mine_running}, after the daemons and containerd stopped: "
        f"{len(mine_after)}; mounts left under the bench's directory before stopping: {len(left_mounts)} "
        f"({', '.join(left_mounts) or 'none'}; unmounted when their owner stopped); "
        f"`pgrep -f containerd-shim` on the whole host: {host_shims_before} before, {host_shims_after} after "
        "(other users' containerds included)." + (" " + " ".join(bench.notes) if bench.notes else "")
    )
    return result
