"""A container's (or an exec's) stdio over FIFOs, as containerd's client library does it (cio).

pouchd makes ``<proc>-stdin``, ``<proc>-stdout`` and ``<proc>-stderr`` in a private directory and
gives their paths to Tasks.Create; containerd's runc shim opens them (cmd/containerd-shim-runc-v2
/process/io.go): stdout and stderr for writing (a blocking open: it waits for our read end, so
that is opened first), stdin for reading. The shim also keeps a read end of each output FIFO, so
that its writes never fail while pouchd is away: a container that prints while no pouchd reads
is blocked once the pipe is full, and a restarted pouchd reopens the FIFOs (:meth:`ContainerIO.reopen`).

Output is copied on the event loop, 64 KiB at a time, to the json-file log and to attached
clients (:meth:`ContainerIO.subscribe`). Neither may make memory grow: when the log's writer
thread or a subscriber falls behind, reading stops, the pipe fills and the container's writes
block, as with Docker.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import secrets
import shutil
import stat
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pouch_server.managers.containers.logs import JSONFileLog

log = logging.getLogger("pouchd")

#: How much is read from a FIFO at a time.
CHUNK: Final = 64 * 1024
#: Chunks a subscriber may have waiting (at most 1 MiB); the copier waits for room beyond.
SUBSCRIBER_QUEUE: Final = 16
OUTPUT_STREAMS: Final = ("stdout", "stderr")


class ContainerIO:
    """The stdio FIFOs of one process (a container's init or an exec) and the copying of its output."""

    def __init__(
        self, fifo_dir: Path, proc_id: str, *, stdin: bool, tty: bool, fresh: bool, missing_ok: bool = False
    ) -> None:
        self.fifo_dir = fifo_dir
        self.proc_id = proc_id
        self.tty = tty

        def path(name: str, wanted: bool) -> str:
            p = fifo_dir / f"{proc_id}-{name}"
            if not wanted or (missing_ok and not _is_fifo(p)):
                return ""
            return str(p)

        self.stdin_path = path("stdin", stdin)
        self.stdout_path = path("stdout", True)
        self.stderr_path = path("stderr", not tty)  # a terminal has one output
        self._fresh = fresh
        self._sink: JSONFileLog | None = None
        self._hold: list[int] = []  # our writers on the output FIFOs until the task has its own
        self._pumps: list[asyncio.Task[None]] = []
        self._open_streams: set[str] = set()
        self._subscribers: set[_Queue] = set()
        self._output_done = asyncio.Event()
        self._stdin_fd: int | None = None
        self._stdin_rdwr = False  # the stdin fd is O_RDWR (no reader was there to open O_WRONLY against)
        self._stdin_lock = asyncio.Lock()
        self._stdin_waiters: set[asyncio.Future[None]] = set()
        self._started = False
        self._closed = False

    # --- making ---------------------------------------------------------------------------------
    @classmethod
    def create(cls, base: Path, proc_id: str, *, stdin: bool, tty: bool) -> ContainerIO:
        """New FIFOs in a new directory ``base/<random hex>`` (mode 0700: only root may open them)."""
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            fifo_dir = base / secrets.token_hex(8)
            try:
                fifo_dir.mkdir(mode=0o700)
                break
            except FileExistsError:
                continue
        io = cls(fifo_dir, proc_id, stdin=stdin, tty=tty, fresh=True)
        try:
            for p in (io.stdin_path, io.stdout_path, io.stderr_path):
                if p:
                    os.mkfifo(p, 0o700)
        except OSError:
            shutil.rmtree(fifo_dir, ignore_errors=True)
            raise
        return io

    @classmethod
    def reopen(cls, fifo_dir: Path, proc_id: str, *, stdin: bool, tty: bool) -> ContainerIO:
        """The FIFOs of a process that kept running while pouchd restarted (a missing one is left out)."""
        return cls(fifo_dir, proc_id, stdin=stdin, tty=tty, fresh=False, missing_ok=True)

    # --- output ----------------------------------------------------------------------------------
    def start(self, sink: JSONFileLog | None) -> None:
        """Open our ends and copy the output to ``sink`` and the subscribers from now on (on the
        running loop). Until :meth:`task_started`, a writer of our own keeps each output FIFO
        open, so that reading finds no end of file before the shim has opened its end."""
        if self._started:
            raise RuntimeError("already started")
        self._started = True
        self._sink = sink
        loop = asyncio.get_running_loop()
        opened: list[int] = []
        try:
            for stream, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
                if not path:
                    continue
                # A non-blocking open of a read end succeeds with no writer; then our writer's
                # open succeeds as there is a reader.
                reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                opened.append(reader)
                self._hold.append(os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC))
                self._open_streams.add(stream)
                self._pumps.append(
                    loop.create_task(self._pump(stream, reader), name=f"stdio {self.proc_id[:12]} {stream}")
                )
            if self.stdin_path:
                self._open_stdin()
        except OSError:
            for fd in opened[len(self._pumps) :]:
                os.close(fd)
            raise
        if not self._open_streams:
            self._output_done.set()

    def _open_stdin(self) -> None:
        try:
            # A restarted pouchd: the shim reads stdin if it still wants it (else ENXIO: it is closed).
            self._stdin_fd = os.open(self.stdin_path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            return
        except OSError as e:
            if e.errno != errno.ENXIO or not self._fresh:
                if e.errno != errno.ENXIO:
                    log.warning("stdin of %s: %s", self.proc_id, e)
                return
        # Before Tasks.Create there is no reader to open a write end against: O_RDWR opens at
        # once (Linux) and keeps what the client types in the pipe until the shim reads it.
        self._stdin_fd = os.open(self.stdin_path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        self._stdin_rdwr = True

    def task_started(self) -> None:
        """The shim has opened its ends (Tasks.Create returned): drop our own writers on the
        output FIFOs, so that an end of file now means the process closed its output."""
        for fd in self._hold:
            os.close(fd)
        self._hold.clear()
        if self._stdin_fd is not None and self._stdin_rdwr:
            # Now the shim reads: a write-only end instead, so that writes fail (EPIPE) once the
            # shim is gone rather than filling a pipe nobody reads. Opened before ours closes: what
            # is in the pipe stays.
            with contextlib.suppress(OSError):
                fd = os.open(self.stdin_path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                os.close(self._stdin_fd)
                self._stdin_fd, self._stdin_rdwr = fd, False

    async def _pump(self, stream: str, fd: int) -> None:
        """Copy one output FIFO until its end of file (every writer closed it) or close()."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    data = os.read(fd, CHUNK)
                except BlockingIOError:
                    await _wait_fd(loop, fd, write=False)
                    continue
                except OSError as e:
                    log.warning("reading %s of %s: %s", stream, self.proc_id, e)
                    break
                if not data:
                    break
                now = time.time_ns()
                sink = self._sink
                if sink is not None:
                    sink.write(stream, data, now)
                    await sink.drain()  # the writer thread is behind: read no more until it catches up
                for subscriber in tuple(self._subscribers):
                    if stream in subscriber.streams:
                        await subscriber.put(stream, data)
                # One chunk per turn: a container printing as fast as it can shares the loop.
                await asyncio.sleep(0)
        finally:
            os.close(fd)
            self._open_streams.discard(stream)
            if not self._open_streams:
                self._end_output()

    def _end_output(self) -> None:
        self._output_done.set()
        for subscriber in tuple(self._subscribers):
            subscriber.end()
        self._subscribers.clear()
        if self._stdin_rdwr:
            self._wake_stdin()  # nobody will read a full pipe any more

    def subscribe(self, *, stdout: bool, stderr: bool) -> Subscription:
        """The output from now on as ("stdout"|"stderr", chunk) until it ends (both streams at end
        of file, or close()). Each subscriber has a queue of :data:`SUBSCRIBER_QUEUE` chunks; a
        full one stops the reading (back-pressure). Closing the iterator (``aclose()``), cancelling
        a pending ``__anext__`` or dropping it unsubscribes."""
        streams = frozenset(s for s, wanted in zip(OUTPUT_STREAMS, (stdout, stderr), strict=True) if wanted)
        queue = _Queue(self, streams)
        if self._output_done.is_set() or self._closed or not streams:
            queue.end()
        else:
            self._subscribers.add(queue)
        return Subscription(queue)

    def _unsubscribe(self, queue: _Queue) -> None:
        self._subscribers.discard(queue)

    async def wait_output_closed(self, timeout: float) -> None:
        """Until both output FIFOs reached their end of file and all that was read was handed on
        (to the log's writer and the subscribers' queues); TimeoutError after ``timeout``."""
        await asyncio.wait_for(self._output_done.wait(), timeout)

    # --- stdin -----------------------------------------------------------------------------------
    async def write_stdin(self, data: bytes) -> None:
        """Write ``data`` to the process's stdin, waiting while the pipe is full. Dropped when
        stdin is closed or absent, or once the process can no longer read it."""
        view = memoryview(data)
        async with self._stdin_lock:
            loop = asyncio.get_running_loop()
            while view:
                fd = self._stdin_fd
                if fd is None or self._closed or (self._stdin_rdwr and self._output_done.is_set()):
                    return
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    await _wait_fd(loop, fd, write=True, waiters=self._stdin_waiters)
                    continue
                except OSError as e:  # EPIPE: the shim closed its end
                    if e.errno != errno.EPIPE:
                        log.warning("stdin of %s: %s", self.proc_id, e)
                    self._close_stdin_fd()
                    return
                view = view[written:]

    async def close_stdin(self) -> None:
        """Close our end of stdin: the process reads an end of file (once the pipe is read out)."""
        self._close_stdin_fd()

    def _close_stdin_fd(self) -> None:
        fd, self._stdin_fd = self._stdin_fd, None
        if fd is None:
            return
        if self._stdin_waiters:
            # A write waits on it: unwatch it now, before the number can be reused, and take the
            # waiters out of the set, which tells them the unwatching is done.
            asyncio.get_running_loop().remove_writer(fd)
            waiters = tuple(self._stdin_waiters)
            self._stdin_waiters.clear()
            for waiter in waiters:
                _wake(waiter)
        os.close(fd)

    def _wake_stdin(self) -> None:
        for waiter in tuple(self._stdin_waiters):
            _wake(waiter)

    # --- closing ---------------------------------------------------------------------------------
    async def close(self, remove: bool = True) -> None:
        """Stop copying, end the subscribers, close our ends, flush and close the log; remove the
        FIFOs with ``remove`` (not when pouchd stops and the process runs on: the next pouchd
        reopens them)."""
        if self._closed:
            return
        self._closed = True
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._end_output()
        for fd in self._hold:
            os.close(fd)
        self._hold.clear()
        self._close_stdin_fd()
        if self._sink is not None:
            await self._sink.close()
        if remove:
            await asyncio.to_thread(shutil.rmtree, self.fifo_dir, True)


class _Queue:
    """A subscriber's bounded queue, as the copier sees it (the copier never holds the
    :class:`Subscription` itself, so that a subscriber who drops it is collected, and detached)."""

    def __init__(self, owner: ContainerIO, streams: frozenset[str]) -> None:
        self.owner: ContainerIO | None = owner
        self.streams = streams
        self.items: deque[tuple[str, bytes]] = deque()
        self.ended = False
        self.getter: asyncio.Future[None] | None = None
        self.putters: list[asyncio.Future[None]] = []

    async def put(self, stream: str, data: bytes) -> None:
        """Queue a chunk, waiting for room (returns at once once the subscriber has gone)."""
        while len(self.items) >= SUBSCRIBER_QUEUE and not self.ended:
            putter = asyncio.get_running_loop().create_future()
            self.putters.append(putter)
            try:
                await putter
            finally:
                with contextlib.suppress(ValueError):
                    self.putters.remove(putter)
        if self.ended:
            return
        self.items.append((stream, data))
        _wake(self.getter)

    def end(self) -> None:
        """No more output: the subscriber gets what is queued, then the end."""
        self.ended = True
        _wake(self.getter)
        for putter in self.putters:
            _wake(putter)

    def detach(self) -> None:
        """The subscriber has gone: drop its queue and never make the copier wait on it again."""
        self.items.clear()
        self.end()
        if self.owner is not None:
            self.owner._unsubscribe(self)
            self.owner = None


class Subscription:
    """One subscriber's view of the output: an async iterator of ("stdout"|"stderr", chunk)."""

    def __init__(self, queue: _Queue) -> None:
        self._queue = queue

    @property
    def queued(self) -> int:
        """Chunks waiting for the subscriber (at most :data:`SUBSCRIBER_QUEUE`)."""
        return len(self._queue.items)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> tuple[str, bytes]:
        queue = self._queue
        while not queue.items:
            if queue.ended:
                queue.detach()
                raise StopAsyncIteration
            getter = queue.getter = asyncio.get_running_loop().create_future()
            try:
                await getter
            except asyncio.CancelledError:
                queue.detach()
                raise
            finally:
                queue.getter = None
        item = queue.items.popleft()
        if queue.putters:
            _wake(queue.putters[0])
        return item

    async def aclose(self) -> None:
        self._queue.detach()

    def __del__(self) -> None:
        # Dropped without aclose() (a consumer that stopped iterating): never block the copier.
        if self._queue.owner is not None:
            with contextlib.suppress(Exception):  # e.g. the loop is closed already
                self._queue.detach()


def _wake(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


async def _wait_fd(
    loop: asyncio.AbstractEventLoop, fd: int, *, write: bool, waiters: set[asyncio.Future[None]] | None = None
) -> None:
    """Until ``fd`` is readable (writable with ``write``), or the future put in ``waiters`` is
    woken by someone else. The watch is gone when this returns."""
    future: asyncio.Future[None] = loop.create_future()
    (loop.add_writer if write else loop.add_reader)(fd, _wake, future)
    if waiters is not None:
        waiters.add(future)
    try:
        await future
    finally:
        # Out of ``waiters`` already: whoever took it out unwatched ``fd`` (and may have closed it).
        if waiters is None or future in waiters:
            (loop.remove_writer if write else loop.remove_reader)(fd)
        if waiters is not None:
            waiters.discard(future)


def _is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False
