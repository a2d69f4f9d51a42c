"""Hijacked connections: ``POST /containers/<id>/attach`` and ``POST /exec/<id>/start``, whose
answer (``101 UPGRADED`` or ``200 OK``) turns the HTTP connection into the process's streams.

httpx cannot hand its socket over, so :func:`hijack` opens one itself (the unix socket or TCP of
``-H``, TLS when the client options say so), writes the request as pouch's client does
(``Connection: Upgrade``, ``Upgrade: tcp``), reads the answer's head and returns the connection
with whatever bytes came after the head. :func:`copy_streams` then copies: stdin to the socket
(half-closing its write side at stdin's end, so that the process sees its input end), the socket
to stdout/stderr, demultiplexing Docker's stdcopy frames (8-byte header: stream 1 stdout, 2
stderr; big-endian length) when the process has no TTY. A stream that is not framed (pouch's
own daemon writes attach output raw) is recognised from its first bytes and copied as it is.

:func:`raw_terminal` puts the local terminal in raw mode for ``-t -i`` and :func:`follow_size`
sends its size to the resize endpoint (and again on each SIGWINCH); :func:`forward_signals`
passes SIGINT and SIGTERM on to the container (the kill endpoint) while ``run`` waits on it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import IO
from urllib.parse import quote, urlencode

from pouch_cli.client import ClientOptions, api_prefix, error_message
from pouch_cli.errors import CLIError
from pouch_common.escape import DEFAULT_DETACH_KEYS, EscapeScanner, parse_detach_keys

_HEAD_LIMIT = 64 * 1024
STDOUT, STDERR = 1, 2


class Hijacked:
    """A hijacked connection: what the daemon sent after its answer's head comes first."""

    def __init__(self, sock: socket.socket, rest: bytes, can_half_close: bool) -> None:
        self.sock, self._rest, self._can_half_close = sock, rest, can_half_close
        self._lock = threading.Lock()

    def recv(self, size: int = 65536) -> bytes:
        if self._rest:
            data, self._rest = self._rest, b""
            return data
        try:
            return self.sock.recv(size)
        except (ConnectionResetError, BrokenPipeError):
            return b""

    def sendall(self, data: bytes) -> None:
        with self._lock:
            self.sock.sendall(data)

    def close_write(self) -> None:
        """The end of our input: half-close (a TLS socket cannot, without ending the session)."""
        if self._can_half_close:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_WR)

    def shutdown(self) -> None:
        """Both ways at once: a read waiting in another thread returns."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def api_path(path: str) -> str:
    """``path`` under the API version prefix (``POUCH_API_VERSION``, default ours, as build_client)."""
    from pouch_common.version import API_VERSION

    return api_prefix(os.environ.get("POUCH_API_VERSION", API_VERSION)) + path


def container_path(container: str, tail: str) -> str:
    return f"/containers/{quote(container, safe='')}/{tail}"


def _connect(opts: ClientOptions) -> tuple[socket.socket, str, bool]:
    """The socket to the daemon, the Host header for it, and whether it can be half-closed."""
    host = opts.host
    try:
        if host.startswith("unix://"):
            path = host[len("unix://") :]
            if not path:
                raise CLIError(f"invalid host {host!r}: no socket path")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(opts.timeout)
                sock.connect(path)
            except BaseException:
                sock.close()
                raise
            return sock, "d", True
        if not host.startswith("tcp://"):
            raise CLIError(f"invalid host {host!r}: want unix:///path or tcp://host:port")
        address = host[len("tcp://") :].rstrip("/")
        name, _, port_text = address.rpartition(":")
        if not name or not port_text.isdigit():
            raise CLIError(f"invalid host {host!r}: want tcp://host:port")
        name = name.strip("[]")
        sock = socket.create_connection((name, int(port_text)), timeout=opts.timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if opts.tls is None:
            return sock, address, True
        try:
            return opts.tls.ssl_context().wrap_socket(sock, server_hostname=name), address, False
        except BaseException:
            sock.close()
            raise
    except OSError as e:
        raise CLIError(f"cannot connect to pouchd at {host}: {e} (is pouchd running?)") from None


def hijack(
    opts: ClientOptions,
    action: str,
    path: str,
    params: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Hijacked:
    """Send ``POST <path>`` asking for the connection and return it once the daemon agreed (101 or
    200); any other answer is a CLIError ``<action>: <daemon's message>``."""
    sock, host_header, can_half_close = _connect(opts)
    target = api_path(path) + ("?" + urlencode(params) if params else "")
    from pouch_cli import __version__

    lines = [
        f"POST {target} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: pouch-cli/{__version__}",
        "Connection: Upgrade",
        "Upgrade: tcp",
        f"Content-Type: {'application/json' if body is not None else 'text/plain'}",
        f"Content-Length: {len(body or b'')}",
    ]
    if opts.debug:
        print(f"DEBU[pouch] POST {target} (hijack)", file=sys.stderr)
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        head, rest = _read_head(sock)
        status, headers = _parse_head(head)
        if opts.debug:
            print(f"DEBU[pouch] <- {status}", file=sys.stderr)
        if status in (101, 200):
            sock.settimeout(None)  # from now on the process decides how long it lasts
            return Hijacked(sock, rest, can_half_close)
        content = _read_body(sock, headers, rest)
    except OSError as e:
        sock.close()
        raise CLIError(f"{action}: talking to pouchd at {opts.host}: {e}") from None
    sock.close()
    raise CLIError(f"{action}: {error_message(status, content)}")


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > _HEAD_LIMIT:
            raise OSError("the daemon's answer has no end of its head")
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("the daemon closed the connection before answering")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise OSError(f"not an HTTP answer: {lines[0][:100]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def _read_body(sock: socket.socket, headers: dict[str, str], rest: bytes) -> bytes:
    """An error answer's body: by Content-Length, chunked, or up to the close (at most 64 KiB)."""
    data = rest
    length = headers.get("content-length")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    while len(data) < _HEAD_LIMIT:
        if length is not None and length.isdigit() and len(data) >= int(length):
            return data[: int(length)]
        if chunked and b"\r\n0\r\n" in b"\r\n" + data:
            break
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return _dechunk(data) if chunked else data


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, sep, data = data.partition(b"\r\n")
        if not sep:
            break
        try:
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            break
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return out


class Demuxer:
    """Docker's stdcopy, incrementally: :meth:`feed` bytes as they come, get ``(stream, payload)``
    back (stream 1 stdout, 2 stderr; 0, stdin, is shown on stdout and 3, an error, on stderr, as
    Go's StdCopy does). Bytes that do not start with a frame header (a daemon that writes the
    stream raw) switch it to copying everything to stdout."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.raw = False

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        if self.raw:
            return [(STDOUT, data)] if data else []
        self._buf += data
        out: list[tuple[int, bytes]] = []
        buf = self._buf
        while buf:
            if not _header_prefix_ok(buf[:8]):
                self.raw = True
                out.append((STDOUT, bytes(buf)))
                buf.clear()
                break
            if len(buf) < 8:
                break
            size = int.from_bytes(buf[4:8], "big")
            if len(buf) < 8 + size:
                break
            stream = buf[0]
            payload = bytes(buf[8 : 8 + size])
            del buf[: 8 + size]
            if payload:
                out.append((STDERR if stream in (2, 3) else STDOUT, payload))
        return out

    def leftover(self) -> bytes:
        """A frame cut short by the end of the stream (its header included)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data


def _header_prefix_ok(prefix: bytes | bytearray) -> bool:
    return prefix[0] <= 3 and all(b == 0 for b in prefix[1:4])


def demux_all(data: bytes) -> tuple[bytes, bytes]:
    """A whole stdcopy stream as (stdout, stderr): for tests and one-shot answers."""
    d = Demuxer()
    out, err = bytearray(), bytearray()
    for stream, payload in d.feed(data):
        (err if stream == STDERR else out).extend(payload)
    return bytes(out), bytes(err)


def write_output(chunks: Iterator[bytes], tty: bool, out: IO[bytes], err: IO[bytes]) -> None:
    """Copy ``chunks`` to ``out`` (a TTY's raw bytes) or demultiplex them to ``out``/``err``."""
    demux = None if tty else Demuxer()
    for data in chunks:
        if demux is None:
            out.write(data)
            out.flush()
            continue
        for stream, payload in demux.feed(data):
            target = err if stream == STDERR else out
            target.write(payload)
            target.flush()


def _recv_all(conn: Hijacked) -> Iterator[bytes]:
    while True:
        data = conn.recv()
        if not data:
            return
        yield data


def _pump_stdin(conn: Hijacked, fd: int, detach_keys: bytes | None, detached: threading.Event) -> None:
    """stdin to the connection until its end, then half-close; a gone peer ends it quietly. The
    ``detach_keys`` (a TTY's), typed, are not sent: the connection is shut and ``detached`` set."""
    scanner = EscapeScanner(detach_keys) if detach_keys else None
    try:
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            hit = False
            if scanner is not None:
                data, hit = scanner.feed(data)
            if data:
                conn.sendall(data)
            if hit:
                detached.set()
                conn.shutdown()
                return
    except OSError:
        return
    conn.close_write()


def copy_streams(conn: Hijacked, *, stdin: bool, tty: bool, detach_keys: bytes | None = None) -> bool:
    """Copy until the daemon ends the output: stdin in a thread of its own when ``stdin``. With a
    TTY, the ``detach_keys`` typed (ctrl-p ctrl-q unless given) end it at once, as the Docker CLI
    does: True then (the process runs on)."""
    detached = threading.Event()
    if stdin:
        keys = (detach_keys or DEFAULT_DETACH_KEYS) if tty else None
        threading.Thread(target=_pump_stdin, args=(conn, sys.stdin.fileno(), keys, detached), daemon=True).start()
    sys.stdout.flush()
    sys.stderr.flush()
    write_output(_recv_all(conn), tty, sys.stdout.buffer, sys.stderr.buffer)
    return detached.is_set()


def check_tty(attach_stdin: bool, tty: bool) -> None:
    """pouch's checkTty: a TTY with stdin attached needs a terminal to read from."""
    if tty and attach_stdin and not os.isatty(sys.stdin.fileno()):
        raise CLIError("the input device is not a TTY")


@contextlib.contextmanager
def raw_terminal(enabled: bool) -> Iterator[None]:
    """The terminal on stdin in raw mode (keys go to the container as typed) for the block."""
    if not enabled or not os.isatty(sys.stdin.fileno()):
        yield
        return
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
    except termios.error:
        raise CLIError("failed to set raw mode") from None
    try:
        yield
    finally:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def terminal_size() -> tuple[int, int] | None:
    """(height, width) of the terminal on stdout or stdin, None without one."""
    for stream in (sys.stdout, sys.stdin):
        try:
            size = os.get_terminal_size(stream.fileno())
        except (OSError, ValueError):
            continue
        return size.lines, size.columns
    return None


def follow_size(resize: Callable[[int, int], None]) -> None:
    """Send the terminal's size now (a few tries: the process may not be up yet) and on each SIGWINCH."""
    size = terminal_size()
    if size is None or size == (0, 0):
        return
    for _ in range(16):
        try:
            resize(*size)
            break
        except CLIError:
            continue

    def on_winch(_signum: int, _frame: FrameType | None) -> None:
        new = terminal_size()
        if new is not None:
            threading.Thread(target=_quietly, args=(resize, *new), daemon=True).start()

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGWINCH, on_winch)


