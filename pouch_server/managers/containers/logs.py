"""A container's json-file log (pouch's daemon/logger/jsonfile, Docker's json-file driver).

``<container dir>/json.log`` holds one JSON object per line, in pouch's key order::

    {"stream":"stdout","log":"hi\\n","time":"2026-12-05T07:00:00.123456789Z"}

:class:`JSONFileLog` writes it: the event loop hands it chunks of output and one writer thread
splits them into lines, encodes and appends them, and rotates the file. :func:`read_log` reads it
back for the logs API (tail, since/until, follow), off the loop and in bounded memory.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import errno
import json
import logging
import os
import queue
import re
import struct
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pouch_server.errors import APIError
from pouch_server.gojson import go_string
from pouch_server.gojson import go_time as format_time
from pouch_server.gojson import go_time_fixed as format_time_fixed
from pouch_server.gojson import parse_go_time as parse_time

log = logging.getLogger("pouchd")

LOG_NAME: Final = "json.log"
#: A line without its end is written as an entry of its own once it is this long (Docker's copier buffer).
PARTIAL_LIMIT: Final = 16 * 1024
#: Output handed to the writer thread and not yet written: :meth:`JSONFileLog.drain` waits above this.
MAX_PENDING: Final = 4 << 20
#: How much of the file the reader takes in at a time.
READ_BLOCK: Final = 256 * 1024
#: How often ``follow`` looks for new lines.
FOLLOW_POLL: Final = 0.1
#: A line longer than this in the file is not a log entry (entries are at most ~100 KiB): skipped.
MAX_LINE: Final = 1 << 20

_STREAM_IDS: Final = {"stdin": 0, "stdout": 1, "stderr": 2}
_FRAME: Final = struct.Struct(">BxxxI")


_UNIX_TIME: Final = re.compile(r"(-?\d+)(?:\.(\d+))?")


def parse_unix_time(text: str) -> int:
    """A ``since``/``until`` value as the Docker clients send it (``1700000000``,
    ``1700000000.123456789``; an RFC 3339 time is taken too) in Unix nanoseconds; 400 otherwise."""
    value = text.strip()
    match = _UNIX_TIME.fullmatch(value)
    if match is not None and value.isascii():
        seconds = int(match.group(1))
        # Docker reads the part after the dot as a decimal fraction (``.5`` is half a second).
        fraction = int((match.group(2) or "")[:9].ljust(9, "0"))
        return seconds * 1_000_000_000 + (-fraction if value.startswith("-") else fraction)
    try:
        return parse_time(value)
    except ValueError:
        pass
    raise APIError(400, f"invalid time value {text!r}: want Unix seconds (1700000000.123456789) or RFC 3339")


# --- writing ------------------------------------------------------------------------------------------
def _go_replace(error: UnicodeError) -> tuple[str, int]:
    """Go's json encoder turns each byte of invalid UTF-8 into U+FFFD, one by one (Python's
    ``replace`` would give one for a whole broken sequence)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "\ufffd", error.start + 1


codecs.register_error("pouch-go-replace", _go_replace)


def encode_entry(stream: str, line: bytes, time_ns: int) -> bytes:
    """One line of json.log (with its newline)."""
    text = go_string(line.decode("utf-8", "pouch-go-replace"))
    return f'{{"stream":"{stream}","log":{text},"time":"{format_time(time_ns)}"}}\n'.encode()


def _utf8_cut(data: bytes | bytearray, limit: int) -> int:
    """Where to cut ``data`` at most ``limit`` bytes in, not inside a UTF-8 sequence when it can help it."""
    if len(data) <= limit:
        return len(data)
    for back in range(min(4, limit)):
        if data[limit - back] & 0xC0 != 0x80:  # not a continuation byte: a character starts here
            return limit - back
    return limit  # no character starts near: not UTF-8 anyway


