"""A process's stdio over FIFOs (pouch_server/managers/containers/stdio.py), with real FIFOs and
real writer processes or threads playing containerd's shim: it opens stdout/stderr for writing
(and, as the shim does, keeps a read end of its own), stdin for reading. On uvloop, as in pouchd;
the key cases on asyncio's own loop too."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvloop

from pouch_server.managers.containers import stdio
from pouch_server.managers.containers.logs import JSONFileLog
from pouch_server.managers.containers.stdio import SUBSCRIBER_QUEUE, ContainerIO

T = TypeVar("T")
pytestmark = pytest.mark.timeout(60)

LOOPS = {"uvloop": uvloop.new_event_loop, "asyncio": asyncio.new_event_loop}


@pytest.fixture(params=["uvloop"])
def loop_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


both_loops = pytest.mark.parametrize("loop_name", ["uvloop", "asyncio"], indirect=True)


@pytest.fixture
def run(loop_name: str) -> Callable[[Callable[[], Awaitable[Any]]], Any]:
    def run(make: Callable[[], Awaitable[T]]) -> T:
        async def main() -> T:
            return await make()

        with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
            return runner.run(main())

    return run


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
        p.wait()


def shim(
    procs: list[subprocess.Popen[bytes]], io: ContainerIO, script: str, before: str = ":"
) -> subprocess.Popen[bytes]:
    """``script`` (sh) with fd 3 and 4 the stdout and stderr FIFOs, as the shim opens them before
    the process starts; ``before`` runs, then it prints ``ready`` on fd 3, so that the test knows
    what is open (the shim has opened its ends when Tasks.Create returns)."""
    opens = f"exec 3>{io.stdout_path}" + (f" 4>{io.stderr_path}" if io.stderr_path else "")
    p = subprocess.Popen(["sh", "-c", f"{opens}; {before}; echo ready >&3; {script}"])
    procs.append(p)
    return p


async def consume(sub: Any, out: list[tuple[str, bytes]]) -> None:
    async for item in sub:
        out.append(item)


def joined(items: list[tuple[str, bytes]], stream: str) -> bytes:
    return b"".join(data for name, data in items if name == stream)


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


def log_lines(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (directory / "json.log").read_bytes().splitlines()]


# --- the FIFOs --------------------------------------------------------------------------------------------
def test_create_makes_private_fifos(tmp_path: Path, run: Any) -> None:
    io = ContainerIO.create(tmp_path / "fifo", "proc1", stdin=True, tty=False)
    assert io.fifo_dir.parent == tmp_path / "fifo"
    assert stat.S_IMODE(io.fifo_dir.stat().st_mode) == 0o700
    assert sorted(os.listdir(io.fifo_dir)) == ["proc1-stderr", "proc1-stdin", "proc1-stdout"]
    for path in (io.stdin_path, io.stdout_path, io.stderr_path):
        assert stat.S_ISFIFO(os.stat(path).st_mode)
        assert Path(path).parent == io.fifo_dir
    tty = ContainerIO.create(tmp_path / "fifo", "proc2", stdin=False, tty=True)
    assert tty.fifo_dir != io.fifo_dir
    assert (tty.stdin_path, tty.stderr_path) == ("", "")
    assert os.listdir(tty.fifo_dir) == ["proc2-stdout"]

    async def close() -> None:
        io.start(None)
        await io.close()
        await tty.close(remove=False)

    run(close)
    assert not io.fifo_dir.exists()
    assert tty.fifo_dir.exists()


@both_loops
def test_output_to_log_and_subscribers_in_order(tmp_path: Path, run: Any, procs: list[Any]) -> None:
    cdir = tmp_path / "c"
    cdir.mkdir()

    async def go() -> list[tuple[str, bytes]]:
        io = ContainerIO.create(tmp_path / "fifo", "p", stdin=False, tty=False)
        io.start(JSONFileLog(cdir))
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(consume(io.subscribe(stdout=True, stderr=True), got))
        only_err: list[tuple[str, bytes]] = []
        err_reader = asyncio.create_task(consume(io.subscribe(stdout=False, stderr=True), only_err))
        shim(procs, io, "for i in $(seq 1 2000); do echo $i >&3; echo e$i >&4; done")
        await until(lambda: bool(got))
        io.task_started()
        await io.wait_output_closed(10)
        await asyncio.wait_for(reader, 2)  # the output ended: so do the subscriptions
        await asyncio.wait_for(err_reader, 2)
        assert joined(only_err, "stdout") == b"" and joined(only_err, "stderr") == joined(got, "stderr")
        await io.close()
        return got

    got = run(go)
    assert joined(got, "stdout") == b"ready\n" + b"".join(b"%d\n" % i for i in range(1, 2001))
    assert joined(got, "stderr") == b"".join(b"e%d\n" % i for i in range(1, 2001))
    lines = log_lines(cdir)
    assert [e["log"] for e in lines if e["stream"] == "stdout"] == ["ready\n"] + [f"{i}\n" for i in range(1, 2001)]
    assert [e["log"] for e in lines if e["stream"] == "stderr"] == [f"e{i}\n" for i in range(1, 2001)]


def test_no_end_of_file_before_task_started(tmp_path: Path, run: Any) -> None:
    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=False, tty=True)
        io.start(None)
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(consume(io.subscribe(stdout=True, stderr=True), got))
        # No writer yet: our own keeps the FIFO from ending.
        with pytest.raises(TimeoutError):
            await io.wait_output_closed(0.2)
        # A writer comes and goes (a shim that wrote and closed before Create returned): still open.
        fd = os.open(io.stdout_path, os.O_WRONLY)
        os.write(fd, b"early\n")
        os.close(fd)
        await until(lambda: bool(got))
        with pytest.raises(TimeoutError):
            await io.wait_output_closed(0.1)
        io.task_started()  # now the end of file is the process's: there is no writer left
        await io.wait_output_closed(2)
        await asyncio.wait_for(reader, 2)
        assert got == [("stdout", b"early\n")]
        await io.close()

    run(go)


def test_subscribe_after_the_end_and_close_ends_subscribers(tmp_path: Path, run: Any) -> None:
    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=False, tty=False)
        io.start(None)
        sub = io.subscribe(stdout=True, stderr=True)
        waiting = asyncio.create_task(consume(sub, []))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await io.close()
        await asyncio.wait_for(waiting, 1)
        assert [x async for x in io.subscribe(stdout=True, stderr=True)] == []

    run(go)


# --- back-pressure ----------------------------------------------------------------------------------------
class ShimThread(threading.Thread):
    """A shim in a thread: opens the FIFO for writing (blocking writes) plus a read end it never
    reads (as the shim keeps one), writes ``total`` bytes in 64 KiB pieces and closes."""

    def __init__(self, path: str, total: int, piece: bytes = b"x" * 65535 + b"\n", keep: bool = True) -> None:
        super().__init__(daemon=True)
        self.path, self.total, self.piece, self.keep = path, total, piece, keep
        self.written = 0
        self.opened = threading.Event()

    def run(self) -> None:
        fd = os.open(self.path, os.O_WRONLY)
        keep = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK) if self.keep else -1
        self.opened.set()
        try:
            while self.written < self.total:
                self.written += os.write(fd, self.piece[: self.total - self.written])
        except BrokenPipeError:  # the reader went (keep=False)
            pass
        finally:
            os.close(fd)
            if keep >= 0:
                os.close(keep)


@both_loops
def test_slow_subscriber_pauses_reading(tmp_path: Path, run: Any) -> None:
    total = 16 << 20

    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=False, tty=True)
        io.start(None)
        slow = io.subscribe(stdout=True, stderr=True)
        writer = ShimThread(io.stdout_path, total)
        writer.start()
        await asyncio.to_thread(writer.opened.wait, 5)
        io.task_started()
        await asyncio.sleep(0.5)
        # The subscriber read nothing: its queue is full, the copier waits, the pipe is full
        # and the writer is blocked.
        assert slow.queued == SUBSCRIBER_QUEUE
        assert writer.written < 4 << 20
        assert writer.is_alive()
        received = 0
        async for _, data in slow:
            received += len(data)
            assert slow.queued <= SUBSCRIBER_QUEUE
        assert received == total
        await io.wait_output_closed(1)
        await io.close()

    run(go)


@both_loops
def test_gone_subscribers_never_block_the_rest(tmp_path: Path, run: Any) -> None:
    total = 8 << 20

    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=False, tty=True)
        io.start(None)
        closed = io.subscribe(stdout=True, stderr=True)
        dropped = io.subscribe(stdout=True, stderr=True)

        async def slow_reader(subscription: Any) -> None:
            async for _ in subscription:
                await asyncio.sleep(0.05)

        tasks = [asyncio.create_task(slow_reader(io.subscribe(stdout=True, stderr=True)))]
        kept = io.subscribe(stdout=True, stderr=True)
        writer = ShimThread(io.stdout_path, total)
        writer.start()
        await asyncio.to_thread(writer.opened.wait, 5)
        io.task_started()
        await asyncio.sleep(0.1)
        assert closed.queued == dropped.queued == kept.queued == SUBSCRIBER_QUEUE
        # Three subscribers go away without reading on: one closes its iterator, one drops it,
        # and the slow one's task is cancelled (its attach connection went away).
        await closed.aclose()
        del dropped
        received = 0

        async def cancel_slow() -> None:
            task = tasks.pop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            del task
            gc.collect()  # the cancelled task's traceback held its frame (and the iterator) in a cycle

        async def read_kept() -> None:
            nonlocal received
            killer = None
            async for _, data in kept:
                received += len(data)
                if received > 1 << 20 and killer is None:
                    killer = asyncio.create_task(cancel_slow())
                if received > 4 << 20:
                    assert len(io._subscribers) == 1
            assert killer is not None and killer.done()

        await asyncio.wait_for(read_kept(), 20)
        assert received == total
        await io.close()

    run(go)


def test_cancelled_while_waiting_unsubscribes(tmp_path: Path, run: Any) -> None:
    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=False, tty=False)
        io.start(None)
        waiting = asyncio.create_task(consume(io.subscribe(stdout=True, stderr=False), []))
        await asyncio.sleep(0.05)
        assert len(io._subscribers) == 1
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        assert not io._subscribers
        await io.close()

    run(go)


def test_a_50mb_burst_does_not_stall_the_loop(tmp_path: Path, run: Any, procs: list[Any]) -> None:
    cdir = tmp_path / "c"
    cdir.mkdir()
    lines = 51200  # 1 KiB each: 50 MiB
    writer = f"import sys; sys.stdout.buffer.write((b'x' * 1023 + b'\\n') * {lines})"

    async def go() -> tuple[float, int]:
        io = ContainerIO.create(tmp_path / "fifo", "p", stdin=False, tty=False)
        io.start(JSONFileLog(cdir))
        received = 0

        async def attach() -> None:
            nonlocal received
            async for _, data in io.subscribe(stdout=True, stderr=False):
                received += len(data)

        attached = asyncio.create_task(attach())
        worst = 0.0
        ticking = True

        async def ticker() -> None:
            nonlocal worst
            last = time.monotonic()
            while ticking:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                worst = max(worst, now - last)
                last = now

        tick = asyncio.create_task(ticker())
        with open(io.stdout_path, "wb") as out, open(io.stderr_path, "wb") as err:
            p = subprocess.Popen([sys.executable, "-c", writer], stdout=out, stderr=err)
        procs.append(p)
        io.task_started()  # the files are open in the child: as the shim's are at Create's return
        await io.wait_output_closed(40)
        await asyncio.wait_for(attached, 5)
        await io.close()
        ticking = False
        await tick
        return worst, received

    worst, received = run(go)
    print(f"worst tick gap {worst:.3f}s")
    assert received == lines * 1024
    assert worst < 0.25
    with open(cdir / "json.log", "rb") as f:
        assert sum(1 for _ in f) == lines


def test_the_log_writer_slows_the_copier(tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pouch_server.managers.containers import logs

    monkeypatch.setattr(logs, "MAX_PENDING", 512 * 1024)
    sink = JSONFileLog(tmp_path)
    append = sink._append

    def slow_append(data: bytes) -> None:
        time.sleep(0.02)
        append(data)

    monkeypatch.setattr(sink, "_append", slow_append)

    async def go() -> None:
        io = ContainerIO.create(tmp_path / "fifo", "p", stdin=False, tty=True)
        io.start(sink)
        writer = ShimThread(io.stdout_path, 32 << 20, piece=(b"y" * 1023 + b"\n") * 64, keep=False)
        writer.start()
        await asyncio.to_thread(writer.opened.wait, 5)
        io.task_started()
        peak = 0
        for _ in range(50):
            await asyncio.sleep(0.01)
            peak = max(peak, sink.pending)
        # 32 MiB could have been read by now; what waits for the thread stays near the bound.
        assert peak <= 512 * 1024 + stdio.CHUNK
        assert writer.is_alive()
        await io.close()
        await asyncio.to_thread(writer.join, 5)  # EPIPE: our read end is closed
        assert not writer.is_alive()

    run(go)


# --- stdin ------------------------------------------------------------------------------------------------
@both_loops
def test_stdin_round_trip(tmp_path: Path, run: Any, procs: list[Any]) -> None:
    async def go() -> list[tuple[str, bytes]]:
        io = ContainerIO.create(tmp_path, "p", stdin=True, tty=False)
        io.start(None)
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(consume(io.subscribe(stdout=True, stderr=True), got))
        await io.write_stdin(b"typed before the start\n")  # kept in the pipe for the process
        p = shim(procs, io, f"cat <{io.stdin_path} >&3; echo bye >&4")
        await until(lambda: bool(got))
        io.task_started()
        big = b"".join(b"%07d\n" % i for i in range(200_000))  # 1.6 MB: more than the pipe holds
        await asyncio.wait_for(io.write_stdin(big), 10)
        await io.close_stdin()
        await io.wait_output_closed(10)
        await asyncio.wait_for(reader, 2)
        assert p.wait(5) == 0
        assert joined(got, "stdout") == b"ready\ntyped before the start\n" + big
        # The process is gone: a write finds no reader and is dropped, it does not hang.
        await asyncio.wait_for(io.write_stdin(b"x" * 200_000), 2)
        await io.close()
        return got

    got = run(go)
    assert joined(got, "stderr") == b"bye\n"


def test_write_stdin_after_the_reader_left(tmp_path: Path, run: Any, procs: list[Any]) -> None:
    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=True, tty=True)
        io.start(None)
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(consume(io.subscribe(stdout=True, stderr=False), got))
        # Opens stdin (as the shim does before Create returns), reads one line, closes it and runs on.
        p = shim(procs, io, "read line <&5; exec 5<&-; echo got $line >&3; sleep 0.5", before=f"exec 5<{io.stdin_path}")
        await until(lambda: bool(got))
        io.task_started()
        await io.write_stdin(b"one\n")
        await until(lambda: b"got one" in joined(got, "stdout"))
        # The pipe would fill: the write ends with EPIPE, not a wait.
        await asyncio.wait_for(io.write_stdin(b"z" * (1 << 20)), 2)
        await asyncio.wait_for(io.write_stdin(b"more"), 1)
        assert io._stdin_fd is None  # closed on EPIPE
        p.wait(5)
        await io.wait_output_closed(5)
        await reader
        await io.close()

    run(go)


def test_close_wakes_a_blocked_stdin_write(tmp_path: Path, run: Any) -> None:
    async def go() -> None:
        io = ContainerIO.create(tmp_path, "p", stdin=True, tty=True)
        io.start(None)
        # Nobody reads stdin: the write fills the pipe and waits, until close() ends it.
        write = asyncio.create_task(io.write_stdin(b"w" * (1 << 20)))
        await asyncio.sleep(0.1)
        assert not write.done()
        await io.close()
        await asyncio.wait_for(write, 1)

    run(go)


# --- pouchd restarts ---------------------------------------------------------------------------------------
SHIM = r"""
import os, sys, time
out, count = sys.argv[1], int(sys.argv[2])
fd = os.open(out, os.O_WRONLY)
keep = os.open(out, os.O_RDONLY | os.O_NONBLOCK)  # the shim's own read end: no EPIPE while pouchd is away
os.write(fd, b"ready\n")
for i in range(count):
    os.write(fd, b"line %d\n" % i)
    time.sleep(0.002)