def _quietly(resize: Callable[[int, int], None], height: int, width: int) -> None:
    with contextlib.suppress(CLIError):
        resize(height, width)


@contextlib.contextmanager
def forward_signals(kill: Callable[[str], None]) -> Iterator[None]:
    """SIGINT and SIGTERM received meanwhile are sent on to the container (``kill(name)``); the
    third of a kind (a container that ignores it) ends this process as the signal would."""

    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if received.count(signum) >= 3:  # the container ignores it: the third one is ours
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        name = signal.Signals(signum).name
        threading.Thread(target=_quietly_kill, args=(kill, name), daemon=True).start()

    saved = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            saved[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


def _quietly_kill(kill: Callable[[str], None], name: str) -> None:
    with contextlib.suppress(CLIError):
        kill(name)


def resize_container(opts: ClientOptions, container: str, height: int, width: int) -> None:
    from pouch_cli.client import call
    from pouch_client.api.container import container_resize

    call(opts, "failed to resize container", container_resize.sync_detailed, id=container, h=str(height), w=str(width))


def kill_container(opts: ClientOptions, container: str, signal_name: str) -> None:
    from pouch_cli.client import call
    from pouch_client.api.container import container_kill

    call(opts, "failed to kill container", container_kill.sync_detailed, id=container, signal=signal_name)


def attach_and_start(
    opts: ClientOptions,
    container: str,
    start: Callable[[], None],
    *,
    stdin: bool,
    tty: bool,
    detach_keys: str | None = None,
) -> bool:
    """``run`` and ``start -a``: attach to ``container`` (its output from the start on), call
    ``start``, then copy the streams until the output ends, or the user detaches (True). With a
    TTY the terminal is raw (when stdin is attached) and sized; without one, SIGINT and SIGTERM
    are passed on to the container."""
    keys = parse_keys(detach_keys)
    params = {"stream": "1", "stdin": "1" if stdin else "0", "stdout": "1", "stderr": "1"}
    if detach_keys:
        params["detachKeys"] = detach_keys
    with raw_terminal(stdin and tty):
        conn = hijack(opts, "failed to attach container", container_path(container, "attach"), params)
        try:
            start()
            if tty:
                follow_size(lambda h, w: resize_container(opts, container, h, w))
                return copy_streams(conn, stdin=stdin, tty=tty, detach_keys=keys)
            with forward_signals(lambda name: kill_container(opts, container, name)):
                return copy_streams(conn, stdin=stdin, tty=tty)
        finally:
            conn.close()


def parse_keys(text: str | None) -> bytes:
    """``--detach-keys`` as bytes (ctrl-p ctrl-q when not given); a CLIError when bad."""
    try:
        return parse_detach_keys(text)
    except ValueError as e:
        raise CLIError(str(e)) from None
