"""EventBus.stream in-process: replay then live, each event once and in order, and the
subscription released however the stream ends. (tests/test_events.py drives the same through
a daemon and its clients.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from pouch_server.managers.events import Event, EventBus, compile_filters


async def take(stream: AsyncIterator[Event], n: int) -> list[str]:
    return [(await asyncio.wait_for(anext(stream), 5)).action for _ in range(n)]


def test_replay_then_live_each_event_once() -> None:
    async def run() -> None:
        bus = EventBus()
        bus.publish("daemon", "a", "id")
        bus.publish("daemon", "b", "id")
        stream = bus.stream(since_ns=0)
        assert await take(stream, 2) == ["a", "b"]  # replayed; subscribed from here on
        assert bus.subscriber_count == 1
        bus.publish("daemon", "c", "id")
        bus.publish("daemon", "d", "id")
        assert await take(stream, 2) == ["c", "d"]
        await stream.aclose()
        assert bus.subscriber_count == 0

    asyncio.run(run())


def test_without_since_or_until_only_live_events() -> None:
    async def run() -> None:
        bus = EventBus()
        bus.publish("daemon", "old", "id")
        stream = bus.stream(wanted=compile_filters({"event": ["new"]}))
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)  # subscribed
        bus.publish("daemon", "skipped", "id")
        bus.publish("daemon", "new", "id")
        assert (await asyncio.wait_for(first, 5)).action == "new"
        bus.close()  # the daemon stops: the stream ends
        assert [ev async for ev in stream] == []
        assert bus.subscriber_count == 0

    asyncio.run(run())


def test_until_in_the_past_replays_and_ends() -> None:
    async def run() -> None:
        bus = EventBus()
        a = bus.publish("daemon", "a", "id")
        b = bus.publish("daemon", "b", "id")
        bus.publish("daemon", "c", "id")
        got = [ev.action async for ev in bus.stream(since_ns=a.time_nano, until_ns=b.time_nano)]
        assert got == ["a", "b"]
        assert bus.subscriber_count == 0

    asyncio.run(run())


def test_until_in_the_near_future_ends_the_live_stream() -> None:
    async def run() -> None:
        bus = EventBus()
        start = time.monotonic()
        got = [ev async for ev in bus.stream(until_ns=time.time_ns() + 200_000_000)]
        assert got == [] and time.monotonic() - start < 5
        assert bus.subscriber_count == 0

    asyncio.run(run())


def test_a_subscriber_that_overflows_is_cut_off_after_what_it_has() -> None:
    async def run() -> None:
        bus = EventBus(queue_size=3)
        stream = bus.stream()
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        for i in range(5):  # the fourth overflows the queue of 3
            bus.publish("daemon", str(i), "id")
        assert bus.subscriber_count == 0  # cut off at once
        assert (await asyncio.wait_for(first, 5)).action == "0"
        assert [ev.action async for ev in stream] == ["1", "2"]

    asyncio.run(run())
