"""7. Images: pouchd's pull and image list beside dockerd 20.10's and ctr's, on one containerd.

Everything runs on this benchmark's own processes: one containerd (private root and socket), Debian's
``docker-registry`` on 127.0.0.1 serving images built here from busybox-static, pouchd (the bench's
install) and Debian's dockerd 20.10 both on that containerd, each in a namespace of its own, and
``ctr`` (Debian's containerd client) as the floor of a pull.

- **pull** of the same ~5 MiB and ~50 MiB images: ``POST /images/create`` on each daemon's socket
  until the stream ends, and ``ctr images pull --plain-http``; the three alternate, and after every
  pull the image is removed and its bytes let go (for pouchd and ctr: until its blobs have left
  containerd's content store), so that every pull fetches and unpacks all of them.
- **GET /images/json** with 100 small images pulled into both daemons: request latency over one
  keep-alive connection, pouchd against dockerd.
- **pouch pull / pouch images**: the commands against the httpx floor plus the daemon's own time
  for the same request (as ``cli``'s floor, bench/cli_bench.py).
- **memory**: pouchd's VmRSS after 20 pulls against its idle VmRSS.
- **stall**: the slowest ``GET /_ping`` (every 10 ms, one keep-alive connection) during a pull of
  the largest image.

dockerd 20.10 keeps its images in its own graph driver (overlay2 under its data root), not in
containerd's content store and snapshotter as pouchd and ctr do: all three fetch every byte and
unpack it, into different stores.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlencode

from bench.cli_bench import HTTPX_FLOOR
from bench.common import (
    BenchError,
    PouchD,
    Result,
    Row,
    Settings,
    Skipped,
    Workspace,
    X,
    http_unix,
    installed,
    median,
    ms,
    percentile,
    rss_bytes,
    spawn,
    stop,
    wait_http_ok,
)
from pouch_testing.containerd import Containerd, mounts_under
from pouch_testing.images import (
    TestImage,
    build_busybox_image,
    build_image,
    busybox_layer,
    busybox_missing,
    files_layer,
    push,
)
from pouch_testing.registry import Registry, missing_tools

DOCKERD = Path("/usr/sbin/dockerd")
CTR = Path("/usr/bin/ctr")
POUCH_API = "/v1.24"
DOCKER_API = "/v1.41"  # dockerd 20.10's
MiB = 1024 * 1024
DAEMONS = ("pouchd", "dockerd")
PULLERS = ("pouchd", "dockerd", "ctr")
CTR_NAMESPACE = "bench-ctr"
DOCKERD_NAMESPACE = "bench-dockerd"
# dockerd 20.10 makes its plugins' exec root here whatever --exec-root says (getPluginExecRoot):
# removed again after it stops when it was not there before (empty, so nothing else used it).
DOCKERD_FIXED_DIRS = (Path("/run/docker"), Path("/run/docker/plugins"))

TARGET_VS_DOCKERD = 1.0
TARGET_VS_CTR = 1.5
TARGET_CLI = 1.30
TARGET_RSS = 1.5
TARGET_PING = 0.250
PING_GAP = 0.010  # between the end of one /_ping and the next
PULL_TIMEOUT = 300.0  # seconds of silence a pull's stream may have
RELEASE_TIMEOUT = 30.0  # for containerd's garbage collector to drop a removed image's blobs
SETTLE = 1.0  # seconds before reading VmRSS


@dataclass(frozen=True)
class Plan:
    """The sizes of one run (``--quick``: fewer rounds, the 5 MiB image only, 20 listed images)."""

    pull_rounds: int
    sizes_mib: tuple[int, ...]
    list_images: int
    list_rounds: int
    list_requests: int  # per daemon and round, back to back
    cli_rounds: int
    ping_pulls: int
    rss_pulls: int = 20

    @classmethod
    def make(cls, settings: Settings) -> Plan:
        if settings.quick:
            return cls(3, (5,), list_images=20, list_rounds=3, list_requests=10, cli_rounds=3, ping_pulls=1)
        return cls(7, (5, 50), list_images=100, list_rounds=7, list_requests=20, cli_rounds=9, ping_pulls=3)


def unavailable() -> str | None:
    """Why this benchmark cannot run here, or None."""
    if os.geteuid() != 0:
        return "containerd and dockerd need root"
    for problem in (Containerd.available(), missing_tools(htpasswd=False), busybox_missing()):
        if problem:
            return problem
    if not os.access(DOCKERD, os.X_OK):
        return f"{DOCKERD} is missing (apt-get install --no-install-recommends docker.io)"
    if not os.access(CTR, os.X_OK):
        return f"{CTR} is missing (Debian package containerd)"
    return None


# ---------------------------------------------------------------------------------------------
# HTTP over a unix socket, keep-alive


class Conn:
    """Requests one after another over one keep-alive unix-socket connection (Content-Length or
    chunked answers, as uvicorn and Go's net/http send them)."""

    def __init__(self, sock_path: Path, timeout: float = 60.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(sock_path))
        self.buf = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("the daemon closed the connection")
        self.buf += chunk

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def get(self, target: str) -> tuple[int, bytes]:
        """(status, body) of ``GET target``."""
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: d\r\n\r\n".encode())
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
            while self._line():  # trailers, up to the empty line
                pass
            return status, b"".join(parts)
        return status, self._take(int(headers.get(b"content-length", b"0")))

    def close(self) -> None:
        self.sock.close()


class Pinger:
    """``GET /_ping`` over one keep-alive connection in a thread, every ``gap`` seconds:
    (start, round trip) pairs."""

    def __init__(self, sock_path: Path, gap: float = PING_GAP) -> None:
        self.sock_path = sock_path
        self.gap = gap
        self.samples: list[tuple[float, float]] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            conn = Conn(self.sock_path, timeout=30)
            try:
                while not self._stop.is_set():
                    start = time.perf_counter()
                    status, _ = conn.get("/_ping")
                    if status != 200:
                        raise OSError(f"/_ping answered {status}")
                    self.samples.append((start, time.perf_counter() - start))
                    self._stop.wait(self.gap)
            finally:
                conn.close()
        except BaseException as e:  # reported by __exit__
            self.error = e

    def between(self, t0: float, t1: float) -> list[float]:
        return [rtt for start, rtt in list(self.samples) if t0 <= start <= t1]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(30)
        if self.error is not None and exc is None:
            raise BenchError(f"pinger on {self.sock_path}: {self.error}")


# ---------------------------------------------------------------------------------------------
# the processes


class BenchContainerd(Containerd):
    """The benchmark's containerd; its process is recorded for :func:`bench.common.stop_all`."""

    def _popen(self, argv: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}  # never the host's systemd
        return spawn(argv, self.log_path, env=env, start_new_session=True)

    def blob(self, digest: str) -> Path:
        """Where containerd's content store keeps ``digest``'s bytes."""
        algorithm, _, hexdigest = digest.partition(":")
        return self.root / "io.containerd.content.v1.content" / "blobs" / algorithm / hexdigest


class ImagePouchD(PouchD):
    """pouchd (the bench's install) on the benchmark's containerd, the registry insecure."""

    def __init__(self, workdir: Path, containerd_address: Path, registry: str) -> None:
        super().__init__(workdir, tcp=False)
        self.containerd = str(containerd_address)
        self.extra = ["--insecure-registries", registry]


class Dockerd:
    """Debian's dockerd 20.10 on the benchmark's containerd (a namespace of its own), everything
    it keeps under ``workdir`` or a short exec root of /tmp (libnetwork's sockets live there):
    never /var/lib/docker, /var/run/docker.sock, /etc/docker or the host's containerd. No
    iptables, no bridge, no IP forwarding; its config file is an empty one of its own (with the
    daemon's key beside it, not in /etc/docker)."""

    kind = "dockerd"

    def __init__(self, workdir: Path, containerd_address: Path, registry: str) -> None:
        self.workdir = workdir
        self.containerd_address = containerd_address
        self.registry = registry
        self.data_root = workdir / "dockerd-root"
        self.sock = workdir / "docker.sock"
        self.config = workdir / "dockerd.json"
        self.log_path = workdir / "dockerd.log"
        self.exec_root: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._made: list[Path] = []

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise BenchError("dockerd was not started")
        return self.proc.pid

    def argv(self) -> list[str]:
        assert self.exec_root is not None
        return [
            str(DOCKERD),
            "--config-file", str(self.config),
            "--containerd", str(self.containerd_address),
            "--containerd-namespace", DOCKERD_NAMESPACE,
            "--containerd-plugins-namespace", DOCKERD_NAMESPACE + "-plugins",
            "--data-root", str(self.data_root),
            "--exec-root", str(self.exec_root),
            "--pidfile", str(self.workdir / "dockerd.pid"),
            "-H", f"unix://{self.sock}",
            "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
            "--bridge=none", "--userland-proxy=false",
            "--insecure-registry", self.registry,
            "--storage-driver", "overlay2",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> Self:
        self._made = [d for d in DOCKERD_FIXED_DIRS if not d.exists()]
        self.exec_root = Path(tempfile.mkdtemp(prefix="dx-", dir="/tmp"))
        # "deprecated-key-path" is dockerd 20.10's setting (file only) for its key, else /etc/docker/key.json.
        self.config.write_text(json.dumps({"deprecated-key-path": str(self.workdir / "dockerd-key.json")}))
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
        self.proc = spawn(self.argv(), self.log_path, env=env, start_new_session=True)
        try:
            wait_http_ok(self.sock, self.proc, time.monotonic() + timeout)
        except BenchError as e:
            self.stop()
            raise BenchError(f"dockerd: {e}\n--- {self.log_path} ---\n{self.log_tail()}") from None
        return self

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        """Stop it, unmount whatever it left mounted (a warning: it should leave nothing), and
        remove its exec root and the fixed directories it made."""
        if self.proc is not None:
            stop(self.proc, timeout=30)
        left = [p for top in (self.data_root, self.exec_root) if top is not None for p in mounts_under(top)]
        for point in left:
            subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
        if left:
            print(f"bench: dockerd left {len(left)} mounts (unmounted): {', '.join(left)}", file=sys.stderr)
        if self.exec_root is not None:
            shutil.rmtree(self.exec_root, ignore_errors=True)
            self.exec_root = None
        for d in reversed(self._made):
            with contextlib.suppress(OSError):  # not empty: something else uses it now
                d.rmdir()
        self._made = []


# ---------------------------------------------------------------------------------------------
# images in the registry


@dataclass(frozen=True)
class Pushed:
    """An image as the registry serves it."""

    image: TestImage
    address: str
    repo: str
    tag: str
    label: str

    @property
    def name(self) -> str:
        return f"{self.address}/{self.repo}"

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.tag}"

    @property
    def digests(self) -> list[str]:
        """What a pull puts in containerd's content store: the manifest, the config, the layers."""
        return [self.image.manifest_digest, *self.image.blobs]


def pull_image(size_mib: int, address: str) -> Pushed:
    """A busybox image of about ``size_mib`` MiB in the registry: busybox's layer, then one of
    random (incompressible) bytes making up the rest."""
    extra = max(0, size_mib * MiB - busybox_layer().size)
    image = build_busybox_image(extra_layer_bytes=extra, seed=size_mib)
    repo, tag = f"bench/pull-{size_mib}m", "v1"
    push(image, address, repo, tag)
    return Pushed(image, address, repo, tag, f"{image.content_size / MiB:.1f} MiB")


def small_images(n: int, address: str) -> list[Pushed]:
    """``n`` small images of one layer each, differing in one file (distinct layers and IDs)."""
    out = []
    for i in range(n):
        image = build_image([files_layer({"etc/bench-image": f"{i}\n".encode()})], cmd=None)
        push(image, address, "bench/list", f"i{i:03d}")
        out.append(Pushed(image, address, "bench/list", f"i{i:03d}", "tiny"))
    return out


# ---------------------------------------------------------------------------------------------
# the measurements


def api_pull(sock: Path, api: str, image: Pushed) -> float:
    """Seconds of ``POST /images/create`` until the daemon ends its progress stream."""
    target = f"{api}/images/create?" + urlencode({"fromImage": image.name, "tag": image.tag})
    start = time.perf_counter()
    r = http_unix(sock, "POST", target, timeout=PULL_TIMEOUT)
    elapsed = time.perf_counter() - start
    if r.status != 200 or b'"errorDetail"' in r.body:
        raise BenchError(f"pull of {image.ref} through {sock.name} failed ({r.status}): {r.body[-500:]!r}")
    return elapsed


def timed_command(argv: list[str], timeout: float = PULL_TIMEOUT) -> float:
    """Wall time of one run, in seconds; raises BenchError if the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def paired(a: list[float], b: list[float]) -> float:
    """The median of the rounds' own ratios (the two of a round ran back to back)."""
    return median([x / y for x, y in zip(a, b, strict=True)])


def ratio_row(metric: str, a: list[float], b: list[float], target: float | None) -> Row:
    r = paired(a, b)
    return Row(
        "images",
        metric + ("" if target is not None else " (info)"),
        ms(median(a)),
        ms(median(b)),
        r,
        f"≤ {target:.2f}{X}" if target is not None else "",
        r <= target if target is not None else None,
    )


def to_ms(xs: list[float]) -> list[float]:
    return [round(x * 1000, 2) for x in xs]


@dataclass
class ImageBench:
    """The processes and images of one run, and the pulls counted for the memory figure."""

    plan: Plan
    containerd: BenchContainerd
    pouchd: ImagePouchD
    dockerd: Dockerd
    result: Result
    pulls: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PULLERS, 0))
    rss_idle: dict[str, int] = field(default_factory=dict)
    rss_after: dict[str, int] = field(default_factory=dict)
    removals: dict[str, list[float]] = field(default_factory=dict)  # seconds, until the bytes were gone

    def sock(self, who: str) -> Path:
        return self.pouchd.sock if who == "pouchd" else self.dockerd.sock

    def pid(self, who: str) -> int:
        return self.pouchd.pid if who == "pouchd" else self.dockerd.pid

    def ctr(self, *args: str) -> list[str]:
        return [str(CTR), "-a", str(self.containerd.address), "-n", CTR_NAMESPACE, *args]

    # -- one pull, one removal

    def pull(self, who: str, image: Pushed) -> float:
        """Seconds of one pull by ``who`` (pouchd, dockerd or ctr)."""
        if who == "ctr":
            seconds = timed_command(self.ctr("images", "pull", "--plain-http", image.ref))
        else:
            seconds = api_pull(self.sock(who), POUCH_API if who == "pouchd" else DOCKER_API, image)
        self.pulls[who] += 1
        return seconds

    def remove(self, who: str, image: Pushed) -> None:
        """Remove the image ``who`` pulled and wait until its bytes are gone, so that the next
        pull (by anyone: content is shared between containerd's namespaces) fetches them all.
        A daemon's VmRSS is read here after its ``rss_pulls``-th pull (outside any timing)."""
        start = time.perf_counter()
        if who == "ctr":
            timed_command(self.ctr("images", "rm", "--sync", image.ref))
        else:
            api = POUCH_API if who == "pouchd" else DOCKER_API
            r = http_unix(self.sock(who), "DELETE", f"{api}/images/{image.ref}", timeout=60)
            # pouch answers 204 (its spec), dockerd 200 with what went: the image must be gone.
            if r.status not in (200, 204) or (who == "dockerd" and b'"Deleted"' not in r.body):
                raise BenchError(f"{who} did not delete {image.ref} ({r.status}): {r.body[:300]!r}")
        if who != "dockerd":  # dockerd's layers are in its own graph driver, deleted with the image
            deadline = time.monotonic() + RELEASE_TIMEOUT
            while any(self.containerd.blob(d).exists() for d in image.digests):
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{image.ref}'s blobs are still in containerd's content store {RELEASE_TIMEOUT:.0f} s "
                        f"after {who} removed it: the next pull would not fetch them"
                    )
                time.sleep(0.005)
        self.removals.setdefault(who, []).append(time.perf_counter() - start)
        if who in DAEMONS and self.pulls[who] == self.plan.rss_pulls and who not in self.rss_after:
            time.sleep(SETTLE)
            self.rss_after[who] = rss_bytes(self.pid(who))

    # -- the benchmarks

    def pull_rows(self, image: Pushed) -> None:
        """Rounds of one pull by each of pouchd, dockerd and ctr, the order rotating."""
        for who in PULLERS:  # warm-up: the registry's files in the page cache, connections made
            self.pull(who, image)
            self.remove(who, image)
        times: dict[str, list[float]] = {who: [] for who in PULLERS}
        for i in range(self.plan.pull_rounds):
            k = i % len(PULLERS)
            for who in PULLERS[k:] + PULLERS[:k]:
                times[who].append(self.pull(who, image))
                self.remove(who, image)
        label = f"pull {image.label}"
        self.result.rows += [
            ratio_row(f"{label}: pouchd / dockerd", times["pouchd"], times["dockerd"], TARGET_VS_DOCKERD),
            ratio_row(f"{label}: pouchd / ctr pull --plain-http", times["pouchd"], times["ctr"], TARGET_VS_CTR),
            ratio_row(f"{label}: dockerd / ctr pull --plain-http", times["dockerd"], times["ctr"], None),
        ]
        for who, xs in times.items():
            self.result.samples[f"{label}, {who} (ms)"] = to_ms(xs)

    def ping_rows(self, image: Pushed) -> None:
        """The slowest /_ping during pulls of ``image``, for pouchd (judged) and dockerd (info)."""
        for who in DAEMONS:
            quiet: list[float] = []
            worst: list[float] = []
            window = 0.3
            with Pinger(self.sock(who)) as pinger:
                for _ in range(self.plan.ping_pulls):
                    t0 = time.perf_counter()
                    time.sleep(window)
                    quiet += pinger.between(t0, time.perf_counter())
                    t0 = time.perf_counter()
                    window = max(0.3, self.pull(who, image))
                    time.sleep(0.05)  # a ping held back by the end of the pull has started by now
                    loaded = pinger.between(t0, time.perf_counter())
                    if not loaded:
                        raise BenchError(f"no /_ping was sent to {who} during the pull")
                    worst.append(max(loaded))
                    self.remove(who, image)
            floor = percentile(quiet, 99)
            slowest = max(worst)
            judged = who == "pouchd"
            self.result.rows.append(
                Row(
                    "images",
                    f"slowest /_ping during a {image.label} pull, {who} (floor: quiet p99)"
                    + ("" if judged else " (info)"),
                    ms(slowest),
                    ms(floor),
                    slowest / floor,
                    f"≤ {TARGET_PING * 1000:.0f} ms" if judged else "",
                    slowest <= TARGET_PING if judged else None,
                )
            )
            self.result.samples[f"{who}: slowest /_ping per pull (ms)"] = to_ms(worst)
            self.result.samples[f"{who}: quiet /_ping p50/p99/max (ms)"] = to_ms(
                [percentile(quiet, 50), floor, max(quiet)]
            )

    def rss_rows(self, image: Pushed) -> None:
        """VmRSS after the daemon's ``rss_pulls``-th pull (pulls of ``image`` make up the count)
        against its VmRSS idle, before any pull."""
        for who in DAEMONS:
            while self.pulls[who] < self.plan.rss_pulls:
                self.pull(who, image)
                self.remove(who, image)
            idle, after = self.rss_idle[who], self.rss_after[who]
            judged = who == "pouchd"
            self.result.rows.append(
                Row(
                    "images",
                    f"{who} VmRSS after {self.plan.rss_pulls} pulls / idle" + ("" if judged else " (info)"),
                    f"{after / MiB:.1f} MiB",
                    f"{idle / MiB:.1f} MiB",
                    after / idle,
                    f"≤ {TARGET_RSS:.2f}{X}" if judged else "",
                    after / idle <= TARGET_RSS if judged else None,
                )
            )
            self.result.samples[f"{who}: VmRSS idle, after {self.plan.rss_pulls} pulls (MiB)"] = [
                round(idle / MiB, 1),
                round(after / MiB, 1),
            ]

    def cli_rows(self, command: str, argv: list[str], api: Callable[[], float], after: Callable[[], None]) -> None:
        """``pouch COMMAND`` against ``import httpx`` plus ``api`` (the daemon's time for the same
        request), in rotating order; ``after`` undoes what a run did (a pull: the image removed)."""
        pouch = installed().pouch
        probe = subprocess.run([str(pouch), command, "--help"], capture_output=True, timeout=60)
        if probe.returncode != 0:
            self.result.rows.append(
                Row("images", f"pouch {command}: skipped, the measured install has no `pouch {command}` command", "")
            )
            return
        runs: dict[str, Callable[[], float]] = {
            "pouch": lambda: timed_command(argv),
            "httpx": lambda: timed_command([installed().python, "-c", HTTPX_FLOOR]),
            "api": api,
        }
        names = list(runs)
        for name in names:  # warm-up
            runs[name]()
            if name != "httpx":
                after()
        times: dict[str, list[float]] = {name: [] for name in names}
        for i in range(self.plan.cli_rounds):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                times[name].append(runs[name]())
                if name != "httpx":
                    after()
        floor = [h + a for h, a in zip(times["httpx"], times["api"], strict=True)]
        minimums = min(times["pouch"]) / (min(times["httpx"]) + min(times["api"]))
        self.result.rows += [
            ratio_row(
                f"`pouch {command}` / import httpx + the API call: paired median", times["pouch"], floor, TARGET_CLI
            ),
            Row(
                "images",
                "…ratio of minimums",
                ms(min(times["pouch"])),
                ms(min(times["httpx"]) + min(times["api"])),
                minimums,
                f"≤ {TARGET_CLI:.2f}{X}",
                minimums <= TARGET_CLI,
            ),
        ]
        for name, xs in times.items():
            self.result.samples[f"pouch {command}: {name} (ms)"] = to_ms(xs)

    def setup_list(self, images: list[Pushed]) -> None:
        """Pull ``images`` into both daemons (four at a time), then check that each lists them all."""
        for who in DAEMONS:
            api = POUCH_API if who == "pouchd" else DOCKER_API
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda img, who=who, api=api: api_pull(self.sock(who), api, img), images))
            conn = Conn(self.sock(who))
            try:
                status, body = conn.get(f"{api}/images/json")
            finally:
                conn.close()
            if status != 200 or len(json.loads(body)) != len(images):
                raise BenchError(f"{who} lists {body[:200]!r} ({status}), not the {len(images)} images pulled")

    def list_rows(self, n: int) -> None:
        """GET /images/json latency over one keep-alive connection per daemon, alternating."""
        conns = {who: Conn(self.sock(who)) for who in DAEMONS}
        targets = {"pouchd": f"{POUCH_API}/images/json", "dockerd": f"{DOCKER_API}/images/json"}
        try:
            for who in DAEMONS:  # warm-up
                for _ in range(3):
                    conns[who].get(targets[who])
            rounds: dict[str, list[float]] = {who: [] for who in DAEMONS}
            every: dict[str, list[float]] = {who: [] for who in DAEMONS}
            for i in range(self.plan.list_rounds):
                for who in DAEMONS if i % 2 == 0 else DAEMONS[::-1]:
                    latencies = []
                    for _ in range(self.plan.list_requests):
                        start = time.perf_counter()
                        status, body = conns[who].get(targets[who])
                        latencies.append(time.perf_counter() - start)
                        if status != 200:
                            raise BenchError(f"{who} answered GET /images/json with {status}: {body[:200]!r}")
                    if len(json.loads(body)) != n:
                        raise BenchError(f"{who} listed {len(json.loads(body))} images, not {n}")
                    rounds[who].append(median(latencies))
                    every[who] += latencies
        finally:
            for conn in conns.values():
                conn.close()
        r = paired(rounds["pouchd"], rounds["dockerd"])
        self.result.rows += [
            Row(
                "images",
                f"GET /images/json, {n} images: pouchd / dockerd, median latency",
                ms(median(every["pouchd"])),
                ms(median(every["dockerd"])),
                r,
                f"≤ {TARGET_VS_DOCKERD:.2f}{X}",
                r <= TARGET_VS_DOCKERD,
            ),
            Row(
                "images",
                "…p90 latency (info)",
                ms(percentile(every["pouchd"], 90)),
                ms(percentile(every["dockerd"], 90)),
                percentile(every["pouchd"], 90) / percentile(every["dockerd"], 90),
            ),
        ]
        for who in DAEMONS:
            self.result.samples[f"GET /images/json, {who}: median per round (ms)"] = to_ms(rounds[who])


