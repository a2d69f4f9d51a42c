"""GET /events: replay from the bus history, then stream live events."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

from starlette.responses import StreamingResponse

from pouch_server.errors import APIError
from pouch_server.managers.events import (
    Event,
    EventBus,
    FilterError,
    compile_filters,
    parse_filters,
    parse_timestamp,
)


class EventHandlers:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def events(self, since: str | None = None, until: str | None = None,
                     filters: str | None = None) -> StreamingResponse:
        try:
            since_ns = parse_timestamp("since", since)
            until_ns = parse_timestamp("until", until)
            wanted = compile_filters(parse_filters(filters))
        except FilterError as e:
            raise APIError(400, str(e)) from None
        if since_ns is not None and until_ns is not None and until_ns < since_ns:
            # docker's check: such a stream could never send anything.
            raise APIError(400, f"since time ({since}) cannot be after until time ({until})")
        return StreamingResponse(self._stream(since_ns, until_ns, wanted), media_type="application/json")

    async def _stream(self, since_ns: int | None, until_ns: int | None,
                      wanted: Callable[[Event], bool]) -> AsyncIterator[bytes]:
        def wanted_event(ev) -> bool:  # noqa: ANN001
            if since_ns is not None and ev.time_nano < since_ns:
                return False
            if until_ns is not None and ev.time_nano > until_ns:
                return False
            return wanted(ev)

        # Subscribe before anything else: the subscription ends in `finally` however the
        # stream ends (client gone, until reached, daemon stopping), so nothing leaks.
        sub, history = self.bus.subscribe()
        try:
            last_seq = 0
            if since_ns is not None or (until_ns is not None):
                for ev in history:
                    last_seq = ev.seq
                    if wanted_event(ev):
                        yield ev.to_line()
            elif history:
                last_seq = history[-1].seq
            if until_ns is not None and until_ns <= time.time_ns():
                return
            while True:
                timeout = None if until_ns is None else max(0.0, (until_ns - time.time_ns()) / 1e9)
                ev = await sub.get(timeout)
                if ev is None:
                    return
                if ev.seq <= last_seq:
                    continue
                if until_ns is not None and ev.time_nano > until_ns:
                    return
                if wanted_event(ev):
                    yield ev.to_line()
        finally:
            self.bus.unsubscribe(sub)
