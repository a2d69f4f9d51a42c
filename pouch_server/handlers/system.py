"""GET /_ping, /version, /info."""

from __future__ import annotations

from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse
from starlette.responses import Response

from pouch_server.managers.system import SystemManager

_PING_HEADERS = {"Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}


class SystemHandlers:
    def __init__(self, system: SystemManager) -> None:
        self.system = system
        self._jsonifier = Jsonifier()  # the app's (connexion's default): the same bytes as for a dict
        self._version = self._jsonifier.dumps(system.version()).encode()  # fixed for the daemon's life
        self._info: bytes | None = None

    async def ping(self) -> tuple[str, int, dict[str, str]]:
        # Never cached: clients ping to learn whether the daemon is up and which API it speaks.
        return "OK", 200, dict(_PING_HEADERS)

    async def ping_head(self) -> ConnexionResponse:
        # GET's headers (text/plain, length 2); the server sends no body for HEAD. The spec gives
        # HEAD no content type (it has no body), so the type is set here rather than inferred.
        return ConnexionResponse(200, content_type="text/plain", body="OK", headers=dict(_PING_HEADERS))

    async def version(self) -> Response:
        return Response(self._version, media_type="application/json")

    async def info(self) -> Response:
        # /info changes only when the configuration does (/daemon/update): it is encoded once and
        # kept, until config_changed(). Building and encoding it was most of a request's cost.
        body = self._info
        if body is None:
            body = self._info = self._jsonifier.dumps(self.system.info()).encode()
        return Response(body, media_type="application/json")

    def config_changed(self) -> None:
        """The daemon's configuration changed: /info is built again on its next request."""
        self._info = None
