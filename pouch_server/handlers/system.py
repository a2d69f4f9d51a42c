"""GET /_ping, /version, /info."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connexion.lifecycle import ConnexionResponse

from pouch_server.managers.system import SystemManager

_PING_HEADERS = {"Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}


class SystemHandlers:
    def __init__(self, system: SystemManager) -> None:
        self.system = system

    async def ping(self) -> tuple[str, int, dict[str, str]]:
        # Never cached: clients ping to learn whether the daemon is up and which API it speaks.
        return "OK", 200, dict(_PING_HEADERS)

    async def ping_head(self) -> ConnexionResponse:
        # GET's headers (text/plain, length 2); the server sends no body for HEAD. The spec gives
        # HEAD no content type (it has no body), and connexion refuses a handler's tuple whose
        # Content-Type the operation does not produce: only a response object can set it.
        return ConnexionResponse(200, content_type="text/plain", body="OK", headers=dict(_PING_HEADERS))

    async def version(self) -> Mapping[str, Any]:
        return self.system.version()

    async def info(self) -> Mapping[str, Any]:
        return self.system.info()
