"""One containerd process of the tests' (and the benchmarks') own: its root, state, sockets and log
under a directory of theirs, a config file written for it (never the host's ``/etc/containerd``),
started, waited for until ``Version`` answers on its socket, stopped, with nothing left behind.

Standard library only (with pouch_common, the config pouchd runs its containerd with), like
:mod:`pouch_testing.pouchd`: the readiness probe speaks just enough
HTTP/2 to make containerd's ``Version`` call, so neither grpcio nor ``ctr`` is needed to know that
containerd answers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from pouch_common.containerd import TTRPC_SUFFIX, config_toml
from pouch_testing.process import LoggedProcess, NotReady

# A unix socket's path is at most 107 bytes on Linux, and containerd listens on ADDRESS.ttrpc too.
SOCKET_PATH_MAX = 107


# ---- the readiness probe: containerd's Version over a bare HTTP/2 connection --------------------

_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_DATA, _HEADERS, _RST_STREAM, _SETTINGS, _GOAWAY = 0x0, 0x1, 0x3, 0x4, 0x7
_END_STREAM, _END_HEADERS, _ACK = 0x1, 0x4, 0x1
VERSION_PATH = "/containerd.services.version.v1.Version/Version"


def _frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def _hpack_int(value: int, prefix_bits: int, first: int) -> bytes:
    """RFC 7541 5.1: ``value`` with an N-bit prefix, ``first`` holding the pattern bits above it."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    return bytes([*out, value])


def _hpack_str(value: str) -> bytes:
    raw = value.encode()
    return _hpack_int(len(raw), 7, 0) + raw  # not Huffman coded


def _request_headers(path: str) -> bytes:
    """The request's header block: indexed :method POST and :scheme http, the rest literal
    without indexing (RFC 7541 6.2.2), so that no dynamic table is involved."""
    return (
        b"\x83\x86"  # :method POST, :scheme http (static table 3 and 6)
        + _hpack_int(4, 4, 0)  # :path
        + _hpack_str(path)
        + _hpack_int(1, 4, 0)  # :authority
        + _hpack_str("localhost")
        + _hpack_int(31, 4, 0)  # content-type
        + _hpack_str("application/grpc")
        + b"\x00"
        + _hpack_str("te")
        + _hpack_str("trailers")
    )


