"""POST /auth: registry login."""

from __future__ import annotations

from typing import Any

from pouch_server.errors import APIError
from pouch_server.managers.registry import RegistryError, RegistryManager


class AuthHandlers:
    def __init__(self, registry: RegistryManager) -> None:
        self.registry = registry

    async def login(self, body: dict[str, Any]) -> dict[str, str]:
        """Check the credentials; IdentityToken is always a string (``""`` when there is none)."""
        try:
            token = await self.registry.login(body)
        except RegistryError as e:
            raise APIError(e.status, e.message) from None
        return {"Status": "Login Succeeded", "IdentityToken": token}