class JSONFileLog:
    """The json-file log of one container at ``directory/json.log``, rotated at ``max_size`` bytes
    (0: never) keeping ``max_file - 1`` rotated files (``json.log.1`` the newest; ``max_file`` 1:
    the file is truncated in place).

    Called from the event loop: :meth:`write` never blocks, it queues the chunk for the writer
    thread. Back-pressure is the caller's part: ``await drain()`` after writes waits while more
    than :data:`MAX_PENDING` bytes are queued (the container's output copier does, so a container
    that prints faster than the disk takes it is slowed down instead of filling memory).
    :meth:`close` is async: it flushes held partial lines, waits for the thread to write
    everything and closes the file.
    """

    def __init__(self, directory: Path, max_size: int = 0, max_file: int = 1) -> None:
        self.path = Path(directory) / LOG_NAME
        self.max_size = max(0, int(max_size))
        self.max_file = max(1, int(max_file))
        self._queue: queue.SimpleQueue[tuple[str, bytes, int] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending = 0  # bytes queued and not yet written (under _lock)
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        # The writer thread's own state.
        self._fd = -1
        self._size = 0
        self._partial: dict[str, bytearray] = {}
        self._partial_time: dict[str, int] = {}
        self._failed: str | None = None

    # --- the loop's side ------------------------------------------------------------------------
    def write(self, stream: str, data: bytes, time_ns: int) -> None:
        """Queue ``data`` read from ``stream`` ("stdout"/"stderr") at ``time_ns``; never blocks."""
        if self._closed or not data:
            return
        with self._lock:
            self._pending += len(data)
        self._ensure_thread()
        self._queue.put((stream, bytes(data), time_ns))

    @property
    def pending(self) -> int:
        """Bytes queued for the writer thread and not yet written."""
        return self._pending

    async def drain(self) -> None:
        """Return once no more than :data:`MAX_PENDING` bytes wait for the writer thread."""
        if self._pending <= MAX_PENDING:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._pending <= MAX_PENDING or self._thread is None or not self._thread.is_alive():
                return
            entry = (loop, future)
            self._waiters.append(entry)
        try:
            await future
        finally:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    async def close(self) -> None:
        """Write out what is queued and any held partial line, then close the file (idempotent)."""
        if not self._closed:
            self._closed = True
            if self._thread is not None:
                self._queue.put(None)
        thread = self._thread
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"json-log {self.path.parent.name[:12]}", daemon=True
            )
            self._thread.start()

    def _wake(self, force: bool = False) -> None:
        """Wake the drains once the backlog is down to half (under _lock; called by the thread)."""
        if not self._waiters or (self._pending > MAX_PENDING // 2 and not force):
            return
        waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(_resolve, future)

    # --- the writer thread ------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                entries = self._split(*item)
                taken = len(item[1])
                # Take whatever else is queued too (up to 1 MiB): one write for a burst of chunks.
                stop = False
                while taken < 1 << 20:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    entries += self._split(*more)
                    taken += len(more[1])
                self._write(entries)
                with self._lock:
                    self._pending -= taken
                    self._wake()
                if stop:
                    break
            tail: list[bytes] = []
            for stream, held in self._partial.items():
                if held:
                    tail.append(encode_entry(stream, bytes(held), self._partial_time[stream]))
            self._partial.clear()
            self._write(tail)
        except Exception:  # a bug, not the disk (_write takes OSError): nothing more is written
            log.exception("json-file log %s: the writer stopped", self.path)
        finally:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            with self._lock:
                self._pending = 0
                self._wake(force=True)

    def _split(self, stream: str, data: bytes, time_ns: int) -> list[bytes]:
        """The entries ``data`` completes: its lines (each with its ``\\n``), the line held from
        before first; the rest is held, and written in 16 KiB pieces once it is that long."""
        entries: list[bytes] = []
        held = self._partial.get(stream)
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            if held:
                held += data[start : end + 1]
                self._emit(entries, stream, held, self._partial_time[stream])
                held.clear()
            else:
                self._emit(entries, stream, data[start : end + 1], time_ns)
            start = end + 1
        if start < len(data):
            if held is None:
                held = self._partial[stream] = bytearray()
            if not held:
                self._partial_time[stream] = time_ns
            held += data[start:]
            if len(held) >= PARTIAL_LIMIT:
                while len(held) >= PARTIAL_LIMIT:
                    cut = _utf8_cut(held, PARTIAL_LIMIT)
                    entries.append(encode_entry(stream, bytes(held[:cut]), self._partial_time[stream]))
                    del held[:cut]
                self._partial_time[stream] = time_ns
        return entries

    @staticmethod
    def _emit(entries: list[bytes], stream: str, line: bytes | bytearray, time_ns: int) -> None:
        """A whole line (ending in ``\\n``) as entries: pieces of 16 KiB, as Docker cuts long lines."""
        start = 0
        while len(line) - start - 1 > PARTIAL_LIMIT:
            cut = start + _utf8_cut(line[start : start + PARTIAL_LIMIT + 1], PARTIAL_LIMIT)
            entries.append(encode_entry(stream, bytes(line[start:cut]), time_ns))
            start = cut
        entries.append(encode_entry(stream, bytes(line[start:]), time_ns))

    def _write(self, entries: list[bytes]) -> None:
        if not entries:
            return
        try:
            if self._fd < 0:
                self._open()
            if self.max_size <= 0:
                self._append(b"".join(entries))
                return
            batch: list[bytes] = []
            batch_size = 0
            for entry in entries:
                if self._size + batch_size > 0 and self._size + batch_size + len(entry) > self.max_size:
                    self._append(b"".join(batch))
                    batch.clear()
                    batch_size = 0
                    self._rotate()
                batch.append(entry)
                batch_size += len(entry)
            self._append(b"".join(batch))
        except OSError as e:
            # The disk is full or the directory went: the output is lost, the container goes on.
            if self._failed != e.strerror:
                self._failed = e.strerror
                log.warning("json-file log %s: %s; output is dropped", self.path, e)
            if self._fd >= 0 and e.errno not in (errno.ENOSPC, errno.EDQUOT):
                os.close(self._fd)
                self._fd = -1

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._size = os.fstat(self._fd).st_size

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            self._size += written
            view = view[written:]
        if self._failed is not None:
            self._failed = None

    def _rotate(self) -> None:
        if self.max_file <= 1:
            os.ftruncate(self._fd, 0)  # O_APPEND: the next write goes to the new end, 0
            self._size = 0
            return
        os.close(self._fd)
        self._fd = -1
        for number in range(self.max_file - 1, 1, -1):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{self.path}.{number - 1}", f"{self.path}.{number}")
        os.replace(self.path, f"{self.path}.1")
        self._open()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# --- reading -------------------------------------------------------------------------------------------
def stdcopy_frame(stream: str, payload: bytes) -> bytes:
    """``payload`` in Docker's stdcopy frame: ``[1 stdout | 2 stderr, 0, 0, 0, size (uint32 BE)]``."""
    return _FRAME.pack(_STREAM_IDS.get(stream, 1), len(payload)) + payload


@dataclass(frozen=True)
class _Filter:
    stdout: bool
    stderr: bool
    since_ns: int
    until_ns: int
    timestamps: bool
    framed: bool

    def render(self, line: bytes) -> bytes | None:
        """What the logs API sends for one line of json.log (None: filtered out or not an entry)."""
        try:
            entry = json.loads(line)
            stream = entry.get("stream", "")
            if (stream == "stdout" and not self.stdout) or (stream == "stderr" and not self.stderr):
                return None
            text = entry.get("log", "")
            time_ns = parse_time(entry["time"]) if (self.since_ns or self.until_ns or self.timestamps) else 0
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(text, str) or (stream not in ("stdout", "stderr")):
            return None
        if (self.since_ns and time_ns < self.since_ns) or (self.until_ns and time_ns > self.until_ns):
            return None
        payload = text.encode("utf-8", "replace")
        if self.timestamps:
            payload = format_time_fixed(time_ns).encode() + b" " + payload
        return stdcopy_frame(stream, payload) if self.framed else payload


class _Cursor:
    """One log file read forwards; the bytes after its last newline are kept for the next read."""

    def __init__(self, path: Path, fd: int, offset: int = 0) -> None:
        self.path = path
        self.fd = fd
        self.offset = offset
        self.inode = os.fstat(fd).st_ino
        self.carry = b""
        self.skipping = False  # inside a line too long to be an entry

    def read(self, filt: _Filter, limit: int = READ_BLOCK) -> tuple[bytes, bool]:
        """Rendered entries from the next block, and whether the file's end was reached."""
        data = os.pread(self.fd, limit, self.offset)
        if not data:
            return b"", True
        self.offset += len(data)
        last = data.rfind(b"\n")
        if last < 0:
            if not self.skipping:
                self.carry += data
                if len(self.carry) > MAX_LINE:
                    self.carry, self.skipping = b"", True
            return b"", False
        lines = (self.carry + data[: last + 1]).split(b"\n")
        if self.skipping:
            lines = lines[1:]  # the end of the over-long line
            self.skipping = False
        self.carry = data[last + 1 :]
        out = [rendered for line in lines if line and (rendered := filt.render(line)) is not None]
        return b"".join(out), len(data) < limit

    def reset(self) -> None:
        self.offset, self.carry, self.skipping = 0, b"", False

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _open_files(directory: Path) -> list[_Cursor]:
    """json.log and its rotated files, oldest first, opened at once (a rotation while they are
    read renames or removes paths, not what is open)."""
    base = directory / LOG_NAME
    numbers: list[int] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            suffix = entry.name[len(LOG_NAME) + 1 :]
            if entry.name.startswith(LOG_NAME + ".") and suffix.isdigit():
                numbers.append(int(suffix))
    paths = [Path(f"{base}.{n}") for n in sorted(numbers, reverse=True)] + [base]
    cursors: list[_Cursor] = []
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        cursors.append(_Cursor(path, fd))
    return cursors


def _count_back(fd: int, end: int, wanted: int) -> tuple[int, int]:
    """Scan backwards from ``end`` for the start of the ``wanted``-th last line: (its offset, or
    0 when the file has fewer lines; the number of whole lines found)."""
    found = 0
    position = end
    while position > 0:
        start = max(0, position - 64 * 1024)
        block = os.pread(fd, position - start, start)
        count = block.count(b"\n")
        if found + count > wanted:
            # The (wanted+1)-th newline from the end is in this block: the line after it is the first.
            index = len(block)
            for _ in range(wanted + 1 - found):
                index = block.rfind(b"\n", 0, index)
            return start + index + 1, wanted
        found += count
        position = start
    return 0, found


def _tail_start(cursors: list[_Cursor], lines: int) -> int:
    """Point the cursors at the last ``lines`` lines across the files; the index of the first file to read."""
    wanted = lines
    for index in range(len(cursors) - 1, -1, -1):
        cursor = cursors[index]
        size = os.fstat(cursor.fd).st_size
        offset, found = _count_back(cursor.fd, size, wanted)
        cursor.offset = offset
        wanted -= found
        if wanted <= 0:
            return index
    return 0


def _close_all(cursors: list[_Cursor]) -> None:
    for cursor in cursors:
        cursor.close()


async def read_log(
    directory: Path,
    *,
    stdout: bool,
    stderr: bool,
    since_ns: int,
    until_ns: int,
    tail: int | None,
    timestamps: bool,
    follow: bool,
    stopped: asyncio.Event,
    framed: bool,
) -> AsyncIterator[bytes]:
    """The bytes of the logs API for the json-file log in ``directory``: each entry's text
    (prefixed with its time when ``timestamps``; in a stdcopy frame when ``framed``).

    ``since_ns``/``until_ns`` (0: no bound) keep entries with since <= time <= until; ``tail``
    takes the last lines of the log across its rotated files (None: all), before the stream and
    time filters, as Docker does. With ``follow``, new lines are sent as they come (a rotation or
    truncation of json.log underneath is followed) until ``stopped`` is set and the file is read
    to its end, or until ``until_ns`` has passed. Files are read in a thread a block at a time.
    """
    filt = _Filter(stdout, stderr, since_ns, until_ns, timestamps, framed)
    cursors = await asyncio.to_thread(_open_files, Path(directory))
    try:
        if tail is not None and cursors:
            first = await asyncio.to_thread(_tail_start, cursors, max(0, tail))
            for cursor in cursors[:first]:
                cursor.close()
            del cursors[:first]
        # Everything there is now, the rotated files first.
        while len(cursors) > 1 or (cursors and not follow):
            cursor = cursors[0]
            while True:
                out, at_end = await asyncio.to_thread(cursor.read, filt)
                if out:
                    yield out
                if at_end:
                    break
            cursor.close()
            cursors.pop(0)
        if not follow:
            return
        async for out in _follow(Path(directory) / LOG_NAME, cursors[0] if cursors else None, filt, stopped, until_ns):
            yield out
    finally:
        _close_all(cursors)


async def _follow(
    path: Path, cursor: _Cursor | None, filt: _Filter, stopped: asyncio.Event, until_ns: int
) -> AsyncIterator[bytes]:
    """json.log from ``cursor`` on as it grows, through rotations, until ``stopped`` and read out."""
    try:
        while True:
            last_round = stopped.is_set() or (until_ns > 0 and time.time_ns() > until_ns)
            # Read out the file we have; then see whether json.log is still it.
            while True:
                if cursor is None:
                    cursor = await asyncio.to_thread(_open_cursor, path)
                    if cursor is None:
                        break
                out, at_end = await asyncio.to_thread(cursor.read, filt)
                if out:
                    yield out
                if not at_end:
                    continue
                state = await asyncio.to_thread(_file_state, path, cursor)
                if state == "same":
                    break
                if state == "truncated":
                    cursor.reset()
                    continue
                # Rotated: the writer closed the old file before it renamed it, so what it wrote
                # there since the read above is all there is: read it out, then the new json.log.
                while True:
                    out, at_end = await asyncio.to_thread(cursor.read, filt)
                    if out:
                        yield out
                    if at_end:
                        break
                cursor.close()
                cursor = None
            if last_round:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), FOLLOW_POLL)
    finally:
        if cursor is not None:
            cursor.close()


def _open_cursor(path: Path) -> _Cursor | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    return _Cursor(path, fd)


def _file_state(path: Path, cursor: _Cursor) -> str:
    """ "same" (json.log is the file read), "rotated" (replaced or gone) or "truncated"."""
    try:
        st = os.stat(path)
    except OSError:
        return "rotated"
    if st.st_ino != cursor.inode:
        return "rotated"
    if os.fstat(cursor.fd).st_size < cursor.offset:
        return "truncated"
    return "same"
