"""POST /auth: registry login."""

from __future__ import annotations

from typing import Any

from pouch_server.managers.registry import RegistryManager


class AuthHandlers:
    def __init__(self, registry: RegistryManager) -> None:
        self.registry = registry

    async def login(self, body: dict[str, Any]) -> dict[str, str]:
        """Check the credentials; IdentityToken is always a string (``""`` when there is none).
        A failed login raises the manager's APIError, answered with its status and message."""
        token = await self.registry.login(body)
        return {"Status": "Login Succeeded", "IdentityToken": token}