"""


@both_loops
def test_reopen_after_a_pouchd_restart(tmp_path: Path, run: Any, procs: list[Any]) -> None:
    cdir = tmp_path / "c"
    cdir.mkdir()
    count = 600

    async def go() -> None:
        first = ContainerIO.create(tmp_path / "fifo", "p", stdin=True, tty=False)
        first.start(JSONFileLog(cdir))
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(consume(first.subscribe(stdout=True, stderr=True), got))
        with open(first.stderr_path, "wb") as err:
            p = subprocess.Popen([sys.executable, "-c", SHIM, first.stdout_path, str(count)], stderr=err)
        procs.append(p)
        await until(lambda: len(got) >= 3)
        first.task_started()
        await first.close(remove=False)  # pouchd stops; the process prints on
        await asyncio.wait_for(reader, 1)
        assert first.fifo_dir.is_dir()
        await asyncio.sleep(0.2)

        second = ContainerIO.reopen(first.fifo_dir, "p", stdin=True, tty=False)
        assert (second.stdout_path, second.stderr_path) == (first.stdout_path, first.stderr_path)
        second.start(JSONFileLog(cdir))
        second.task_started()
        # Nobody reads this stdin (the writer's shim did not open it): a write is dropped at once.
        await asyncio.wait_for(second.write_stdin(b"ignored\n"), 1)
        await second.wait_output_closed(15)
        await second.close()
        assert not first.fifo_dir.exists()

    run(go)
    text = "".join(e["log"] for e in log_lines(cdir))
    assert text == "ready\n" + "".join(f"line {i}\n" for i in range(count))


def test_reopen_leaves_out_missing_fifos(tmp_path: Path, run: Any) -> None:
    io = ContainerIO.create(tmp_path, "p", stdin=False, tty=False)
    os.unlink(io.stderr_path)
    again = ContainerIO.reopen(io.fifo_dir, "p", stdin=True, tty=False)
    assert (again.stdin_path, again.stderr_path) == ("", "")
    assert again.stdout_path == io.stdout_path

    async def go() -> None:
        again.start(None)
        again.task_started()  # no writer at all: the output is over
        await again.wait_output_closed(1)
        await again.close()

    run(go)
