"""GET /events: the query parsed and checked; the stream itself is the EventBus's."""

from __future__ import annotations

from starlette.responses import StreamingResponse

from pouch_server.errors import APIError
from pouch_server.managers.events import EventBus, FilterError, compile_filters, parse_filters, parse_timestamp


class EventHandlers:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def events(
        self, since: str | None = None, until: str | None = None, filters: str | None = None
    ) -> StreamingResponse:
        try:
            since_ns = parse_timestamp("since", since)
            until_ns = parse_timestamp("until", until)
            wanted = compile_filters(parse_filters(filters))
        except FilterError as e:
            raise APIError(400, str(e)) from None
        if since_ns is not None and until_ns is not None and until_ns < since_ns:
            # docker's check: such a stream could never send anything.
            raise APIError(400, f"since time ({since}) cannot be after until time ({until})")
        events = self.bus.stream(since_ns, until_ns, wanted)
        # One JSON object a line, each flushed as it comes.
        return StreamingResponse((event.to_line() async for event in events), media_type="application/json")
