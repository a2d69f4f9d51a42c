"""The spec as Swagger UI gets it: its ``servers`` name a real server.

connexion serves ``/openapi.json`` with ``servers`` rewritten to the prefix it was fetched under,
so that "Try it out" calls the API there: ``[{"url": "/v1.24"}]`` under ``/v1.24/``, but
``[{"url": ""}]`` at the root, which Swagger UI lists as an empty entry in its "Servers" box.
The root of the daemon is ``/``: that is the server named there instead (requests go to the same
URLs, since Swagger UI joins a server ending in ``/`` and a path without doubling the slash).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from pouch_server._compat.connexion import SwaggerUIAPIHooks


class ServersSwaggerUIAPI(SwaggerUIAPIHooks):
    def spec_for_request(self, request: Request) -> dict[str, Any]:
        spec = super().spec_for_request(request)  # a copy made for this request
        for server in spec.get("servers") or ():
            if server.get("url") == "":
                server["url"] = "/"
        return spec
