"""The json-file log (pouch_server/managers/containers/logs.py): the writer's lines, encoding and
rotation, and the reader behind the logs API (tail, since/until, follow, framing), on uvloop."""

from __future__ import annotations

import asyncio
import json
import os
import struct
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvloop

from pouch_server.errors import APIError
from pouch_server.managers.containers import logs
from pouch_server.managers.containers.logs import (
    PARTIAL_LIMIT,
    JSONFileLog,
    format_time,
    parse_time,
    parse_unix_time,
    read_log,
    stdcopy_frame,
)

T = TypeVar("T")
pytestmark = pytest.mark.timeout(60)

#: 2026-12-05T07:00:00Z
BASE_S = 1796454000
BASE = BASE_S * 1_000_000_000


def run(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def entries(directory: Path, name: str = "json.log") -> list[dict[str, Any]]:
    path = directory / name
    return [json.loads(line) for line in path.read_bytes().splitlines()]


async def write_all(log: JSONFileLog, items: list[tuple[str, bytes, int]]) -> None:
    for stream, data, at in items:
        log.write(stream, data, at)
        await log.drain()
    await log.close()


async def collect(directory: Path, **kw: Any) -> bytes:
    options: dict[str, Any] = dict(
        stdout=True, stderr=True, since_ns=0, until_ns=0, tail=None, timestamps=False, follow=False, framed=False
    )
    options.update(kw)
    options.setdefault("stopped", asyncio.Event())
    return b"".join([chunk async for chunk in read_log(directory, **options)])


def frames(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    while data:
        kind, size = struct.unpack(">BxxxI", data[:8])
        out.append((kind, data[8 : 8 + size]))
        data = data[8 + size :]
    return out


# --- format ----------------------------------------------------------------------------------------
def test_entry_is_pouchs_json_line(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path)
    run(lambda: write_all(log, [("stdout", b"hi\n", BASE + 123_456_789), ("stderr", b"oops\n", BASE + 120_000_000)]))
    assert (tmp_path / "json.log").read_bytes() == (
        b'{"stream":"stdout","log":"hi\\n","time":"2026-12-05T07:00:00.123456789Z"}\n'
        b'{"stream":"stderr","log":"oops\\n","time":"2026-12-05T07:00:00.12Z"}\n'
    )


def test_time_formats() -> None:
    assert format_time(BASE) == "2026-12-05T07:00:00Z"
    assert format_time(BASE + 1) == "2026-12-05T07:00:00.000000001Z"
    assert format_time(BASE + 500_000_000) == "2026-12-05T07:00:00.5Z"
    assert logs.format_time_fixed(BASE + 500_000_000) == "2026-12-05T07:00:00.500000000Z"
    assert parse_time("2026-12-05T07:00:00.5Z") == BASE + 500_000_000
    assert parse_time("2026-12-05T09:00:00.000000001+02:00") == BASE + 1
    for bad in ("2026-13-05T07:00:00Z", "2026-12-05 07:00:00Z", "2026-12-05T07:00:00", "2026-12-05T07:00:00.Z"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_go_escaping_and_invalid_utf8(tmp_path: Path) -> None:
    # Go's encoder: one U+FFFD per invalid byte (a truncated 3-byte sequence gives two), <>& and
    # U+2028 escaped, control characters as \u00XX.
    data = b"a\xff\xe2\x82b <x> & \xe2\x80\xa8 \x01 caf\xc3\xa9\n"
    log = JSONFileLog(tmp_path)
    run(lambda: write_all(log, [("stdout", data, BASE)]))
    raw = (tmp_path / "json.log").read_text()
    assert "\\u003cx\\u003e \\u0026 \\u2028 \\u0001 café" in raw
    assert entries(tmp_path)[0]["log"] == "a\ufffd\ufffd\ufffdb <x> & \u2028 \x01 café\n"


# --- lines ----------------------------------------------------------------------------------------
def test_partial_lines_held_until_their_end(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path)
    run(
        lambda: write_all(
            log,
            [
                ("stdout", b"one\ntw", BASE + 1),
                ("stderr", b"err", BASE + 2),
                ("stdout", b"o\nthree\nfo", BASE + 3),
                ("stderr", b"or\n", BASE + 4),
                ("stdout", b"ur", BASE + 5),  # no end: written as it is at close
            ],
        )
    )
    got = [(e["stream"], e["log"], parse_time(e["time"]) - BASE) for e in entries(tmp_path)]
    # A line's time is when its first bytes were read.
    assert got == [
        ("stdout", "one\n", 1),
        ("stdout", "two\n", 1),
        ("stdout", "three\n", 3),
        ("stderr", "error\n", 2),
        ("stdout", "four", 3),
    ]


def test_long_lines_cut_at_16k(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path)
    partial = b"p" * (2 * PARTIAL_LIMIT + 100)  # no newline: two 16 KiB pieces at once, the rest at close
    whole = ("a" + "é" * 20000 + "\n").encode()  # 40 KiB in one chunk: cut between characters

    async def go() -> None:
        log.write("stdout", partial, BASE)
        log.write("stderr", whole, BASE)
        await log.drain()
        await asyncio.sleep(0.2)
        got = entries(tmp_path)
        assert [len(e["log"]) for e in got if e["stream"] == "stdout"] == [PARTIAL_LIMIT, PARTIAL_LIMIT]
        await log.close()

    run(go)
    got = entries(tmp_path)
    out = [e["log"] for e in got if e["stream"] == "stdout"]
    assert [len(x) for x in out] == [PARTIAL_LIMIT, PARTIAL_LIMIT, 100]
    err = [e["log"] for e in got if e["stream"] == "stderr"]
    assert "".join(err) == "a" + "é" * 20000 + "\n"
    assert len(err) == 3 and "\ufffd" not in "".join(err)
    assert all(len(x.encode()) <= PARTIAL_LIMIT + 1 for x in err)


# --- rotation ---------------------------------------------------------------------------------------
def line_numbers(directory: Path, names: list[str]) -> list[int]:
    out: list[int] = []
    for name in names:
        if (directory / name).exists():
            out += [int(e["log"]) for e in entries(directory, name)]
    return out


def test_rotation_keeps_max_file_minus_one(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path, max_size=2000, max_file=3)
    run(lambda: write_all(log, [("stdout", f"{i}\n".encode(), BASE + i) for i in range(1000)]))
    names = sorted(os.listdir(tmp_path))
    assert names == ["json.log", "json.log.1", "json.log.2"]
    for name in names:
        assert 0 < (tmp_path / name).stat().st_size <= 2000
    kept = line_numbers(tmp_path, ["json.log.2", "json.log.1", "json.log"])
    assert kept == list(range(kept[0], 1000))  # the newest, contiguous
    assert len(kept) > 40


def test_rotation_max_file_1_truncates(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path, max_size=1000, max_file=1)
    run(lambda: write_all(log, [("stdout", f"{i}\n".encode(), BASE + i) for i in range(200)]))
    assert os.listdir(tmp_path) == ["json.log"]
    assert (tmp_path / "json.log").stat().st_size <= 1000
    kept = line_numbers(tmp_path, ["json.log"])
    assert kept == list(range(kept[0], 200))


def test_reopened_log_appends(tmp_path: Path) -> None:
    run(lambda: write_all(JSONFileLog(tmp_path), [("stdout", b"1\n", BASE)]))
    run(lambda: write_all(JSONFileLog(tmp_path), [("stdout", b"2\n", BASE)]))
    assert [e["log"] for e in entries(tmp_path)] == ["1\n", "2\n"]


def test_drain_bounds_what_waits_for_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = JSONFileLog(tmp_path)
    slow_append = log._append

    def append(data: bytes) -> None:
        time.sleep(0.01)  # a slow disk
        slow_append(data)

    monkeypatch.setattr(log, "_append", append)
    monkeypatch.setattr(logs, "MAX_PENDING", 256 * 1024)
    chunk = b"x" * 1000 + b"\n"
    peak = 0

    async def go() -> None:
        nonlocal peak
        for _ in range(2000):
            log.write("stdout", chunk, BASE)
            peak = max(peak, log.pending)
            await log.drain()
        await log.close()

    run(go)
    assert peak <= 256 * 1024 + len(chunk)
    assert len(entries(tmp_path)) == 2000


def test_write_and_drain_do_not_block_the_loop(tmp_path: Path) -> None:
    log = JSONFileLog(tmp_path)
    chunk = (b"y" * 99 + b"\n") * 655  # 64 KiB of short lines

    async def go() -> float:
        worst = 0.0
        done = False

        async def ticker() -> None:
            nonlocal worst
            last = time.monotonic()
            while not done:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                worst = max(worst, now - last)
                last = now

        tick = asyncio.create_task(ticker())
        for _ in range(160):  # 10 MB
            log.write("stdout", chunk, time.time_ns())
            await log.drain()
            await asyncio.sleep(0)
        await log.close()
        done = True
        await tick
        return worst

    worst = run(go)
    assert worst < 0.25
    assert sum(1 for _ in open(tmp_path / "json.log", "rb")) == 160 * 655


# --- reading ----------------------------------------------------------------------------------------------
def make_log(directory: Path, count: int, **kw: Any) -> None:
    """Lines ``out i`` (stdout, even i) and ``err i`` (stderr, odd i) at BASE + i seconds."""
    log = JSONFileLog(directory, **kw)
    items = [
        ("stdout" if i % 2 == 0 else "stderr", f"{'out' if i % 2 == 0 else 'err'} {i}\n".encode(), BASE + i * 10**9)
        for i in range(count)
    ]
    run(lambda: write_all(log, items))


def test_read_all_and_streams(tmp_path: Path) -> None:
    make_log(tmp_path, 10)
    assert run(lambda: collect(tmp_path)) == b"".join(
        f"{'out' if i % 2 == 0 else 'err'} {i}\n".encode() for i in range(10)
    )
    assert run(lambda: collect(tmp_path, stderr=False)) == b"".join(f"out {i}\n".encode() for i in range(0, 10, 2))
    assert run(lambda: collect(tmp_path, stdout=False)) == b"".join(f"err {i}\n".encode() for i in range(1, 10, 2))


def test_framed_and_timestamps(tmp_path: Path) -> None:
    make_log(tmp_path, 3)
    got = frames(run(lambda: collect(tmp_path, framed=True, timestamps=True)))
    assert got == [
        (1, b"2026-12-05T07:00:00.000000000Z out 0\n"),
        (2, b"2026-12-05T07:00:01.000000000Z err 1\n"),
        (1, b"2026-12-05T07:00:02.000000000Z out 2\n"),
    ]
    assert stdcopy_frame("stderr", b"abc") == b"\x02\x00\x00\x00\x00\x00\x00\x03abc"
    assert stdcopy_frame("stdout", b"") == b"\x01\x00\x00\x00\x00\x00\x00\x00"


def test_since_and_until(tmp_path: Path) -> None:
    make_log(tmp_path, 10)
    got = run(lambda: collect(tmp_path, since_ns=BASE + 3 * 10**9, until_ns=BASE + 6 * 10**9))
    assert got == b"err 3\nout 4\nerr 5\nout 6\n"
    got = run(lambda: collect(tmp_path, since_ns=BASE + 8 * 10**9 + 1))
    assert got == b"err 9\n"


def test_tail_across_rotated_files(tmp_path: Path) -> None:
    make_log(tmp_path, 300, max_size=1500, max_file=5)
    assert len(os.listdir(tmp_path)) == 5
    every = run(lambda: collect(tmp_path)).splitlines()
    assert len(every) < 300  # the oldest went with the rotations
    for n in (1, 7, 25, 40, len(every) - 1):
        assert run(lambda n=n: collect(tmp_path, tail=n)).splitlines() == every[-n:]
    assert run(lambda: collect(tmp_path, tail=10_000)).splitlines() == every
    assert run(lambda: collect(tmp_path, tail=0)) == b""
    # Tail counts lines before the stream filter (Docker's order).
    assert run(lambda: collect(tmp_path, tail=4, stdout=False)) == b"err 297\nerr 299\n"


def test_missing_log_is_empty(tmp_path: Path) -> None:
    assert run(lambda: collect(tmp_path)) == b""
    assert run(lambda: collect(tmp_path / "nowhere", tail=5)) == b""

    async def follow_stopped() -> bytes:
        stopped = asyncio.Event()
        stopped.set()
        return await asyncio.wait_for(collect(tmp_path, follow=True, stopped=stopped), 2)

    assert run(follow_stopped) == b""


def test_partial_and_broken_lines_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "json.log").write_bytes(
        b'{"stream":"stdout","log":"a\\n","time":"2026-12-05T07:00:00Z"}\n'
        b"not json\n"
        b'{"stream":"stdout","log":"b\\n","time":"bad"}\n'
        b'{"stream":"stdout","log":"c\\n","time":"2026-12-05T07:00:00Z"}\n'
        b'{"stream":"stdout","log":"d\\n","ti'  # being written
    )
    assert run(lambda: collect(tmp_path)) == b"a\nb\nc\n"
    assert run(lambda: collect(tmp_path, timestamps=True)) == (
        b"2026-12-05T07:00:00.000000000Z a\n2026-12-05T07:00:00.000000000Z c\n"
    )
    assert run(lambda: collect(tmp_path, tail=1)) == b"c\n"


def test_tail_of_a_big_log_reads_only_its_end(tmp_path: Path) -> None:
    line = b'{"stream":"stdout","log":"' + b"z" * 200 + b'\\n","time":"2026-12-05T07:00:00Z"}\n'
    with open(tmp_path / "json.log", "wb") as f:
        block = line * 4096
        for _ in range(25):  # ~24 MB
            f.write(block)
        f.write(line.replace(b"zzz", b"END", 1))

    tracemalloc.start()
    try:
        got = run(lambda: collect(tmp_path, tail=3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.count(b"\n") == 3 and got.startswith(b"z" * 200) and b"END" in got
    assert peak < 4 << 20


# --- follow -----------------------------------------------------------------------------------------------
def test_follow_sees_new_lines_and_ends_after_stopped(tmp_path: Path) -> None:
    async def go() -> None:
        log = JSONFileLog(tmp_path)
        log.write("stdout", b"before\n", BASE)
        await asyncio.sleep(0.1)
        stopped = asyncio.Event()
        got: list[bytes] = []

        async def reader() -> None:
            async for chunk in read_log(
                tmp_path,
                stdout=True,
                stderr=True,
                since_ns=0,
                until_ns=0,
                tail=None,
                timestamps=False,
                follow=True,
                stopped=stopped,
                framed=False,
            ):
                got.append(chunk)

        task = asyncio.create_task(reader())
        for i in range(5):
            log.write("stdout", f"line {i}\n".encode(), BASE)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert b"".join(got) == b"before\n" + b"".join(f"line {i}\n".encode() for i in range(5))
        assert not task.done()
        log.write("stderr", b"last words\n", BASE)
        await log.close()  # the manager flushes the log before the container counts as exited
        stopped.set()
        started = time.monotonic()
        await asyncio.wait_for(task, 2)
        assert time.monotonic() - started < 0.4
        assert b"".join(got).endswith(b"line 4\nlast words\n")

    run(go)


def test_follow_through_rotations(tmp_path: Path) -> None:
    async def go() -> list[int]:
        log = JSONFileLog(tmp_path, max_size=4000, max_file=3)
        stopped = asyncio.Event()
        got: list[bytes] = []

        async def reader() -> None:
            async for chunk in read_log(
                tmp_path,
                stdout=True,
                stderr=True,
                since_ns=0,
                until_ns=0,
                tail=0,
                timestamps=False,
                follow=True,
                stopped=stopped,
                framed=False,
            ):
                got.append(chunk)

        task = asyncio.create_task(reader())
        await asyncio.sleep(0.05)
        # Slowly enough that the follower (polling every 0.1 s) sees every file before it goes:
        # about 70 lines a file, one new file every ~0.2 s.
        for i in range(600):
            log.write("stdout", f"{i}\n".encode(), BASE)
            if i % 10 == 0:
                await asyncio.sleep(0.03)
        await log.close()
        stopped.set()
        await asyncio.wait_for(task, 3)
        return [int(x) for x in b"".join(got).split()]

    numbers = run(go)
    assert numbers == list(range(600))
    assert len(os.listdir(tmp_path)) == 3


def test_follow_truncated_in_place(tmp_path: Path) -> None:
    async def go() -> list[int]:
        log = JSONFileLog(tmp_path, max_size=3000, max_file=1)
        stopped = asyncio.Event()
        got: list[bytes] = []

        async def reader() -> None:
            async for chunk in read_log(
                tmp_path,
                stdout=True,
                stderr=True,
                since_ns=0,
                until_ns=0,
                tail=None,
                timestamps=False,
                follow=True,
                stopped=stopped,
                framed=False,
            ):
                got.append(chunk)

        task = asyncio.create_task(reader())
        for i in range(200):
            log.write("stdout", f"{i}\n".encode(), BASE)
            if i % 10 == 0:
                await asyncio.sleep(0.05)
        await log.close()
        stopped.set()
        await asyncio.wait_for(task, 3)
        return [int(x) for x in b"".join(got).split()]

    numbers = run(go)
    # What was written between the follower's last read and a truncation may be lost (the file
    # is cut in place: how much depends on the machine's load); the rest comes in order, up to
    # the last line.
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert numbers[-1] == 199 and len(numbers) >= 20


def test_follow_ends_when_until_has_passed(tmp_path: Path) -> None:
    make_log(tmp_path, 3)

    async def go() -> bytes:
        until = time.time_ns() + 200_000_000
        return await asyncio.wait_for(collect(tmp_path, follow=True, until_ns=until), 2)

    assert run(go) == b"out 0\nerr 1\nout 2\n"


# --- since/until values -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1700000000", 1_700_000_000 * 10**9),
        ("1700000000.123456789", 1_700_000_000 * 10**9 + 123_456_789),
        ("1700000000.5", 1_700_000_000 * 10**9 + 500_000_000),
        ("1700000000.0000000019", 1_700_000_000 * 10**9 + 1),
        ("0", 0),
        ("2026-12-05T07:00:00Z", BASE),
        ("2026-12-05T07:00:00.25Z", BASE + 250_000_000),
        ("2026-12-05T08:00:00+01:00", BASE),
    ],
)
def test_parse_unix_time(text: str, ns: int) -> None:
    assert parse_unix_time(text) == ns


@pytest.mark.parametrize("text", ["", "abc", "10m", "1700000000.", "1.2.3", "2026-12-05", "١٢٣"])
def test_parse_unix_time_rejects(text: str) -> None:
    with pytest.raises(APIError) as e:
        parse_unix_time(text)
    assert e.value.status == 400
