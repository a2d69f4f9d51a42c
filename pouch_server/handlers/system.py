"""GET /_ping, /version, /info."""

from __future__ import annotations

from typing import Any

from pouch_server.managers.system import SystemManager


class SystemHandlers:
    def __init__(self, system: SystemManager) -> None:
        self.system = system

    async def ping(self) -> tuple[str, int]:
        return "OK", 200

    async def version(self) -> dict[str, Any]:
        return self.system.version()

    async def info(self) -> dict[str, Any]:
        return self.system.info()
