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
            # The event is published by the store under its lock: events come in the order the
            # updates were applied, and an applied update has its event even if the request is cancelled.
            await self.state.update(body.get("Labels"), body.get("ImageProxy"), on_applied=self._publish)
        except UpdateError as e:
            raise APIError(400, str(e)) from None
        return None, 200

    def _publish(self, _labels: list[str], proxy: str, label_attributes: dict[str, str]) -> None:
        """A ``daemon update`` event: the labels as attributes (key → value), and the image proxy."""
        attributes = dict(label_attributes)  # the store's strings, shared: see DaemonStateStore.attributes
        if proxy:
            attributes["image-proxy"] = proxy
        self.events.publish("daemon", "update", self.daemon_id, attributes)
