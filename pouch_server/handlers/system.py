"""GET /_ping, /version, /info."""

from __future__ import annotations

from typing import Any

from pouch_server.managers.system import SystemManager


class SystemHandlers:
    def __init__(self, system: SystemManager) -> None:
        self.system = system

    async def ping(self) -> tuple[str, int, dict[str, str]]:
        # Never cached: clients ping to learn whether the daemon is up and which API it speaks.
        return "OK", 200, {"Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}

    async def ping_head(self) -> tuple[str, int, dict[str, str]]:
        # The same answer without a body (the server sends no body for HEAD).
        return await self.ping()

    async def version(self) -> dict[str, Any]:
        return self.system.version()

    async def info(self) -> dict[str, Any]:
        return self.system.info()