def _read_exact(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def _proto_strings(message: bytes) -> dict[int, str]:
    """The length-delimited fields of a protobuf message by number (VersionResponse has two)."""
    fields: dict[int, str] = {}
    i = 0
    while i < len(message):
        key, i = _varint(message, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, i = _varint(message, i)
        elif wire == 2:
            size, i = _varint(message, i)
            fields[number] = message[i : i + size].decode(errors="replace")
            i += size
        else:  # not in VersionResponse: stop rather than misread
            break
    return fields


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def probe_version(address: Path | str, timeout: float = 2.0) -> tuple[str, str] | None:
    """containerd's ``(version, revision)`` from its Version call on the unix socket ``address``,
    or None while nothing answers it there (no socket, a refused connection, no answer in time,
    or an answer without a message)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(os.fspath(address))
            s.sendall(
                _PREFACE
                + _frame(_SETTINGS, 0, 0)
                + _frame(_HEADERS, _END_HEADERS, 1, _request_headers(VERSION_PATH))
                + _frame(_DATA, _END_STREAM, 1, b"\x00\x00\x00\x00\x00")  # google.protobuf.Empty
            )
            message = b""
            while True:
                length, kind, flags, stream = struct.unpack(">IBBI", b"\x00" + _read_exact(s, 9))
                payload = _read_exact(s, length)
                if kind == _SETTINGS and not flags & _ACK:
                    s.sendall(_frame(_SETTINGS, _ACK, 0))
                elif kind == _GOAWAY or (kind == _RST_STREAM and stream == 1):
                    return None
                elif kind == _DATA and stream == 1:
                    message += payload
                    # A gRPC message: a compression flag, its length, then the bytes.
                    if len(message) >= 5 and len(message) >= 5 + int.from_bytes(message[1:5], "big"):
                        fields = _proto_strings(message[5 : 5 + int.from_bytes(message[1:5], "big")])
                        return fields.get(1, ""), fields.get(2, "")
                if kind in (_DATA, _HEADERS) and stream == 1 and flags & _END_STREAM:
                    return None  # the call ended without a message: an error status
    except (OSError, ConnectionError, struct.error, IndexError):
        return None


# ---- the process --------------------------------------------------------------------------------


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below ``path``, deepest first (as they must be unmounted)."""
    prefix = os.path.realpath(path)
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            # Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
            point = line.split(" ")[4].encode().decode("unicode_escape")
            if point == prefix or point.startswith(prefix + "/"):
                points.append(point)
    return sorted(points, key=len, reverse=True)


class Containerd(LoggedProcess):
    """One containerd in ``workdir``: ``root/``, ``state/``, ``containerd.toml`` and its log there.
    Its socket is ``workdir/c.sock`` unless that path is too long for a unix socket (with the
    ``.ttrpc`` containerd adds), then in a short directory of /tmp made for it and removed at
    :meth:`stop`. ``binary`` is the containerd to run (default: ``containerd`` on PATH)."""

    def __init__(self, workdir: Path, *, binary: str = "containerd", debug: bool = False) -> None:
        self.workdir = workdir
        self.binary = binary
        self.debug = debug
        self.root = workdir / "root"
        self.state = workdir / "state"
        self.config_path = workdir / "containerd.toml"
        self.log_path = workdir / "containerd.log"
        self._socket_dir: Path | None = None
        address = workdir / "c.sock"
        if len(os.fsencode(address)) + len(TTRPC_SUFFIX) > SOCKET_PATH_MAX:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="ctrd-", dir="/tmp"))
            address = self._socket_dir / "c.sock"
        self.address = address
        self.proc: subprocess.Popen[bytes] | None = None
        self.version: tuple[str, str] | None = None  # (version, revision), once it answered

    @staticmethod
    def available(binary: str = "containerd") -> str | None:
        """Why a private containerd cannot run here (it must be root and installed), or None."""
        if os.geteuid() != 0:
            return "containerd needs root"
        if shutil.which(binary) is None:
            return f"{binary} is not installed (scripts/setup.sh --dev installs Debian's, as root)"
        return None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise ValueError("containerd was not started")
        return self.proc.pid

    def argv(self) -> list[str]:
        return [self.binary, "--config", str(self.config_path)]

    def _popen(self, argv: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
        """Start the process (the benchmarks also keep track of every process they start)."""
        # Its own session: a signal meant for the test run's process group does not reach it,
        # and NOTIFY_SOCKET is dropped so it never talks to the host's systemd.
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )

    def start(self, wait: bool = True, timeout: float = 20.0) -> Self:
        """Write the config and start containerd (again, after a stop: its log goes on in the
        same file); with ``wait``, wait until Version answers. One that does not is stopped, and
        that is an error."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.address.parent.mkdir(parents=True, exist_ok=True)  # the short socket directory, after a stop
        self.config_path.write_text(config_toml(self.root, self.state, self.address, debug=self.debug))
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = self._popen(self.argv(), log)
        if wait:
            try:
                self.wait_ready(timeout)
            except BaseException:
                self.stop(signal.SIGKILL)
                raise
        return self

    def wait_ready(self, timeout: float = 20.0, interval: float = 0.01) -> tuple[str, str]:
        """Poll Version on the socket until it answers: containerd's (version, revision)."""
        if self.proc is None:
            raise ValueError("containerd was not started")
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise NotReady(f"containerd exited with {self.proc.returncode}:\n{self.log_tail()}")
            version = probe_version(self.address, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
            if version is not None:
                self.version = version
                return version
            if time.monotonic() > deadline:
                raise NotReady(f"containerd did not answer Version within {timeout}s:\n{self.log_tail()}")
            time.sleep(interval)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send ``sig`` unless containerd has exited already and wait for it, killing it after
        ``timeout`` seconds; then unmount whatever is still mounted under its root and state,
        and remove its sockets. Its exit status."""
        if self.proc is None:
            raise ValueError("containerd was not started")
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for top in (self.root, self.state):
            if top.exists():
                for point in mounts_under(top):
                    subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
        for path in (self.address, Path(str(self.address) + TTRPC_SUFFIX)):
            path.unlink(missing_ok=True)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            self.stop()


# ---- one containerd shared by the test daemons of a process -------------------------------------

_shared: Containerd | None = None


def shared() -> Containerd:
    """The containerd this process's test daemons share (each pouchd in a namespace of its own),
    started on first use in a directory of /tmp and stopped, with that directory removed, when the
    process exits. One containerd for a whole test run instead of one per daemon: a test daemon
    then starts as fast as before, and nothing is left running between tests."""
    global _shared
    if _shared is None:
        problem = Containerd.available()
        if problem is not None:
            raise NotReady(f"no containerd for the test daemons: {problem}")
        workdir = Path(tempfile.mkdtemp(prefix="pouch-ctrd-", dir="/tmp"))
        containerd = Containerd(workdir)
        atexit.register(_stop_shared, containerd, workdir)
        _shared = containerd.start()
    return _shared


def _stop_shared(containerd: Containerd, workdir: Path) -> None:
    if containerd.proc is not None:
        containerd.stop()
    shutil.rmtree(workdir, ignore_errors=True)
