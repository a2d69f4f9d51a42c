"""One pouchd process, for the benchmarks and the test suite alike: a temporary unix socket (and,
with ``tcp``, a port of 127.0.0.1), its own home directory and log file, and no config file of the
host's; started, waited for until it answers ``GET /_ping``, stopped.

Standard library only: bench/common.py runs it from the bench's own install in production mode,
tests/helpers.py from the dev install with response validation on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from pouch_testing import containerd
from pouch_testing.process import LoggedProcess, NotReady


def names_config_file(flags: Sequence[str]) -> bool:
    """Whether ``flags`` give pouchd a ``--config-file`` (either spelling)."""
    return any(f == "--config-file" or f.startswith("--config-file=") for f in flags)


def with_config_file(flags: Sequence[str], config_file: str = "") -> list[str]:
    """``flags`` and ``--config-file CONFIG_FILE`` unless they name one themselves: a test that
    means a config file passes its own, and a daemon never gets two. The default, ``""``, is
    pouchd's "no config file at all" (pouch skips an empty one): without it a test daemon would
    read the host's /etc/pouch/config.json (as root) or ~/.config/pouch/config.json."""
    return list(flags) if names_config_file(flags) else [*flags, "--config-file", config_file]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ping(sock: Path, timeout: float = 5.0) -> bool:
    """Whether ``GET /_ping`` over the unix socket ``sock`` is answered 200 (False when nothing
    listens there yet). Raw bytes, no client library: cheap enough to poll every few ms."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(sock))
            s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
            head = b""
            while b"\r\n" not in head and len(head) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
    except OSError:
        return False
    return head.startswith(b"HTTP/1.1 200 ")


def _runs_containerd(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("containerd")
    except OSError:
        return False


class PouchD(LoggedProcess):
    """One pouchd started with ``--listen unix://SOCK`` (and ``tcp://127.0.0.1:PORT``) and
    ``--home-dir``; ``extra`` flags follow those. Its config file is ``config_file``, none at all
    by default (``--config-file ""``), unless ``extra`` names one (:func:`with_config_file`)."""

    kind = "pouchd"

    def __init__(
        self,
        workdir: Path,
        *extra: str,
        executable: str | os.PathLike[str],
        name: str = "pouchd",
        tcp: bool = True,
        home: Path | None = None,
        sock: Path | None = None,
        env: Mapping[str, str] | None = None,
        validate: bool = False,
        config_file: str = "",
        containerd: str = "shared",
    ) -> None:
        self.workdir = workdir
        self.name = name  # names its files in workdir (the memory bench's wrk script too)
        self.executable = os.fspath(executable)
        self.extra = list(extra)
        self.sock = sock or workdir / f"{name}.sock"
        self.home = home or workdir / f"{name}-home"
        self.port = free_port() if tcp else None
        self.env = env  # added to this process's environment
        self.validate = validate  # --validate-responses: every answer checked against the spec
        self.config_file = config_file
        self.log_path = workdir / f"{name}-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        # Which containerd: "shared" (the process's one, pouch_testing.containerd.shared(), in a
        # namespace of this daemon's own), "own" (pouchd starts its own, as in production) or the
        # socket of one to use.
        self.containerd = containerd
        self._socket_dir: Path | None = None
        self.namespace = "t" + hashlib.sha256(os.fsencode(self.home)).hexdigest()[:16]

    @property
    def host(self) -> str:
        """The unix socket as pouch's ``-H`` takes it."""
        return f"unix://{self.sock}"

    @property
    def url(self) -> str:
        """The base URL of the TCP listener."""
        if self.port is None:
            raise ValueError("this pouchd has no TCP listener (tcp=False)")
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise ValueError("pouchd was not started")
        return self.proc.pid

    @property
    def containerd_address(self) -> str:
        """The socket this pouchd's containerd listens on."""
        if self.containerd == "shared":
            return str(containerd.shared().address)
        if self.containerd == "own":
            if self._socket_dir is None:  # short: a unix socket's path is at most 107 bytes
                self._socket_dir = Path(tempfile.mkdtemp(prefix="pd-", dir="/tmp"))
            return str(self._socket_dir / "containerd.sock")
        return self.containerd

    def containerd_flags(self) -> list[str]:
        given = any(f in ("-c", "--containerd") or f.startswith("--containerd=") for f in self.extra)
        flags = [] if given else ["--containerd", self.containerd_address]
        if not any(f.startswith("--default-namespace") for f in self.extra):
            flags += ["--default-namespace", self.namespace]
        return flags

    def argv(self) -> list[str]:
        args = [self.executable, "--listen", self.host, "--home-dir", str(self.home), *self.containerd_flags()]
        if self.validate:
            args.append("--validate-responses")
        if self.port is not None:
            args += ["--listen", f"tcp://127.0.0.1:{self.port}"]
        return args + with_config_file(self.extra, self.config_file)

    def _popen(self, argv: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
        """Start the process (the benchmarks also keep track of every process they start)."""
        env = None if self.env is None else {**os.environ, **self.env}
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)

    def start(self, wait: bool = True, timeout: float = 30.0) -> Self:
        """Start pouchd (again, after a stop: its log goes on in the same file) and, with ``wait``,
        wait until it answers; one that does not is stopped, and that is an error."""
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = self._popen(self.argv(), log)
        if wait:
            try:
                self.wait_ready(timeout)
            except BaseException:
                self.proc.kill()
                self.proc.wait()
                raise
        return self

    def wait_ready(self, timeout: float = 30.0, interval: float = 0.01) -> float:
        """Poll ``GET /_ping`` on the unix socket until it answers 200: the ``time.monotonic()``
        of that answer."""
        if self.proc is None:
            raise ValueError("pouchd was not started")
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise NotReady(f"pouchd exited with {self.proc.returncode}:\n{self.logs()}")
            if ping(self.sock, timeout=max(0.1, deadline - time.monotonic())):
                return time.monotonic()
            if time.monotonic() > deadline:
                raise NotReady(f"pouchd not ready after {timeout}s:\n{self.logs()}")
            time.sleep(interval)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Send ``sig`` unless pouchd has exited already, and wait for its exit: its status. One
        still running after ``timeout`` seconds is killed, and that is an error."""
        if self.proc is None:
            raise ValueError("pouchd was not started")
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"pouchd did not stop within {timeout}s:\n{self.log_tail()}") from None
        return self.proc.returncode

    def cleanup(self) -> None:
        """After pouchd has stopped: a containerd of its own that outlived it (pouchd killed)
        killed, whatever it mounted under the home unmounted, its socket directory removed."""
        state = self.home / "containerd" / "state"
        pid_text = ""
        with contextlib.suppress(OSError):
            pid_text = (state / "containerd.pid").read_text().strip()
        if pid_text.isdigit() and _runs_containerd(int(pid_text)):
            with contextlib.suppress(OSError):
                os.kill(int(pid_text), signal.SIGKILL)
                deadline = time.monotonic() + 10
                while os.path.exists(f"/proc/{pid_text}") and time.monotonic() < deadline:
                    time.sleep(0.01)
        self.kill_containers()
        top = self.home / "containerd"
        if top.exists():
            for point in containerd.mounts_under(top):
                subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    def kill_containers(self) -> None:
        """The containers pouchd left running (they outlive it, as in production): their
        processes and shims killed, their root filesystems unmounted, their cgroups removed."""
        runc_root = self.home / "runc" / self.namespace  # the shim's runc root: <root>/<namespace>
        ids = [e.name for e in os.scandir(runc_root)] if runc_root.is_dir() else []
        for cid in ids:
            subprocess.run(["runc", "--root", str(runc_root), "kill", "--all", cid, "KILL"], capture_output=True)
            subprocess.run(["runc", "--root", str(runc_root), "delete", "--force", cid], capture_output=True)
        marker = f"-namespace\0{self.namespace}\0".encode()
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"containerd-shim" in cmdline and marker in cmdline:
                    os.kill(int(pid), signal.SIGKILL)
        for point in containerd.mounts_under(Path("/")):
            if f"/io.containerd.runtime.v2.task/{self.namespace}/" in point:
                subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
        cgroups = Path("/sys/fs/cgroup")
        for group in [*cgroups.glob(f"*/{self.namespace}"), cgroups / self.namespace]:
            if group.is_dir():
                for child in sorted(group.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                    if child.is_dir():
                        with contextlib.suppress(OSError):
                            child.rmdir()
                with contextlib.suppress(OSError):
                    group.rmdir()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            self.stop()
        self.cleanup()