@contextlib.contextmanager
def _started(ws: Workspace) -> Iterator[tuple[Path, BenchContainerd, Registry, ImagePouchD, Dockerd]]:
    """containerd, the registry, pouchd and dockerd, stopped in reverse order on the way out
    (error or Ctrl-C too); containerd's and dockerd's leftover mounts are unmounted."""
    work = ws.subdir("images")
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
        yield work, containerd, registry, pouchd, dockerd


def run(ws: Workspace, settings: Settings) -> Result:
    problem = unavailable()
    if problem:
        raise Skipped(problem)
    plan = Plan.make(settings)
    result = Result("images")
    with _started(ws) as (_work, containerd, registry, pouchd, dockerd):
        bench = ImageBench(plan, containerd, pouchd, dockerd, result)
        images = [pull_image(size, registry.address) for size in plan.sizes_mib]
        time.sleep(SETTLE)
        for who in DAEMONS:
            bench.rss_idle[who] = rss_bytes(bench.pid(who))
        for image in images:
            bench.pull_rows(image)
        bench.ping_rows(images[-1])
        bench.rss_rows(images[0])
        small = images[0]
        host = f"unix://{pouchd.sock}"
        bench.cli_rows(
            "pull",
            [str(installed().pouch), "-H", host, "pull", small.ref],
            lambda: api_pull(pouchd.sock, POUCH_API, small),
            lambda: bench.remove("pouchd", small),
        )
        listed = small_images(plan.list_images, registry.address)
        bench.setup_list(listed)
        bench.list_rows(len(listed))

        def get_list() -> float:
            start = time.perf_counter()
            r = http_unix(pouchd.sock, "GET", f"{POUCH_API}/images/json", timeout=60)
            if r.status != 200:
                raise BenchError(f"GET /images/json answered {r.status}: {r.body[:200]!r}")
            return time.perf_counter() - start

        bench.cli_rows("images", [str(installed().pouch), "-H", host, "images"], get_list, lambda: None)
        version = containerd.version[0] if containerd.version else "?"
        for who, xs in bench.removals.items():
            result.samples[f"{who}: removal until its bytes were gone, median/max (ms)"] = to_ms([median(xs), max(xs)])
    result.notes.append(
        f"one containerd ({version}) of the bench's own, Debian's docker-registry on 127.0.0.1 serving images built "
        f"from busybox-static plus a layer of random bytes ({', '.join(i.label for i in images)}); pouchd (the "
        "bench's install) and dockerd 20.10 (Debian's docker.io: --containerd on the same socket, its own "
        "namespace, data root and exec root, no iptables or bridge) each pull with POST /images/create until "
        "the progress stream ends; the floor is `ctr images pull --plain-http` (unpacks too). dockerd 20.10 "
        "keeps images in its own graph driver (overlay2 under its data root), not in containerd's content store "
        "and snapshotter as pouchd and ctr do: all three fetch every byte and unpack it, each into its own store. "
        f"Each size: one warm-up pull by each, then {plan.pull_rounds} rounds of one pull each in rotating order; "
        "after every pull the image is removed (pouchd, dockerd: DELETE /images/NAME; ctr: `images rm --sync`) "
        "and, for pouchd and ctr, its blobs waited for to leave containerd's content store (content is shared "
        "between namespaces), so each pull fetches everything. Ratios: the median of the rounds' own ratios."
    )
    result.notes.append(
        f"stall: GET /_ping every {PING_GAP * 1000:.0f} ms over one keep-alive connection while each daemon pulls "
        f"the {images[-1].label} image {plan.ping_pulls} time(s), each pull after a quiet window; figure = the "
        f"slowest ping started during a pull, floor = quiet p99. memory: VmRSS {SETTLE:.0f} s after the daemons "
        f"started (before any pull) and {SETTLE:.0f} s after their {plan.rss_pulls}th pull (the pulls above, "
        f"topped up with the {images[0].label} image)."
    )
    result.notes.append(
        f"`pouch pull` ({images[0].label}) and `pouch images` ({plan.list_images} images): {plan.cli_rounds} rounds "
        "of the command, `import httpx` without its CLI (cli's floor) and the same API request alone, in rotating "
        "order; floor = httpx + the request. GET /images/json: "
        f"{plan.list_images} one-layer images pulled into both daemons; {plan.list_rounds} rounds of "
        f"{plan.list_requests} requests back to back over one keep-alive connection per daemon, the order "
        "flipping each round; ratio = the median of the rounds' median latencies' ratios."
    )
    return result
