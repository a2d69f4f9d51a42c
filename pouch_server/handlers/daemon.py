"""POST /daemon/update."""

from __future__ import annotations

from typing import Any

from pouch_server.errors import APIError
from pouch_server.managers.daemon import DaemonStateStore, UpdateError
from pouch_server.managers.events import EventBus


class DaemonHandlers:
    def __init__(self, state: DaemonStateStore, events: EventBus, daemon_id: str) -> None:
        self.state = state
        self.events = events
        self.daemon_id = daemon_id

    async def update(self, body: dict[str, Any]) -> tuple[None, int]:
        try:
            labels, proxy = await self.state.update(body.get("Labels"), body.get("ImageProxy"))
        except UpdateError as e:
            raise APIError(400, str(e)) from None
        attributes = {label.split("=", 1)[0]: label.partition("=")[2] for label in labels}
        if proxy:
            attributes["image-proxy"] = proxy
        self.events.publish("daemon", "update", self.daemon_id, attributes)
        return None, 200
