"""5. Events fan-out: N live GET /v1.24/events streams, then one POST /v1.24/daemon/update.

Latency is from just before the POST is written until a subscriber has read the ``daemon``/
``update`` line carrying that POST's label (``bench=<rep>``). Per repetition we keep every
subscriber's latency and the time until all of them have it.

Floor: the same procedure against a second pouchd with a single subscriber; repetitions alternate
between the two daemons. Raw asyncio streams over the unix sockets, no ``since`` (so no replay).
Each stream is ``Transfer-Encoding: chunked`` with one JSON object per line; the chunk-size lines
around them are skipped.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import BenchError, PouchD, Result, Row, Settings, Workspace, percentile

TARGET_P99 = 0.050  # seconds: all subscribers have the event
REP_TIMEOUT = 10.0
CONNECT_TIMEOUT = 10.0


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), CONNECT_TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    return int(lines[0].split()[1]), headers


@dataclass
class _Waiter:
    """Arrival times of one tagged event; ``done`` is set when every subscriber has it."""

    expected: int
    times: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, at: float) -> None:
        self.times.append(at)
        if len(self.times) >= self.expected:
            self.done.set()


class FanOut:
    """``n`` event streams and one keep-alive connection for the POSTs, on one pouchd's socket."""

    def __init__(self, sock: Path, n: int) -> None:
        self.sock = sock
        self.n = n
        self.waiters: dict[str, _Waiter] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.post_rw: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> None:
        for _ in range(self.n):  # one by one: a burst of 100 connects is not what is measured
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(self.sock)), CONNECT_TIMEOUT)
            self.writers.append(writer)
            writer.write(b"GET /v1.24/events HTTP/1.1\r\nHost: d\r\n\r\n")
            status, _ = await _read_head(reader)
            if status != 200:
                raise BenchError(f"GET /v1.24/events answered {status}")
            self.tasks.append(asyncio.create_task(self._pump(reader)))
        self.post_rw = await asyncio.open_unix_connection(str(self.sock))

    async def _pump(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            if not line.startswith(b"{"):
                continue  # chunk sizes and chunk ends
            now = time.perf_counter()
            ev = json.loads(line)
            if ev.get("type") == "daemon" and ev.get("action") == "update":
                waiter = self.waiters.get(ev["actor"]["Attributes"].get("bench", ""))
                if waiter is not None:
                    waiter.arrived(now)

    async def _post(self, tag: str) -> None:
        assert self.post_rw is not None
        reader, writer = self.post_rw
        body = json.dumps({"Labels": [f"bench={tag}"]}).encode()
        writer.write(
            b"POST /v1.24/daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        status, headers = await _read_head(reader)
        await reader.readexactly(int(headers.get("content-length", "0")))
        if status != 200:
            raise BenchError(f"POST /v1.24/daemon/update answered {status}")

    async def rep(self, tag: str, timeout: float = REP_TIMEOUT) -> list[float] | None:
        """Post one update; per-subscriber latencies in seconds, or None if not all arrived in time."""
        waiter = self.waiters[tag] = _Waiter(self.n)
        start = time.perf_counter()
        await self._post(tag)
        try:
            await asyncio.wait_for(waiter.done.wait(), timeout)
        except TimeoutError:
            return None
        finally:
            del self.waiters[tag]
        return [t - start for t in waiter.times]

    async def warm_up(self, prefix: str) -> None:
        """Post until one event reaches every subscriber: a stream subscribes only after its headers."""
        for i in range(50):
            if await self.rep(f"{prefix}{i}", timeout=0.2) is not None:
                return
        raise BenchError(f"the {self.n} event streams never all received an update")

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in [*self.writers, *([self.post_rw[1]] if self.post_rw else [])]:
            writer.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _measure(fan: FanOut, floor: FanOut, reps: int) -> tuple[list[list[float]], list[list[float]]]:
    await fan.open()
    await floor.open()
    try:
        await fan.warm_up("warm")
        await floor.warm_up("warm")
        got: tuple[list[list[float]], list[list[float]]] = ([], [])
        for i in range(reps):
            order = [(0, fan), (1, floor)] if i % 2 == 0 else [(1, floor), (0, fan)]
            for k, f in order:
                lat = await f.rep(str(i))
                if lat is None:
                    raise BenchError(f"update {i}: not all {f.n} subscribers got it within {REP_TIMEOUT:.0f} s")
                got[k].append(lat)
                await asyncio.sleep(0.02)  # let the daemons' streams settle between repetitions
        return got
    finally:
        await fan.close()
        await floor.close()


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("events")
    work = ws.subdir("events")
    n = settings.events_subscribers
    with PouchD(work, "fan", tcp=False) as fan_d, PouchD(work, "floor", tcp=False) as floor_d:
        fan_d.start()
        floor_d.start()
        fan_reps, floor_reps = asyncio.run(
            _measure(FanOut(fan_d.sock, n), FanOut(floor_d.sock, 1), settings.events_reps)
        )
    all_n = [max(r) for r in fan_reps]
    per_sub = [x for r in fan_reps for x in r]
    floor = [r[0] for r in floor_reps]
    f50, f99 = percentile(floor, 50), percentile(floor, 99)
    a99 = percentile(all_n, 99)
    result.rows += [
        Row("events", f"all {n} received, p50", _ms(percentile(all_n, 50)), _ms(f50), percentile(all_n, 50) / f50),
        Row(
            "events",
            f"all {n} received, p99",
            _ms(a99),
            _ms(f99),
            a99 / f99,
            f"≤ {TARGET_P99 * 1000:.0f} ms",
            a99 <= TARGET_P99,
        ),
        Row("events", "per subscriber, p50", _ms(percentile(per_sub, 50)), _ms(f50), percentile(per_sub, 50) / f50),
        Row("events", "per subscriber, p99", _ms(percentile(per_sub, 99)), _ms(f99), percentile(per_sub, 99) / f99),
    ]
    result.samples = {
        f"all {n} received (ms)": [round(x * 1000, 2) for x in all_n],
        "1 subscriber (floor, ms)": [round(x * 1000, 2) for x in floor],
    }
    result.notes.append(
        f"{settings.events_reps} updates to {n} subscribers, alternating with updates to a second "
        "pouchd with 1 subscriber (the floor); time from just before the POST until the line "
        "is read; the POST's own round trip (which writes the state file) is included."
    )
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
